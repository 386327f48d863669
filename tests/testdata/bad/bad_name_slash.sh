# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC="ca create: NAME 'a/b' (path separator)"
CMD=(--pki "$PKI" ca create a/b --no-passphrase)
EXPECT_EXIT=2
EXPECT_MSG="invalid name 'a/b'"

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='ca create: no NAME'
CMD=(--pki "$PKI" ca create --no-passphrase)
EXPECT_EXIT=2
EXPECT_MSG='NAME is required'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='ca create: empty passphrase file'
PKI_SETUP=passphrase
make_input() { : >"$WORK/empty.txt"; }
CMD=(--pki "$PKI" ca create ca2 --passphrase-file "$WORK/empty.txt")
EXPECT_EXIT=3
EXPECT_MSG='the passphrase file'
EXPECT_MSG+=('is empty')

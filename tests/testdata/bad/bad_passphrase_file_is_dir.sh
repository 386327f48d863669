# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='server issue: --passphrase-file is a directory'
PKI_SETUP=passphrase
make_input() { mkdir -p "$WORK/passdir"; }
CMD=(--pki "$PKI" server issue s1 --san s1.example.com --passphrase-file "$WORK/passdir")
EXPECT_EXIT=3
EXPECT_MSG='passdir is a directory'

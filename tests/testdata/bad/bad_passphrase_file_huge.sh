# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='server issue: 10 MiB passphrase file'
PKI_SETUP=passphrase
make_input() { big_file "$WORK/huge.txt" 10; }
CMD=(--pki "$PKI" server issue s1 --san s1.example.com --passphrase-file "$WORK/huge.txt")
EXPECT_EXIT=3
EXPECT_MSG='huge.txt is too large'

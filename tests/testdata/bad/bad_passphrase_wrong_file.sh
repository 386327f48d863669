# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='server issue: --passphrase-file with the wrong passphrase'
PKI_SETUP=passphrase
make_input() { mk_passfile "$WORK/wrong.txt" 'not the passphrase'; }
CMD=(--pki "$PKI" server issue s1 --san s1.example.com --passphrase-file "$WORK/wrong.txt")
EXPECT_EXIT=3
EXPECT_MSG='wrong passphrase for'
EXPECT_MSG_NOT=('not the passphrase')

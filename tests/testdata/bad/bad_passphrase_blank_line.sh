# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# a passphrase file whose first line is empty (the passphrase is the first line).
DESC='crl: passphrase file whose first line is empty'
PKI_SETUP=passphrase
make_input() { printf '\ncorrect horse battery staple\n' >"$WORK/blank.txt"; }
CMD=(--pki "$PKI" crl --passphrase-file "$WORK/blank.txt")
EXPECT_EXIT=3
EXPECT_MSG='is empty'

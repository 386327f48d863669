# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='inspect: encrypted CA key with the wrong passphrase'
PKI_SETUP=passphrase
make_input() { mk_passfile "$WORK/wrong.txt" 'wrong one'; }
CMD=(--pki "$PKI" inspect "$PKI/server-ca/private/server-ca.key.pem" --passphrase-file "$WORK/wrong.txt")
EXPECT_EXIT=3
EXPECT_MSG='wrong passphrase for'

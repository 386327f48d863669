# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# server issue --encrypt-key without a key passphrase (the CA passphrase is given, and never reused for the server
# key). The hint must name what this command takes: --key-passphrase-file or $MQTTPKI_KEY_PASSPHRASE; server issue
# has no --no-passphrase flag (drop --encrypt-key instead).
DESC='server issue --encrypt-key: no key passphrase source'
PKI_SETUP=passphrase
CMD=(--pki "$PKI" server issue s1 --san s1.example.com --encrypt-key --passphrase-file "$PASSFILE")
EXPECT_EXIT=3
EXPECT_MSG=('needs a passphrase' '--key-passphrase-file')
EXPECT_MSG_NOT=('--no-passphrase')

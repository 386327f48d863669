# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='renew: wrong passphrase in $MQTTPKI_PASSPHRASE'
PKI_SETUP=passphrase
CMD=(--pki "$PKI" renew mqtt-server-1)
ENV=(MQTTPKI_PASSPHRASE=not-the-passphrase)
EXPECT_EXIT=3
EXPECT_MSG='wrong passphrase for'
EXPECT_MSG_NOT=('not-the-passphrase')

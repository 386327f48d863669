# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# an empty $MQTTPKI_PASSPHRASE is no passphrase: no terminal either, so the command says how to give one.
DESC='rotate: $MQTTPKI_PASSPHRASE set but empty'
PKI_SETUP=passphrase
CMD=(--pki "$PKI" rotate server-ca)
ENV=(MQTTPKI_PASSPHRASE=)
EXPECT_EXIT=3
EXPECT_MSG='needs a passphrase'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# --passphrase=VALUE: as above, in one argument.
DESC='ca create: passphrase given on the command line (--passphrase=VALUE)'
PKI_SETUP=passphrase
CMD=(--pki "$PKI" ca create ca2 --passphrase='correct horse battery staple')
EXPECT_EXIT=2
EXPECT_MSG='--passphrase'
EXPECT_MSG_NOT=('correct horse battery staple')

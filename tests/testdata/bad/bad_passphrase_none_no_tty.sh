# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# server issue with an encrypted CA key, no passphrase file, no environment and no terminal: say how to give one.
DESC='server issue: encrypted CA key, no passphrase source and no terminal'
PKI_SETUP=passphrase
CMD=(--pki "$PKI" server issue s1 --san s1.example.com)
EXPECT_EXIT=3
EXPECT_MSG=('needs a passphrase' '--passphrase-file')

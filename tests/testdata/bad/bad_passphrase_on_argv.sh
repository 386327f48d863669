# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# --passphrase VALUE on the command line: passphrases never come from argv (docs/cli.md). Refused as an unknown
# flag; the message must not repeat the secret (stderr ends up in logs), and should point at --passphrase-file.
DESC='server issue: passphrase given on the command line (--passphrase VALUE)'
PKI_SETUP=passphrase
CMD=(--pki "$PKI" server issue s1 --san s1.example.com --passphrase 'correct horse battery staple')
EXPECT_EXIT=2
EXPECT_MSG='--passphrase'
EXPECT_MSG_NOT=('correct horse battery staple')

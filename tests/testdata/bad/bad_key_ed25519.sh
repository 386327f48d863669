# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='root create: --key ed25519 (unsupported key type)'
CMD=(--pki "$PKI" root create --key ed25519 --no-passphrase --force)
EXPECT_EXIT=2
EXPECT_MSG="unknown key type 'ed25519'"

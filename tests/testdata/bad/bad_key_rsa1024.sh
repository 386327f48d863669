# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='csr create: --key rsa-1024 (too weak)'
CMD=(--pki "$PKI" csr create c1 --san c1.example.com --key rsa-1024)
EXPECT_EXIT=2
EXPECT_MSG="unknown key type 'rsa-1024'"

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='csr create: --san DNS:*.*.example.com'
CMD=(--pki "$PKI" csr create c1 --san 'DNS:*.*.example.com')
EXPECT_EXIT=2
EXPECT_MSG="invalid --san 'DNS:*.*.example.com'"

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# needs-renewal FILE: a CSR where a certificate is expected.
DESC='needs-renewal: a CSR file where a certificate is expected'
CMD=(--pki "$PKI" needs-renewal "$PKI/mqtt-server-1/csr/mqtt-server-1.csr.pem")
EXPECT_EXIT=3
EXPECT_MSG='holds a certificate request (CSR), not a certificate'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# csr sign: a certificate where a CSR is expected.
DESC='csr sign: a certificate where a CSR is expected'
make_input() { cp "$(pki_cert mqtt-server-1)" "$WORK/other.csr.pem"; }
CMD=(--pki "$PKI" csr sign "$WORK/other.csr.pem" --profile server)
EXPECT_EXIT=3
EXPECT_MSG='holds a certificate, not a certificate request (CSR)'

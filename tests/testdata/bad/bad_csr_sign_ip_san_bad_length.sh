# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# csr sign: an iPAddress SAN of 5 bytes (neither IPv4 nor IPv6): malformed, must be refused, not silently dropped.
DESC='csr sign: iPAddress SAN of 5 bytes'
make_input() {
    mk_csr "$WORK/ip.csr.pem" -subj /CN=ip.example.com -addext "subjectAltName=DER:$(san_der_hex 87 0102030405)"
}
CMD=(--pki "$PKI" csr sign "$WORK/ip.csr.pem" --profile server)
EXPECT_EXIT=3
EXPECT_MSG='asks for a name that is not allowed'

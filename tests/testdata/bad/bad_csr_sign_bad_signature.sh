# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# csr sign: a well-formed CSR whose signature has one bit flipped (tampered in transit).
DESC='csr sign: CSR with a flipped bit in its signature'
make_input() {
    mk_csr "$WORK/good.csr.pem" -subj /CN=tampered.example.com -addext subjectAltName=DNS:tampered.example.com
    flip_last_der_byte "$WORK/good.csr.pem" "$WORK/tampered.csr.pem" "CERTIFICATE REQUEST"
}
CMD=(--pki "$PKI" csr sign "$WORK/tampered.csr.pem" --profile server)
EXPECT_EXIT=3
EXPECT_MSG="the CSR's signature does not verify"

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='csr sign: CSR with an RSA 1024 key (too weak)'
make_input() {
    mk_csr "$WORK/r1024.csr.pem" -newkey rsa:1024 -subj /CN=r1024.example.com -addext subjectAltName=DNS:r1024.example.com
}
CMD=(--pki "$PKI" csr sign "$WORK/r1024.csr.pem" --profile server)
EXPECT_EXIT=3
EXPECT_MSG='RSA 1024 key'

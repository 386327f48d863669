# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='csr sign: CSR with an EC P-521 key (unsupported key type)'
make_input() {
    mk_csr "$WORK/p521.csr.pem" -newkey ec -pkeyopt ec_paramgen_curve:P-521 -subj /CN=p521.example.com \
        -addext subjectAltName=DNS:p521.example.com
}
CMD=(--pki "$PKI" csr sign "$WORK/p521.csr.pem" --profile server)
EXPECT_EXIT=3
EXPECT_MSG=("EC P-521 key" "signs EC P-256/P-384 and RSA 2048-4096 keys only")

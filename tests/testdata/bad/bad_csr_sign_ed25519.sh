# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='csr sign: CSR with an Ed25519 key (unsupported key type)'
make_input() {
    mk_csr "$WORK/ed.csr.pem" -newkey ed25519 -subj /CN=ed.example.com -addext subjectAltName=DNS:ed.example.com
}
CMD=(--pki "$PKI" csr sign "$WORK/ed.csr.pem" --profile client)
EXPECT_EXIT=3
EXPECT_MSG='Ed25519 key'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# csr sign --ca mqtt-server-1: a server (leaf) certificate as the issuer.
DESC='csr sign: --ca names a leaf (mqtt-server-1)'
make_input() { mk_csr "$WORK/x1.csr.pem" -subj /CN=x1.example.com -addext subjectAltName=DNS:x1.example.com; }
CMD=(--pki "$PKI" csr sign "$WORK/x1.csr.pem" --profile server --ca mqtt-server-1)
EXPECT_EXIT=3
EXPECT_MSG='mqtt-server-1.cert.pem is not a CA certificate'

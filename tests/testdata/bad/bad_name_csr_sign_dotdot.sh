# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# csr sign --name: where the certificate goes is a name too.
DESC="csr sign: --name '../up' (path traversal)"
make_input() { mk_csr "$WORK/up.csr.pem" -subj /CN=up.example.com -addext subjectAltName=DNS:up.example.com; }
CMD=(--pki "$PKI" csr sign "$WORK/up.csr.pem" --profile server --name ../up)
EXPECT_EXIT=2
EXPECT_MSG="invalid name '../up'"

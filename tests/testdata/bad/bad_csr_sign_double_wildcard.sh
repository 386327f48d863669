# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='csr sign: SAN *.*.example.com (double wildcard)'
make_input() { mk_csr "$WORK/w.csr.pem" -subj /CN=w.example.com -addext 'subjectAltName=DNS:*.*.example.com'; }
CMD=(--pki "$PKI" csr sign "$WORK/w.csr.pem" --profile server)
EXPECT_EXIT=3
EXPECT_MSG=("asks for a name that is not allowed" "('*.*.example.com')")

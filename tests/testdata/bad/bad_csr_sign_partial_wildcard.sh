# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='csr sign: SAN f*o.example.com (wildcard inside a label)'
make_input() { mk_csr "$WORK/w.csr.pem" -subj /CN=w.example.com -addext 'subjectAltName=DNS:f*o.example.com'; }
CMD=(--pki "$PKI" csr sign "$WORK/w.csr.pem" --profile server)
EXPECT_EXIT=3
EXPECT_MSG=("a wildcard is allowed only as the whole leftmost label" "('f*o.example.com')")

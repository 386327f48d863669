# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='csr sign: no --profile'
make_input() { mk_csr "$WORK/p.csr.pem" -subj /CN=p.example.com -addext subjectAltName=DNS:p.example.com; }
CMD=(--pki "$PKI" csr sign "$WORK/p.csr.pem")
EXPECT_EXIT=2
EXPECT_MSG='--profile is required'

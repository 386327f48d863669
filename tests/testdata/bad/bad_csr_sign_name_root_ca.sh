# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='csr sign: --name root-ca --force (the root name is reserved)'
make_input() { mk_csr "$WORK/r.csr.pem" -subj /CN=r.example.com -addext subjectAltName=DNS:r.example.com; }
CMD=(--pki "$PKI" csr sign "$WORK/r.csr.pem" --profile client --name root-ca --force)
EXPECT_EXIT=2
EXPECT_MSG="'root-ca' is reserved for the root CA"

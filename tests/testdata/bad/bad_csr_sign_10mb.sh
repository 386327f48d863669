# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# csr sign: a valid CSR followed by 10 MiB of junk (bounded read: refused before parsing).
DESC='csr sign: 10 MiB input file'
make_input() { mk_csr "$WORK/x.csr.pem" -subj /CN=big.example.com && big_file "$WORK/big.csr.pem" 10 "$WORK/x.csr.pem"; }
CMD=(--pki "$PKI" csr sign "$WORK/big.csr.pem" --profile server)
EXPECT_EXIT=3
EXPECT_MSG='big.csr.pem is too large'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# csr sign FILE: NAME defaults to FILE's name without .csr.pem; a file called "..csr.pem" gives the name ".".
DESC="csr sign: the CSR file's name gives the NAME '.'"
make_input() { mk_csr "$WORK/..csr.pem" -subj /CN=dots.example.com -addext subjectAltName=DNS:dots.example.com; }
CMD=(--pki "$PKI" csr sign "$WORK/..csr.pem" --profile server)
EXPECT_EXIT=2
EXPECT_MSG="invalid name '.'"

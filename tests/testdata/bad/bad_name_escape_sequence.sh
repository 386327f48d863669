# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# csr sign --name: a terminal escape sequence (ESC [2J clears the screen). Refused; never printed raw.
DESC='csr sign: --name with a terminal escape sequence'
make_input() { mk_csr "$WORK/e.csr.pem" -subj /CN=e.example.com -addext subjectAltName=DNS:e.example.com; }
CMD=(--pki "$PKI" csr sign "$WORK/e.csr.pem" --profile server --name $'x\e[2J\e[31mowned')
EXPECT_EXIT=2
EXPECT_MSG='invalid name'

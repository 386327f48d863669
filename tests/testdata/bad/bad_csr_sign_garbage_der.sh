# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# csr sign: 2000 random bytes instead of a CSR.
DESC='csr sign: random binary (garbage DER)'
make_input() { head -c 2000 /dev/urandom >"$WORK/garbage.csr.pem"; }
CMD=(--pki "$PKI" csr sign "$WORK/garbage.csr.pem" --profile server)
EXPECT_EXIT=3
EXPECT_MSG='not a certificate request (CSR)'

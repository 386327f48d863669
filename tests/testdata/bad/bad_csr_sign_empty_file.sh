# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='csr sign: empty file'
make_input() { : >"$WORK/empty.csr.pem"; }
CMD=(--pki "$PKI" csr sign "$WORK/empty.csr.pem" --profile server)
EXPECT_EXIT=3
EXPECT_MSG='empty.csr.pem holds no PEM data, not a certificate request (CSR)'

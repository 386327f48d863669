# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# csr sign: a CSR cut off after 300 bytes.
DESC='csr sign: truncated CSR PEM'
make_input() { head -c 300 "$(pki_csr mqtt-server-1)" >"$WORK/trunc.csr.pem"; }
CMD=(--pki "$PKI" csr sign "$WORK/trunc.csr.pem" --profile server)
EXPECT_EXIT=3
EXPECT_MSG='holds a CSR that cannot be parsed'

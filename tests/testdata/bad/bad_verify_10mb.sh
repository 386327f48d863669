# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='verify: 10 MiB file (the chain, then junk)'
make_input() { big_file "$WORK/big.pem" 10 "$(pki_chain mqtt-server-1)"; }
CMD=(--pki "$PKI" verify "$WORK/big.pem")
EXPECT_EXIT=3
EXPECT_MSG='big.pem is too large'

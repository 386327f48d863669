# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# verify: the broker's chain file cut off in the middle of its first certificate.
DESC='verify: a chain file truncated inside the first certificate'
make_input() { head -c 700 "$(pki_chain mqtt-server-1)" >"$WORK/truncated.chain.pem"; }
CMD=(--pki "$PKI" verify "$WORK/truncated.chain.pem")
EXPECT_EXIT=3
EXPECT_MSG='certificate 1 in'

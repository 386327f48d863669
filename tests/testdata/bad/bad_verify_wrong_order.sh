# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# verify: the chain with the intermediate first (a frequent hand-made mistake; many TLS stacks refuse it).
DESC='verify: chain in the wrong order (intermediate first)'
make_input() { cat "$(pki_cert server-ca)" "$(pki_cert mqtt-server-1)" >"$WORK/reversed.chain.pem"; }
CMD=(--pki "$PKI" verify "$WORK/reversed.chain.pem")
EXPECT_EXIT=1
EXPECT_MSG='FAILED: wrong order'

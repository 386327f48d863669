# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# verify: a private key given where the chain is expected (and the key must not be echoed).
DESC='verify: a private key where a chain is expected'
make_input() { cp "$(pki_key mqtt-server-1)" "$WORK/server.pem"; }
CMD=(--pki "$PKI" verify "$WORK/server.pem")
EXPECT_EXIT=3
EXPECT_MSG='server.pem holds a private key, not a certificate'

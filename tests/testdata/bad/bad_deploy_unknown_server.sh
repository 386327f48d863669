# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='deploy: a server that was never issued'
CMD=(--pki "$PKI" deploy nosuch --broker mosquitto --out "$WORK/broker")
EXPECT_EXIT=3
EXPECT_MSG="server 'nosuch' has not been issued"

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='deploy: --port 0'
CMD=(--pki "$PKI" deploy mqtt-server-1 --broker mosquitto --out "$WORK/broker" --port 0)
EXPECT_EXIT=2
EXPECT_MSG='--port must be 1-65535'

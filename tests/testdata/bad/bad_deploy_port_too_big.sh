# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='deploy: --port 70000'
CMD=(--pki "$PKI" deploy mqtt-server-1 --broker nanomq --out "$WORK/broker" --port 70000)
EXPECT_EXIT=2
EXPECT_MSG='--port'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='deploy: no --broker'
CMD=(--pki "$PKI" deploy mqtt-server-1 --out "$WORK/broker")
EXPECT_EXIT=2
EXPECT_MSG='--broker is required'

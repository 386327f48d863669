# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='deploy: --tls 1.1'
CMD=(--pki "$PKI" deploy mqtt-server-1 --broker emqx --out "$WORK/broker" --tls 1.1)
EXPECT_EXIT=2
EXPECT_MSG="unknown --tls '1.1'"

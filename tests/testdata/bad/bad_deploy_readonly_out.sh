# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# deploy --out: a directory inside a read-only file system (root cannot write it either).
DESC='deploy: --out under a read-only directory'
make_input() { ro_dir "$WORK/ro" && echo "# read-only by: $RO_HOW" && EXPECT_MSG=("$RO_ERR"); }
CMD=(--pki "$PKI" deploy mqtt-server-1 --broker mosquitto --out "$WORK/ro/broker")
EXPECT_EXIT=3
EXPECT_MSG='Read-only file system' # or RO_ERR, set by make_input

# shellcheck shell=bash
# deploy --out: a directory inside a read-only file system (root cannot write it either).
DESC='deploy: --out under a read-only directory'
make_input() { ro_dir "$WORK/ro" && echo "# read-only by: $RO_HOW"; }
CMD=(--pki "$PKI" deploy mqtt-server-1 --broker mosquitto --out "$WORK/ro/broker")
EXPECT_EXIT=3
EXPECT_MSG='Read-only file system'

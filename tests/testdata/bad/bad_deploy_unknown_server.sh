# shellcheck shell=bash
DESC='deploy: a server that was never issued'
CMD=(--pki "$PKI" deploy nosuch --broker mosquitto --out "$WORK/broker")
EXPECT_EXIT=3
EXPECT_MSG="server 'nosuch' has not been issued"

# shellcheck shell=bash
DESC='deploy: no --broker'
CMD=(--pki "$PKI" deploy mqtt-server-1 --out "$WORK/broker")
EXPECT_EXIT=2
EXPECT_MSG='--broker is required'

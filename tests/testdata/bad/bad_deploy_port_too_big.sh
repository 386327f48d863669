# shellcheck shell=bash
DESC='deploy: --port 70000'
CMD=(--pki "$PKI" deploy mqtt-server-1 --broker nanomq --out "$WORK/broker" --port 70000)
EXPECT_EXIT=2
EXPECT_MSG='--port'

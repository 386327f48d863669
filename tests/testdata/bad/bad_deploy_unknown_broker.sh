# shellcheck shell=bash
DESC='deploy: --broker bogus'
CMD=(--pki "$PKI" deploy mqtt-server-1 --broker bogus --out "$WORK/broker")
EXPECT_EXIT=2
EXPECT_MSG="unknown --broker 'bogus'"

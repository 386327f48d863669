# shellcheck shell=bash
DESC='revoke: --reason bogus'
CMD=(--pki "$PKI" revoke mqtt-server-1 --reason bogus)
EXPECT_EXIT=2
EXPECT_MSG="unknown --reason 'bogus'"

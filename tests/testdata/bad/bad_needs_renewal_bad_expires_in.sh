# shellcheck shell=bash
DESC="needs-renewal: --expires-in 150%"
CMD=(--pki "$PKI" needs-renewal mqtt-server-1 --expires-in 150%)
EXPECT_EXIT=2
EXPECT_MSG="'150%'"

# shellcheck shell=bash
DESC='probe: --timeout 0'
CMD=(--pki "$PKI" probe 127.0.0.1:1 --timeout 0)
EXPECT_EXIT=2
EXPECT_MSG='--timeout must be'

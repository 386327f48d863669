# shellcheck shell=bash
DESC='probe: --mqtt 4'
CMD=(--pki "$PKI" probe 127.0.0.1:1 --mqtt 4)
EXPECT_EXIT=2
EXPECT_MSG="unknown --mqtt '4'"

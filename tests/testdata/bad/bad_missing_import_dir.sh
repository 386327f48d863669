# shellcheck shell=bash
DESC='import: no DIR'
CMD=(--pki "$PKI" import)
EXPECT_EXIT=2
EXPECT_MSG='DIR is required'

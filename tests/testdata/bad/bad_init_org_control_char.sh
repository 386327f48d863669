# shellcheck shell=bash
DESC='init --force: --org with a control character'
CMD=(--pki "$PKI" init --org $'My\x07Org' --force)
EXPECT_EXIT=2
EXPECT_MSG='organization contains a control character'

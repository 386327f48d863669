# shellcheck shell=bash
DESC="init --force: --country DEU (three letters)"
CMD=(--pki "$PKI" init --country DEU --force)
EXPECT_EXIT=2
EXPECT_MSG="invalid country 'DEU'"

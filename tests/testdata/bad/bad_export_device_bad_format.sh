# shellcheck shell=bash
DESC='export device: --format bogus'
CMD=(--pki "$PKI" export device --out "$WORK/fw" --format bogus)
EXPECT_EXIT=2
EXPECT_MSG="unknown --format 'bogus'"

# shellcheck shell=bash
DESC="list: --expiring 30x"
CMD=(--pki "$PKI" list --expiring 30x)
EXPECT_EXIT=2
EXPECT_MSG="invalid --expiring '30x'"

# shellcheck shell=bash
DESC="server issue: NAME '../x' (path traversal out of the PKI)"
CMD=(--pki "$PKI" server issue ../x --san x.example.com)
EXPECT_EXIT=2
EXPECT_MSG="invalid name '../x'"

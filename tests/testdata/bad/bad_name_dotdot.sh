# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC="server issue: NAME '../x' (path traversal out of the PKI)"
CMD=(--pki "$PKI" server issue ../x --san x.example.com)
EXPECT_EXIT=2
EXPECT_MSG="invalid name '../x'"

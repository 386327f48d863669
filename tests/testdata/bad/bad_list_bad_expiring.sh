# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC="list: --expiring 30x"
CMD=(--pki "$PKI" list --expiring 30x)
EXPECT_EXIT=2
EXPECT_MSG="invalid --expiring '30x'"

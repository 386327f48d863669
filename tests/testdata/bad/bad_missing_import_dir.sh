# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='import: no DIR'
CMD=(--pki "$PKI" import)
EXPECT_EXIT=2
EXPECT_MSG='DIR is required'

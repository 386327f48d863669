# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# revoke NAME|SERIAL: an SQL fragment as the name must match nothing and change nothing.
DESC="revoke: NAME is an SQL fragment (x' OR '1'='1)"
CMD=(--pki "$PKI" revoke "x' OR '1'='1")
EXPECT_EXIT=3
EXPECT_MSG='no certificate named or with serial'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='revoke: a serial that is not in the inventory'
CMD=(--pki "$PKI" revoke 0123456789ABCDEF0123456789ABCDEF01234567)
EXPECT_EXIT=3
EXPECT_MSG="no certificate named or with serial '0123456789ABCDEF0123456789ABCDEF01234567'"

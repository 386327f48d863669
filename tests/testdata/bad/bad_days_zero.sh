# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='server issue: --days 0'
CMD=(--pki "$PKI" server issue s1 --san s1.example.com --days 0)
EXPECT_EXIT=2
EXPECT_MSG="--days must be a positive whole number of days, not '0'"

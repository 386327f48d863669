# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='server issue: --san with a 70-character label'
CMD=(--pki "$PKI" server issue s1 --san "$(printf 'a%.0s' {1..70}).example.com")
EXPECT_EXIT=2
EXPECT_MSG='a DNS label is at most 63 characters'

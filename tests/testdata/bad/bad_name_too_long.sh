# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='server issue: NAME of 300 characters'
CMD=(--pki "$PKI" server issue "$(printf 'a%.0s' {1..300})" --san long.example.com)
EXPECT_EXIT=2
EXPECT_MSG='is longer than 64 characters'

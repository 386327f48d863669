# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='probe: --timeout 0'
CMD=(--pki "$PKI" probe 127.0.0.1:1 --timeout 0)
EXPECT_EXIT=2
EXPECT_MSG='--timeout must be'

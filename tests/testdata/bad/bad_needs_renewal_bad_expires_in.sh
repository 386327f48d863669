# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC="needs-renewal: --expires-in 150%"
CMD=(--pki "$PKI" needs-renewal mqtt-server-1 --expires-in 150%)
EXPECT_EXIT=2
EXPECT_MSG="'150%'"

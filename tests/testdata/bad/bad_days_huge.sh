# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='renew: --days 100000'
CMD=(--pki "$PKI" renew mqtt-server-1 --days 100000)
EXPECT_EXIT=2
EXPECT_MSG='--days 100000 is more than 100 years'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC="crl: --days abc"
CMD=(--pki "$PKI" crl --days abc)
EXPECT_EXIT=2
EXPECT_MSG="--days must be a positive whole number of days, not 'abc'"

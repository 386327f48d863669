# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='ca create: --days -5'
CMD=(--pki "$PKI" ca create ca2 --days -5 --no-passphrase)
EXPECT_EXIT=2
EXPECT_MSG="--days must be a positive whole number of days, not '-5'"

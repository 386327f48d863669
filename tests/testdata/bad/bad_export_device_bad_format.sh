# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='export device: --format bogus'
CMD=(--pki "$PKI" export device --out "$WORK/fw" --format bogus)
EXPECT_EXIT=2
EXPECT_MSG="unknown --format 'bogus'"

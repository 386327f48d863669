# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='revoke: --reason bogus'
CMD=(--pki "$PKI" revoke mqtt-server-1 --reason bogus)
EXPECT_EXIT=2
EXPECT_MSG="unknown --reason 'bogus'"

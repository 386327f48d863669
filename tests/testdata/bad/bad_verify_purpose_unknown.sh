# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='verify: --purpose bogus'
CMD=(--pki "$PKI" verify "$PKI/mqtt-server-1/mqtt-server-1.chain.pem" --purpose bogus)
EXPECT_EXIT=2
EXPECT_MSG="unknown --purpose 'bogus'"

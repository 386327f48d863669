# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='deploy: --broker bogus'
CMD=(--pki "$PKI" deploy mqtt-server-1 --broker bogus --out "$WORK/broker")
EXPECT_EXIT=2
EXPECT_MSG="unknown --broker 'bogus'"

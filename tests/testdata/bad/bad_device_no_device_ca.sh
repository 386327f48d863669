# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='device issue: the PKI has no device CA'
CMD=(--pki "$PKI" device issue sensor-1)
EXPECT_EXIT=3
EXPECT_MSG="there is no CA 'device-ca'"
EXPECT_MSG+=("ca create device-ca --for client")

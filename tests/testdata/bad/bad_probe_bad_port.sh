# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='probe: port 99999'
CMD=(--pki "$PKI" probe 127.0.0.1:99999)
EXPECT_EXIT=2
EXPECT_MSG="invalid port in '127.0.0.1:99999'"

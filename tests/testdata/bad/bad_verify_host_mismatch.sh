# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='verify: --host other.example.com (not in the SANs)'
CMD=(--pki "$PKI" verify "$PKI/mqtt-server-1/mqtt-server-1.chain.pem" --host other.example.com)
EXPECT_EXIT=1
EXPECT_MSG='FAILED: name mismatch'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='verify: the leaf alone (no intermediate) against a root-only bundle'
CMD=(--pki "$PKI" verify "$PKI/mqtt-server-1/certs/mqtt-server-1.cert.pem")
EXPECT_EXIT=1
EXPECT_MSG='FAILED: missing intermediate'

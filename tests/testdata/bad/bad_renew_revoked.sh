# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='renew: the server certificate has been revoked (revocation is final)'
make_input() { "$MQTTPKI" --pki "$PKI" revoke mqtt-server-1 --reason keyCompromise; }
CMD=(--pki "$PKI" renew mqtt-server-1)
EXPECT_EXIT=3
EXPECT_MSG="'mqtt-server-1' has no valid certificate (its latest is revoked)"

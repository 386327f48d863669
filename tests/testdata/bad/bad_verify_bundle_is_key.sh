# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# verify --bundle: the root's private key where the trust bundle is expected.
DESC='verify --bundle: the root key where the CA bundle is expected'
CMD=(--pki "$PKI" verify "$PKI/mqtt-server-1/mqtt-server-1.chain.pem" --bundle "$PKI/root-ca/private/root-ca.key.pem")
EXPECT_EXIT=3
EXPECT_MSG='root-ca.key.pem holds a private key, not a certificate'

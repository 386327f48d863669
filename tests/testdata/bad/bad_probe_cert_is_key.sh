# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# probe --cert/--key: the client key given as the client certificate.
DESC='probe --cert: a private key where the client certificate is expected'
CMD=(--pki "$PKI" probe 127.0.0.1:1 --cert "$PKI/mqtt-server-1/private/mqtt-server-1.key.pem"
     --key "$PKI/mqtt-server-1/private/mqtt-server-1.key.pem" --timeout 2)
EXPECT_EXIT=3
EXPECT_MSG='mqtt-server-1.key.pem holds a private key, not a certificate'

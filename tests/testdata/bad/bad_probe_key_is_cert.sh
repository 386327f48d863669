# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# probe --cert/--key: a certificate given as the client key (checked before any connection).
DESC='probe --key: a certificate where the client key is expected'
CMD=(--pki "$PKI" probe 127.0.0.1:1 --cert "$PKI/mqtt-server-1/certs/mqtt-server-1.cert.pem"
     --key "$PKI/mqtt-server-1/certs/mqtt-server-1.cert.pem" --timeout 2)
EXPECT_EXIT=3
EXPECT_MSG='mqtt-server-1.cert.pem holds a certificate, not a private key'

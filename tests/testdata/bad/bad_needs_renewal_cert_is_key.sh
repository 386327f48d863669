# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# needs-renewal NAME: the server's certificate file holds its private key instead.
DESC='needs-renewal: the certificate file of a server holds a private key'
make_input() { replace_file "$(pki_cert mqtt-server-1)" "$(pki_key mqtt-server-1)"; }
CMD=(--pki "$PKI" needs-renewal mqtt-server-1)
EXPECT_EXIT=3
EXPECT_MSG='mqtt-server-1.cert.pem holds a private key, not a certificate'

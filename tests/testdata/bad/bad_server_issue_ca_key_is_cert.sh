# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# server issue: server-ca's key file holds server-ca's certificate (a certificate where a key is expected).
DESC="server issue: the issuing CA's key file holds a certificate"
make_input() { replace_file "$(pki_key server-ca)" "$(pki_cert server-ca)"; }
CMD=(--pki "$PKI" server issue s1 --san s1.example.com)
EXPECT_EXIT=3
EXPECT_MSG='server-ca.key.pem holds a certificate, not a private key'

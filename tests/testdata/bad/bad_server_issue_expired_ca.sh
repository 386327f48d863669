# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# server issue under an intermediate whose certificate expired (re-signed by the root with the same key and
# subject, valid 2020-2021, put in place of server-ca.cert.pem).
DESC='server issue: the issuing intermediate CA has expired'
make_input() {
    sign_dated "$(pki_csr server-ca)" "$(pki_cert root-ca)" "$(pki_key root-ca)" 20200101000000Z 20210101000000Z \
        $'basicConstraints = critical, CA:TRUE, pathlen:0\nkeyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid' \
        "$T/expired-ca.pem"
    replace_file "$(pki_cert server-ca)" "$T/expired-ca.pem"
}
CMD=(--pki "$PKI" server issue s1 --san s1.example.com)
EXPECT_EXIT=3
EXPECT_MSG='expired on 2021-01-01'

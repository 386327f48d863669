# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# ca create under a root whose certificate expired (the same key and subject, self-signed, valid 2015-2020).
DESC='ca create: the root CA has expired'
make_input() {
    openssl x509 -x509toreq -in "$(pki_cert root-ca)" -signkey "$(pki_key root-ca)" -out "$T/root.csr.pem" 2>/dev/null || return 1
    sign_dated "$T/root.csr.pem" "$(pki_cert root-ca)" "$(pki_key root-ca)" 20150101000000Z 20200101000000Z \
        $'basicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash' \
        "$T/expired-root.pem"
    replace_file "$(pki_cert root-ca)" "$T/expired-root.pem"
}
CMD=(--pki "$PKI" ca create ca2 --no-passphrase)
EXPECT_EXIT=3
EXPECT_MSG='expired on 2020-01-01'

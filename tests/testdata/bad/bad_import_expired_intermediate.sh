# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# import: the tutorial's hand-built PKI, but its intermediate expired (re-signed by its root for 2020-2021). Adopting
# it gives chains no device accepts, and a server certificate that outlives its issuer: import checks "every
# certificate against its issuer" (docs/cli.md) and must refuse, writing nothing.
DESC='import: a hand-built PKI whose intermediate CA has expired'
PKI_SETUP=none
make_input() {
    tutorial_pki "$WORK/ecpki" || return 1
    sign_dated "$WORK/ecpki/server-ca/csr/server-ca.csr.pem" "$WORK/ecpki/root-ca/certs/root-ca.cert.pem" \
        "$WORK/ecpki/root-ca/private/root-ca.key.pem" 20200101000000Z 20210101000000Z \
        $'basicConstraints = critical, CA:TRUE, pathlen:0\nkeyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid' \
        "$T/expired-ca.pem" && cp "$T/expired-ca.pem" "$WORK/ecpki/server-ca/certs/server-ca.cert.pem"
}
CMD=(--pki "$WORK/imported" import "$WORK/ecpki")
EXPECT_EXIT=3
EXPECT_MSG='expired'

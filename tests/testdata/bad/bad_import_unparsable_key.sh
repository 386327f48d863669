# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='import: a hand-built PKI whose intermediate key file is a corrupt PEM'
PKI_SETUP=none
make_input() {
    tutorial_pki "$WORK/ecpki" || return 1
    chmod u+w "$WORK/ecpki/server-ca/private/server-ca.key.pem"
    printf -- '-----BEGIN PRIVATE KEY-----\nAAAAnotakey\n-----END PRIVATE KEY-----\n' >"$WORK/ecpki/server-ca/private/server-ca.key.pem"
}
CMD=(--pki "$WORK/imported" import "$WORK/ecpki")
EXPECT_EXIT=3
EXPECT_MSG='server-ca.key.pem holds a private key that cannot be parsed'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# import: the tutorial's PKI with the root's key in server-ca/private: a key that is not its certificate's.
DESC="import: a hand-built PKI whose intermediate key is the root's"
PKI_SETUP=none
make_input() {
    tutorial_pki "$WORK/ecpki" || return 1
    chmod u+w "$WORK/ecpki/server-ca/private/server-ca.key.pem"
    cp "$WORK/ecpki/root-ca/private/root-ca.key.pem" "$WORK/ecpki/server-ca/private/server-ca.key.pem"
}
CMD=(--pki "$WORK/imported" import "$WORK/ecpki")
EXPECT_EXIT=3
EXPECT_MSG='server-ca.key.pem is not the key of'

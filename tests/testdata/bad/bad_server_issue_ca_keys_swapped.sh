# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# server issue: the root's and server-ca's key files swapped: server-ca's key is not the key of its certificate.
DESC="server issue: the intermediate's key file holds the root's key (keys swapped)"
make_input() {
    cp "$(pki_key root-ca)" "$T/root.key"
    replace_file "$(pki_key root-ca)" "$(pki_key server-ca)" && replace_file "$(pki_key server-ca)" "$T/root.key"
}
CMD=(--pki "$PKI" server issue s1 --san s1.example.com)
EXPECT_EXIT=3
EXPECT_MSG='server-ca.key.pem is not the key of'

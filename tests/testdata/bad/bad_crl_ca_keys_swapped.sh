# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# crl: the root's and server-ca's key files swapped; no CRL may be signed with the wrong key.
DESC="crl: root and intermediate keys swapped"
make_input() {
    cp "$(pki_key root-ca)" "$T/root.key"
    replace_file "$(pki_key root-ca)" "$(pki_key server-ca)" && replace_file "$(pki_key server-ca)" "$T/root.key"
}
CMD=(--pki "$PKI" crl)
EXPECT_EXIT=3
EXPECT_MSG='is not the key of'

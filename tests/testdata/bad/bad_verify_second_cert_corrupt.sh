# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# verify: a chain whose leaf is fine but whose second certificate (the intermediate) has a corrupt body.
DESC='verify: chain with a corrupt second certificate'
make_input() {
    cat "$(pki_cert mqtt-server-1)" >"$WORK/chain.pem"
    printf -- '-----BEGIN CERTIFICATE-----\nMIIBkTCCATegAwIBAgIUZm9vYmFy!!notbase64!!\n-----END CERTIFICATE-----\n' >>"$WORK/chain.pem"
}
CMD=(--pki "$PKI" verify "$WORK/chain.pem")
EXPECT_EXIT=3
EXPECT_MSG='certificate 2 in'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# verify --bundle: another PKI's bundle, whose root has the same name but another key.
DESC="verify: --bundle from another PKI (same root name, other key)"
make_input() { "$MQTTPKI" --pki "$T/other" quickstart --san mqtt.example.com --no-passphrase && cp "$T/other/ca-bundle.pem" "$WORK/other-bundle.pem"; }
CMD=(--pki "$PKI" verify "$PKI/mqtt-server-1/mqtt-server-1.chain.pem" --bundle "$WORK/other-bundle.pem")
EXPECT_EXIT=1
EXPECT_MSG='FAILED: untrusted'

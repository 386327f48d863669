# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='server issue --ca device-ca: a device CA never issues a broker certificate'
make_input() {
    "$MQTTPKI" --pki "$PKI" ca create device-ca --for client --no-passphrase >/dev/null 2>&1
}
CMD=(--pki "$PKI" server issue broker2 --san broker2.example.com --ca device-ca)
EXPECT_EXIT=3
EXPECT_MSG='may issue client (device) certificates only'

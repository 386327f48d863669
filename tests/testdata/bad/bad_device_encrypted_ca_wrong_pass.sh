# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
PKI_SETUP=passphrase
DESC='device issue: wrong passphrase for the device CA key'
make_input() {
    "$MQTTPKI" --pki "$PKI" ca create device-ca --for client --passphrase-file "$PASSFILE" >/dev/null 2>&1
    echo 'not the passphrase' > "$T/wrong"
}
CMD=(--pki "$PKI" device issue sensor-1 --passphrase-file "$T/wrong")
EXPECT_EXIT=3
EXPECT_MSG='wrong passphrase'

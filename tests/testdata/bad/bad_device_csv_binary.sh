# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='device issue --from: a 10 MB binary file'
make_input() {
    "$MQTTPKI" --pki "$PKI" ca create device-ca --for client --no-passphrase >/dev/null 2>&1
    big_file "$WORK/devices.csv" 10
}
CMD=(--pki "$PKI" device issue --from "$WORK/devices.csv")
EXPECT_EXIT=3
EXPECT_MSG='devices.csv line 1:'

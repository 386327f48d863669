# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='device issue --from: a file with only comments'
make_input() {
    "$MQTTPKI" --pki "$PKI" ca create device-ca --for client --no-passphrase >/dev/null 2>&1
    printf '# nothing here\n\n' > "$WORK/devices.csv"
}
CMD=(--pki "$PKI" device issue --from "$WORK/devices.csv")
EXPECT_EXIT=3
EXPECT_MSG='no devices to issue'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='device issue --from: the same id twice'
make_input() {
    "$MQTTPKI" --pki "$PKI" ca create device-ca --for client --no-passphrase >/dev/null 2>&1
    printf 'dev-1\ndev-2\ndev-1\n' > "$WORK/devices.csv"
}
CMD=(--pki "$PKI" device issue --from "$WORK/devices.csv")
EXPECT_EXIT=3
EXPECT_MSG="devices.csv line 3: device 'dev-1' is listed twice"

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='device issue --from: a wildcard SAN'
make_input() {
    "$MQTTPKI" --pki "$PKI" ca create device-ca --for client --no-passphrase >/dev/null 2>&1
    printf 'dev-1,*.example.com\n' > "$WORK/devices.csv"
}
CMD=(--pki "$PKI" device issue --from "$WORK/devices.csv")
EXPECT_EXIT=3
EXPECT_MSG='devices.csv line 1: a device certificate never carries a wildcard name'

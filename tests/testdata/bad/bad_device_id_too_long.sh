# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='device issue: an id of 65 characters'
make_input() {
    "$MQTTPKI" --pki "$PKI" ca create device-ca --for client --no-passphrase >/dev/null 2>&1
}
CMD=(--pki "$PKI" device issue "$(printf 'd%.0s' {1..65})")
EXPECT_EXIT=2
EXPECT_MSG='is longer than 64 characters'

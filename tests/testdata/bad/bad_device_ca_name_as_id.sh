# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='device issue: the id is the name of the server CA'
make_input() {
    "$MQTTPKI" --pki "$PKI" ca create device-ca --for client --no-passphrase >/dev/null 2>&1
}
CMD=(--pki "$PKI" device issue sensor-1 server-ca)
EXPECT_EXIT=3
EXPECT_MSG="'server-ca' is the name of a CA in this PKI"

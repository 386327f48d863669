# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='device issue: id with an escape sequence (control character)'
make_input() {
    "$MQTTPKI" --pki "$PKI" ca create device-ca --for client --no-passphrase >/dev/null 2>&1
}
CMD=(--pki "$PKI" device issue $'dev\e[31m')
EXPECT_EXIT=2
EXPECT_MSG="invalid device id 'dev\\x1b[31m': it contains a control character"

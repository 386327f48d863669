# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC="device issue: id 'fw/../../evil' (path separator)"
make_input() {
    "$MQTTPKI" --pki "$PKI" ca create device-ca --for client --no-passphrase >/dev/null 2>&1
}
CMD=(--pki "$PKI" device issue fw/../../evil)
EXPECT_EXIT=2
EXPECT_MSG="invalid device id 'fw/../../evil': it contains '/'"

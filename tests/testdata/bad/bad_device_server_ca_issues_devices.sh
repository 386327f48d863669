# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='device issue --ca: a CA limited to server certificates'
make_input() {
    "$MQTTPKI" --pki "$PKI" ca create srv-only --for server --no-passphrase >/dev/null 2>&1
}
CMD=(--pki "$PKI" device issue sensor-1 --ca srv-only)
EXPECT_EXIT=3
EXPECT_MSG='lacks clientAuth'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='device issue --archive: not a .tar name'
make_input() {
    "$MQTTPKI" --pki "$PKI" ca create device-ca --for client --no-passphrase >/dev/null 2>&1
}
CMD=(--pki "$PKI" device issue --count 3 --archive "$WORK/batch.zip")
EXPECT_EXIT=2
EXPECT_MSG='--archive names a .tar file'

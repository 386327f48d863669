# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='device sign --csr-dir: a directory without CSRs'
make_input() {
    "$MQTTPKI" --pki "$PKI" ca create device-ca --for client --no-passphrase >/dev/null 2>&1
    mkdir -p "$WORK/csrs"; echo hi > "$WORK/csrs/readme.txt"
}
CMD=(--pki "$PKI" device sign --csr-dir "$WORK/csrs")
EXPECT_EXIT=3
EXPECT_MSG='holds no CSR files'

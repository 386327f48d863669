# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='device sign --csr-dir: a CSR asking for CA:TRUE'
make_input() {
    "$MQTTPKI" --pki "$PKI" ca create device-ca --for client --no-passphrase >/dev/null 2>&1
    mkdir -p "$WORK/csrs"
    mk_csr "$WORK/csrs/a.csr" -subj /CN=dev-a -addext 'basicConstraints=critical,CA:TRUE'
}
CMD=(--pki "$PKI" device sign --csr-dir "$WORK/csrs")
EXPECT_EXIT=3
EXPECT_MSG='asks for basicConstraints CA:TRUE'

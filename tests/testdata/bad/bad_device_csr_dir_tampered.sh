# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='device sign --csr-dir: one CSR of three has a flipped signature bit'
make_input() {
    "$MQTTPKI" --pki "$PKI" ca create device-ca --for client --no-passphrase >/dev/null 2>&1
    mkdir -p "$WORK/csrs"
    mk_csr "$WORK/csrs/a.csr" -subj /CN=dev-a
    mk_csr "$WORK/good.pem" -subj /CN=dev-b
    flip_last_der_byte "$WORK/good.pem" "$WORK/csrs/b.csr" 'CERTIFICATE REQUEST'
    rm -f "$WORK/good.pem"
    mk_csr "$WORK/csrs/c.csr" -subj /CN=dev-c
}
CMD=(--pki "$PKI" device sign --csr-dir "$WORK/csrs")
EXPECT_EXIT=3
EXPECT_MSG='csrs/b.csr'
EXPECT_MSG+=("signature does not verify")

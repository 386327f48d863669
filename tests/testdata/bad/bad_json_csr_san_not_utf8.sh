# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# --json csr sign: a CSR whose dNSName holds the byte 0xFF. Refused (exit 3) with a JSON error object, not a crash.
DESC='--json csr sign: dNSName SAN with a non-UTF-8 byte'
make_input() {
    local h; h=$(printf 'bad\377name.example.com' | od -An -tx1 | tr -d ' \n')
    mk_csr "$WORK/ff.csr.pem" -subj /CN=ff.example.com -addext "subjectAltName=DER:$(san_der_hex 82 "$h")"
}
CMD=(--pki "$PKI" --json csr sign "$WORK/ff.csr.pem" --profile server)
EXPECT_EXIT=3
EXPECT_MSG='asks for a name that is not allowed'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# csr sign: a dNSName with an embedded NUL ("evil.com\0.example.com", the classic certificate-spoofing name). It is
# refused; the message must show the whole name (escaped), not stop at the NUL.
DESC='csr sign: dNSName SAN with an embedded NUL byte'
make_input() {
    local h; h=$(printf 'evil.com\0.example.com' | od -An -tx1 | tr -d ' \n')
    mk_csr "$WORK/nul.csr.pem" -subj /CN=nul.example.com -addext "subjectAltName=DER:$(san_der_hex 82 "$h")"
}
CMD=(--pki "$PKI" csr sign "$WORK/nul.csr.pem" --profile server)
EXPECT_EXIT=3
EXPECT_MSG=("asks for a name that is not allowed" "evil.com")

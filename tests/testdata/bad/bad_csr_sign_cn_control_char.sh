# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# csr sign: a subject CN with an ESC byte (a terminal escape sequence).
DESC='csr sign: subject CN with a control character (ESC)'
make_input() {
    mk_csr "$WORK/cc.csr.pem" -subj "/CN=cc$(printf '\033')[31m.example.com" -addext subjectAltName=DNS:cc.example.com
}
CMD=(--pki "$PKI" csr sign "$WORK/cc.csr.pem" --profile server)
EXPECT_EXIT=3
EXPECT_MSG='has an invalid subject: common name contains a control character'

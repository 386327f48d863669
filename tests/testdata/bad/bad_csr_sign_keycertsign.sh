# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# csr sign: a CSR asking for keyUsage keyCertSign, cRLSign (a CA's usages). Documented policy: ignored, the server
# profile decides (digitalSignature only for an EC key); exit 0 with a warning.
DESC='csr sign: CSR asking for keyCertSign (policy: profile keyUsage, with a warning)'
make_input() {
    mk_csr "$WORK/kcs.csr.pem" -subj /CN=kcs.example.com -addext subjectAltName=DNS:kcs.example.com \
        -addext 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature'
}
CMD=(--pki "$PKI" csr sign "$WORK/kcs.csr.pem" --profile server)
EXPECT_EXIT=0
EXPECT_MSG='the CSR asked for keyUsage; ignored'
EXPECT_CHANGES=1
verify_result() {
    local c=$PKI/kcs/certs/kcs.cert.pem
    ext_is "$c" keyUsage critical "Digital Signature" || return 1
    ext_is "$c" basicConstraints noncritical "CA:FALSE" || return 1
}

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# csr sign: a CSR that asks for keyUsage keyCertSign, a CA's power. Refused (exit 3), nothing written: mqttpki never signs a
# CSR that asks to be a CA, even though the profile would have made it a leaf.
DESC='csr sign: CSR asking for keyCertSign (refused)'
make_input() {
    mk_csr "$WORK/kcs.csr.pem" -subj /CN=kcs.example.com -addext subjectAltName=DNS:kcs.example.com \
        -addext 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature'
}
CMD=(--pki "$PKI" csr sign "$WORK/kcs.csr.pem" --profile server)
EXPECT_EXIT=3
EXPECT_MSG='asks for keyUsage keyCertSign: mqttpki signs leaf certificates from CSRs, never a CA'

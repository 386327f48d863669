# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# csr sign: a CSR that asks for basicConstraints CA:TRUE, a CA's power. Refused (exit 3), nothing written: mqttpki never signs a
# CSR that asks to be a CA, even though the profile would have made it a leaf.
DESC='csr sign: CSR asking for CA:TRUE (refused)'
make_input() {
    mk_csr "$WORK/sneaky.csr.pem" -subj /CN=sneaky.example.com -addext subjectAltName=DNS:sneaky.example.com \
        -addext 'basicConstraints=critical,CA:TRUE'
}
CMD=(--pki "$PKI" csr sign "$WORK/sneaky.csr.pem" --profile server)
EXPECT_EXIT=3
EXPECT_MSG='asks for basicConstraints CA:TRUE: mqttpki signs leaf certificates from CSRs, never a CA'

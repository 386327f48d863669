# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# csr sign: a CSR that asks for basicConstraints CA:TRUE. Documented policy (docs/cli.md, csr sign): signed, but
# nothing it asks for besides subject and SANs is copied; the profile decides. So this hostile input is accepted
# (exit 0) with a warning, and the certificate must be CA:FALSE (judged by openssl).
DESC='csr sign: CSR asking for CA:TRUE (policy: signed as CA:FALSE, with a warning)'
make_input() {
    mk_csr "$WORK/sneaky.csr.pem" -subj /CN=sneaky.example.com -addext subjectAltName=DNS:sneaky.example.com \
        -addext 'basicConstraints=critical,CA:TRUE'
}
CMD=(--pki "$PKI" csr sign "$WORK/sneaky.csr.pem" --profile server)
EXPECT_EXIT=0
EXPECT_MSG='the CSR asked for basicConstraints; ignored'
EXPECT_CHANGES=1
verify_result() {
    local c=$PKI/sneaky/certs/sneaky.cert.pem
    ext_is "$c" basicConstraints noncritical "CA:FALSE" || return 1
    ext_is "$c" keyUsage critical "Digital Signature" || return 1
    if openssl verify -x509_strict -CAfile "$PKI/ca-bundle.pem" -untrusted "$PKI/sneaky/sneaky.chain.pem" \
        -purpose sslserver "$c" >/dev/null 2>&1; then :; else echo "the issued leaf does not verify"; return 1; fi
}

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# csr sign --name server-ca --force: a CA:TRUE CSR aimed at the intermediate's own name (replace the CA).
DESC='csr sign: CA:TRUE CSR signed into the name of the intermediate CA (--name server-ca --force)'
make_input() {
    mk_csr "$WORK/takeover.csr.pem" -subj /CN=takeover.example.com -addext subjectAltName=DNS:takeover.example.com \
        -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign'
}
CMD=(--pki "$PKI" csr sign "$WORK/takeover.csr.pem" --profile server --name server-ca --force)
EXPECT_EXIT=3
EXPECT_MSG="'server-ca' is a CA"

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# csr sign: a CSR with a URI SAN next to a DNS one: must be refused (policy: DNS and IP only), not silently dropped.
DESC='csr sign: SAN URI:https://evil.example.net/ (outside policy)'
make_input() {
    mk_csr "$WORK/u.csr.pem" -subj /CN=u.example.com -addext 'subjectAltName=DNS:u.example.com,URI:https://evil.example.net/'
}
CMD=(--pki "$PKI" csr sign "$WORK/u.csr.pem" --profile server)
EXPECT_EXIT=3
EXPECT_MSG=("asks for a name that is not allowed" "https://evil.example.net/")

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='csr sign: --profile ca (unknown profile)'
make_input() { mk_csr "$WORK/p.csr.pem" -subj /CN=p.example.com -addext subjectAltName=DNS:p.example.com; }
CMD=(--pki "$PKI" csr sign "$WORK/p.csr.pem" --profile ca)
EXPECT_EXIT=2
EXPECT_MSG="unknown --profile 'ca': use server or client"

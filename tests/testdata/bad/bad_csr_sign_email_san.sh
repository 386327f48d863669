# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# csr sign: a CSR whose only SAN is an e-mail address. docs/cli.md: each of the CSR's SANs is "checked like a --san
# value", and --san takes DNS names and IP addresses only; the e-mail SAN must be refused, not silently dropped.
DESC='csr sign: SAN email:a@example.com (outside policy: DNS and IP only)'
make_input() { mk_csr "$WORK/e.csr.pem" -subj /CN=e.example.com -addext 'subjectAltName=email:a@example.com'; }
CMD=(--pki "$PKI" csr sign "$WORK/e.csr.pem" --profile server)
EXPECT_EXIT=3
EXPECT_MSG=("asks for a name that is not allowed" "a@example.com")

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC="csr sign: SAN 'exa mple.com' (space in a DNS name)"
make_input() { mk_csr "$WORK/s.csr.pem" -subj /CN=s.example.com -addext 'subjectAltName=DNS:exa mple.com'; }
CMD=(--pki "$PKI" csr sign "$WORK/s.csr.pem" --profile server)
EXPECT_EXIT=3
EXPECT_MSG=("a DNS name cannot contain spaces" "('exa mple.com')")

# shellcheck shell=bash
DESC='csr create: --san DNS:*.*.example.com'
CMD=(--pki "$PKI" csr create c1 --san 'DNS:*.*.example.com')
EXPECT_EXIT=2
EXPECT_MSG="invalid --san 'DNS:*.*.example.com'"

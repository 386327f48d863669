# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# csr sign --profile server: no SAN and a CN that is no host name: there is nothing to put in the SANs.
DESC='csr sign: server CSR without SANs and with a CN that is not a host name'
make_input() { mk_csr "$WORK/nn.csr.pem" -subj '/CN=Not A Host'; }
CMD=(--pki "$PKI" csr sign "$WORK/nn.csr.pem" --profile server)
EXPECT_EXIT=2
EXPECT_MSG='a server certificate needs at least one --san'

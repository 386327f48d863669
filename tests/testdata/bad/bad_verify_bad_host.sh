# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC="verify: --host 'bad host' (not a host name)"
CMD=(--pki "$PKI" verify "$PKI/mqtt-server-1/mqtt-server-1.chain.pem" --host 'bad host')
EXPECT_EXIT=2
EXPECT_MSG="invalid --host 'bad host'"

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# export device --bundle: the broker's own (leaf) certificate as the devices' trust anchor. A device bundle holds
# CA certificates; a leaf pinned as a trust anchor breaks at the next renewal. Must be refused.
DESC='export device: --bundle is a server (leaf) certificate'
CMD=(--pki "$PKI" export device --out "$WORK/fw" --bundle "$PKI/mqtt-server-1/certs/mqtt-server-1.cert.pem")
EXPECT_EXIT=3
EXPECT_MSG='not a CA certificate'

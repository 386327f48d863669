# shellcheck shell=bash
DESC='verify: --purpose bogus'
CMD=(--pki "$PKI" verify "$PKI/mqtt-server-1/mqtt-server-1.chain.pem" --purpose bogus)
EXPECT_EXIT=2
EXPECT_MSG="unknown --purpose 'bogus'"

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC="probe: --cert and --key that do not belong together"
make_input() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/other.key" 2>/dev/null; }
CMD=(--pki "$PKI" probe 127.0.0.1:1 --cert "$PKI/mqtt-server-1/certs/mqtt-server-1.cert.pem" --key "$WORK/other.key" --timeout 2)
EXPECT_EXIT=3
EXPECT_MSG='the client key does not match the client certificate'

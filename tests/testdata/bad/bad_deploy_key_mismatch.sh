# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# deploy: the server's key file holds another key than its certificate's; a broker would not start.
DESC="deploy: the server's key does not match its certificate"
make_input() {
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/other.key" 2>/dev/null &&
        replace_file "$(pki_key mqtt-server-1)" "$T/other.key"
}
CMD=(--pki "$PKI" deploy mqtt-server-1 --broker mosquitto --out "$WORK/broker")
EXPECT_EXIT=3
EXPECT_MSG='mqtt-server-1.key.pem is not the key of'

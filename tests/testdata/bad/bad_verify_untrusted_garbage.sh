# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='verify: --untrusted is a garbage file'
make_input() { head -c 500 /dev/urandom >"$WORK/junk.pem"; }
CMD=(--pki "$PKI" verify "$PKI/mqtt-server-1/certs/mqtt-server-1.cert.pem" --untrusted "$WORK/junk.pem")
EXPECT_EXIT=3
EXPECT_MSG='junk.pem holds no PEM data'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# inspect: a private key PEM cut off after 150 bytes.
DESC='inspect: truncated private key PEM'
make_input() { head -c 150 "$(pki_key mqtt-server-1)" >"$WORK/trunc.key.pem"; }
CMD=(--pki "$PKI" inspect "$WORK/trunc.key.pem")
EXPECT_EXIT=3
EXPECT_MSG='holds a private key that cannot be parsed'

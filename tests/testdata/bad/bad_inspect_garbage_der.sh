# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# inspect: a DER SEQUENCE header followed by random bytes.
DESC='inspect: garbage DER (a SEQUENCE header, then random bytes)'
make_input() { { printf '\x30\x82\x01\xf4'; head -c 500 /dev/urandom; } >"$WORK/garbage.der"; }
CMD=(--pki "$PKI" inspect "$WORK/garbage.der")
EXPECT_EXIT=3
EXPECT_MSG='is not a DER certificate'

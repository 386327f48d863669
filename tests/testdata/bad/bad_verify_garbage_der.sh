# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# verify: random bytes instead of a chain.
DESC='verify: random binary instead of a chain'
make_input() { head -c 3000 /dev/urandom >"$WORK/garbage.bin"; }
CMD=(--pki "$PKI" verify "$WORK/garbage.bin")
EXPECT_EXIT=3
EXPECT_MSG='holds no PEM data, not a certificate'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# export device --bundle: random bytes; the output directory must not be created.
DESC='export device --bundle: garbage file'
make_input() { head -c 1000 /dev/urandom >"$WORK/garbage.pem"; }
CMD=(--pki "$PKI" export device --out "$WORK/fw" --bundle "$WORK/garbage.pem")
EXPECT_EXIT=3
EXPECT_MSG='garbage.pem holds no PEM data, not a certificate'

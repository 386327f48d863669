# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='inspect: empty file'
make_input() { : >"$WORK/empty.pem"; }
CMD=(--pki "$PKI" inspect "$WORK/empty.pem")
EXPECT_EXIT=3
EXPECT_MSG='empty.pem holds no PEM data'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='verify: empty file'
make_input() { : >"$WORK/empty.pem"; }
CMD=(--pki "$PKI" verify "$WORK/empty.pem")
EXPECT_EXIT=3
EXPECT_MSG='empty.pem holds no PEM data'

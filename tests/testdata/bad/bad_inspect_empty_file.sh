# shellcheck shell=bash
DESC='inspect: empty file'
make_input() { : >"$WORK/empty.pem"; }
CMD=(--pki "$PKI" inspect "$WORK/empty.pem")
EXPECT_EXIT=3
EXPECT_MSG='empty.pem holds no PEM data'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='deploy: --out is a regular file'
make_input() { echo 'not a directory' >"$WORK/afile"; }
CMD=(--pki "$PKI" deploy mqtt-server-1 --broker mosquitto --out "$WORK/afile")
EXPECT_EXIT=3
EXPECT_MSG='Not a directory'

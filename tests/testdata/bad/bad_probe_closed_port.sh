# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# probe: nothing listens on the port. Documented: exit 1 (the check said no), last line "FAILED (tcp): ...".
DESC='probe: a closed port (exit 1, FAILED (tcp))'
make_input() { PORT=$(free_port); CMD=(--pki "$PKI" probe "127.0.0.1:$PORT" --timeout 3); }
EXPECT_EXIT=1
EXPECT_MSG=('FAILED (tcp):' 'refused')

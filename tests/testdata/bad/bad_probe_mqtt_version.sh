# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='probe: --mqtt 4'
CMD=(--pki "$PKI" probe 127.0.0.1:1 --mqtt 4)
EXPECT_EXIT=2
EXPECT_MSG="unknown --mqtt '4'"

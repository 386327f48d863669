# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='init --force: --org with a control character'
CMD=(--pki "$PKI" init --org $'My\x07Org' --force)
EXPECT_EXIT=2
EXPECT_MSG='organization contains a control character'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC="init --force: --country DEU (three letters)"
CMD=(--pki "$PKI" init --country DEU --force)
EXPECT_EXIT=2
EXPECT_MSG="invalid country 'DEU'"

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# server issue --san: a terminal escape sequence inside the value. Refused; never printed raw.
DESC='server issue: --san with a terminal escape sequence'
CMD=(--pki "$PKI" server issue s1 --san $'a\e[31mb.example.com')
EXPECT_EXIT=2
EXPECT_MSG='invalid --san'

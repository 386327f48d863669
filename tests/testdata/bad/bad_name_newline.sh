# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# server issue: a NAME with a newline. Refused; the message must not reproduce the newline raw (a forged second
# line in a log), but escaped.
DESC='server issue: NAME with a newline'
CMD=(--pki "$PKI" server issue $'a\nmqttpki: error: forged' --san x.example.com)
EXPECT_EXIT=2
EXPECT_MSG='invalid name'
EXPECT_MSG_NOT=($'\nmqttpki: error: forged')

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# csr create: a NAME with \x01. Refused; the byte must not be printed raw.
DESC='csr create: NAME with a control character (\x01)'
CMD=(--pki "$PKI" csr create $'dev\x01ice' --san x.example.com)
EXPECT_EXIT=2
EXPECT_MSG='invalid name'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='revoke: the root CA'
CMD=(--pki "$PKI" revoke root-ca --reason keyCompromise)
EXPECT_EXIT=3
EXPECT_MSG='the root CA cannot be revoked'

# shellcheck shell=bash
DESC='revoke: the root CA'
CMD=(--pki "$PKI" revoke root-ca --reason keyCompromise)
EXPECT_EXIT=3
EXPECT_MSG='the root CA cannot be revoked'

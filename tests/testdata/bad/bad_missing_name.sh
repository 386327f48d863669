# shellcheck shell=bash
DESC='ca create: no NAME'
CMD=(--pki "$PKI" ca create --no-passphrase)
EXPECT_EXIT=2
EXPECT_MSG='NAME is required'

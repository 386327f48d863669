# shellcheck shell=bash
DESC="ca create: NAME 'a/b' (path separator)"
CMD=(--pki "$PKI" ca create a/b --no-passphrase)
EXPECT_EXIT=2
EXPECT_MSG="invalid name 'a/b'"

# shellcheck shell=bash
DESC='server issue: NAME of 300 characters'
CMD=(--pki "$PKI" server issue "$(printf 'a%.0s' {1..300})" --san long.example.com)
EXPECT_EXIT=2
EXPECT_MSG='is longer than 64 characters'

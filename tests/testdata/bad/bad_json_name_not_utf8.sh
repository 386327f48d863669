# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# --json server issue: a NAME with a byte that is not UTF-8 (0xFF). Refused with exit 2 and a JSON error object,
# not a crash while writing the JSON.
DESC='--json server issue: NAME with a non-UTF-8 byte'
CMD=(--pki "$PKI" --json server issue $'a\xffb' --san x.example.com)
EXPECT_EXIT=2
EXPECT_MSG='invalid name'

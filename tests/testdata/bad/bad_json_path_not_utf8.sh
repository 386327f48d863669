# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# --json verify: a file name with a byte that is not UTF-8 (0xFF) that does not exist: exit 3 and a JSON error
# object, not a crash.
DESC='--json verify: missing file whose name is not UTF-8'
CMD=(--pki "$PKI" --json verify "$WORK/"$'chain\xff.pem')
EXPECT_EXIT=3
EXPECT_MSG='does not exist'

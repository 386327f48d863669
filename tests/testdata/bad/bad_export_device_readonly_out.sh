# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='export device: --out is a read-only directory'
make_input() { ro_dir "$WORK/ro" && echo "# read-only by: $RO_HOW" && EXPECT_MSG=("$RO_ERR"); }
CMD=(--pki "$PKI" export device --out "$WORK/ro" --format pem --format der --format c-header)
EXPECT_EXIT=3
EXPECT_MSG='Read-only file system' # or RO_ERR, set by make_input

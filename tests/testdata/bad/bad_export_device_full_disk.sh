# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# export device --out: a directory on a file system with no space left; nothing (no temporary file, no directory)
# may be left behind.
DESC='export device: --out on a full file system'
make_input() { full_dir "$WORK/full"; }
CMD=(--pki "$PKI" export device --out "$WORK/full/fw")
EXPECT_EXIT=3
EXPECT_MSG='No space left on device'

# shellcheck shell=bash
DESC='export device: --out is a read-only directory'
make_input() { ro_dir "$WORK/ro" && echo "# read-only by: $RO_HOW"; }
CMD=(--pki "$PKI" export device --out "$WORK/ro" --format pem --format der --format c-header)
EXPECT_EXIT=3
EXPECT_MSG='Read-only file system'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# server issue: the whole PKI directory is read-only (a read-only bind mount: e.g. a backup, or the offline root's
# medium mounted read-only). Refused, with the cause named ("Read-only file system"), not a generic database error.
DESC='server issue: the PKI directory is on a read-only file system'
make_input() { ro_bind "$PKI" && echo "# read-only by: $RO_HOW"; }
CMD=(--pki "$PKI" server issue s1 --san s1.example.com)
EXPECT_EXIT=3
EXPECT_MSG='Read-only file system'

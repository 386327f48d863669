# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# server issue: the PKI lives on a file system that is full. Refused with the cause named ("No space left on
# device") and nothing left behind (no inventory.db-wal/-shm either).
DESC='server issue: the PKI directory is on a full file system'
make_input() {
    full_dir "$WORK/fs" 1024 nofill || return 1
    cp -a "$PKI" "$WORK/fs/pki" && full_fill "$WORK/fs"
}
CMD=(--pki "$WORK/fs/pki" server issue s1 --san s1.example.com)
EXPECT_EXIT=3
EXPECT_MSG='No space left on device'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# server issue while another process holds a write lock on inventory.db. The inventory's busy timeout is 30 s and
# cannot be shortened, so this case takes 30 s; it must then fail (exit 3, "locked"), having written nothing.
DESC='server issue: inventory.db write-locked by another process (30 s busy timeout)'
TIMEOUT=90
make_input() { hold_db_lock "$PKI/inventory.db"; }
CMD=(--pki "$PKI" server issue s1 --san s1.example.com)
EXPECT_EXIT=3
EXPECT_MSG='inventory.db is locked'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# server issue while another process holds a write lock on inventory.db. mqttpki waits for the lock for
# $MQTTPKI_LOCK_TIMEOUT seconds (default 30; 2 here, so the case is quick), then must fail (exit 3, "locked",
# without claiming the holder is another mqttpki: it cannot know), having written nothing.
DESC='server issue: inventory.db write-locked by another process (MQTTPKI_LOCK_TIMEOUT=2)'
TIMEOUT=30
make_input() { hold_db_lock "$PKI/inventory.db"; }
CMD=(--pki "$PKI" server issue s1 --san s1.example.com)
ENV=(MQTTPKI_LOCK_TIMEOUT=2)
EXPECT_EXIT=3
EXPECT_MSG=('inventory.db is locked by another process' 'waited 2 s')
EXPECT_MSG_NOT=('mqttpki process')

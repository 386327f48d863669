# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='server issue: inventory.db from a newer mqttpki (PRAGMA user_version = 99)'
make_input() { sqlite3 "$PKI/inventory.db" 'PRAGMA user_version = 99'; }
CMD=(--pki "$PKI" server issue s1 --san s1.example.com)
EXPECT_EXIT=3
EXPECT_MSG='was written by a newer mqttpki (schema 99)'

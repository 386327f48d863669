# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC="list: inventory.db is someone else's SQLite database"
make_input() { rm -f "$PKI/inventory.db" && sqlite3 "$PKI/inventory.db" 'CREATE TABLE notes (id INTEGER, text TEXT)'; }
CMD=(--pki "$PKI" list)
EXPECT_EXIT=3
EXPECT_MSG='is an SQLite database, but not an mqttpki inventory'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='revoke: inventory.db is 8 KiB of random bytes'
make_input() { head -c 8192 /dev/urandom >"$PKI/inventory.db"; }
CMD=(--pki "$PKI" revoke mqtt-server-1)
EXPECT_EXIT=3
EXPECT_MSG='inventory.db is corrupt or not an SQLite database'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# bundle --with-intermediate --ca mqtt-server-1: a server (leaf) certificate would go into ca-bundle.pem as the
# "intermediate". Must be refused.
DESC='bundle --with-intermediate: --ca names a server (leaf) certificate'
CMD=(--pki "$PKI" bundle --with-intermediate --ca mqtt-server-1 --force)
EXPECT_EXIT=3
EXPECT_MSG='not a CA certificate'

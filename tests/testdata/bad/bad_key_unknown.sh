# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='server issue: --key ec-p521 (unsupported key type)'
CMD=(--pki "$PKI" server issue s1 --san s1.example.com --key ec-p521)
EXPECT_EXIT=2
EXPECT_MSG="unknown key type 'ec-p521'"

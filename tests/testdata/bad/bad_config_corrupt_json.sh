# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='server issue: mqttpki.json is truncated JSON'
make_input() { echo '{"organization": ' >"$PKI/mqttpki.json"; }
CMD=(--pki "$PKI" server issue s1 --san s1.example.com)
EXPECT_EXIT=3
EXPECT_MSG='mqttpki.json is not valid JSON'

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='server issue: the issuing CA has been revoked'
make_input() { "$MQTTPKI" --pki "$PKI" revoke server-ca --reason keyCompromise; }
CMD=(--pki "$PKI" server issue s1 --san s1.example.com)
EXPECT_EXIT=3
EXPECT_MSG="the CA 'server-ca' was revoked"

# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC="server issue: --san IP:1.2.3"
CMD=(--pki "$PKI" server issue s1 --san IP:1.2.3)
EXPECT_EXIT=2
EXPECT_MSG="invalid --san 'IP:1.2.3': not a valid IPv4 or IPv6 address"

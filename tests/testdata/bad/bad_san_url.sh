# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# a URL where a host name is expected.
DESC='quickstart: --san https://mqtt.example.com:8883 (a URL, not a host)'
PKI_SETUP=none
CMD=(--pki "$WORK/new" quickstart --san https://mqtt.example.com:8883 --no-passphrase)
EXPECT_EXIT=2
EXPECT_MSG="invalid --san 'https://mqtt.example.com:8883'"

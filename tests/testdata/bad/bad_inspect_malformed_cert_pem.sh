# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# inspect: a CERTIFICATE block whose body is not base64.
DESC='inspect: malformed certificate PEM (body not base64)'
make_input() { printf -- '-----BEGIN CERTIFICATE-----\nMIIB%%%%not*base64\n-----END CERTIFICATE-----\n' >"$WORK/malformed.pem"; }
CMD=(--pki "$PKI" inspect "$WORK/malformed.pem")
EXPECT_EXIT=3
EXPECT_MSG='cannot be parsed (truncated or corrupt PEM?)'

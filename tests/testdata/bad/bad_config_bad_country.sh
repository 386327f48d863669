# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# server issue: mqttpki.json (written by hand) has a three-letter country. The bad value is in a file, not on the
# command line: exit 3 (bad input), and the message names mqttpki.json so the operator knows where to fix it.
DESC="server issue: mqttpki.json has country 'DEUX'"
make_input() {
    printf '{\n  "country": "DEUX",\n  "org_unit": "PKI",\n  "organization": "mqttpki"\n}\n' >"$PKI/mqttpki.json"
}
CMD=(--pki "$PKI" server issue s1 --san s1.example.com)
EXPECT_EXIT=3
EXPECT_MSG=("'DEUX'" 'mqttpki.json')

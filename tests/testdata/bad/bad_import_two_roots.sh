# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
DESC='import: two self-signed roots in one directory'
PKI_SETUP=none
make_input() {
    tutorial_pki "$WORK/ecpki" || return 1
    mkdir -p "$WORK/ecpki/other-root/certs" "$WORK/ecpki/other-root/private"
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj '/CN=Other Root' \
        -keyout "$WORK/ecpki/other-root/private/other-root.key.pem" -out "$WORK/ecpki/other-root/certs/other-root.cert.pem" 2>/dev/null
}
CMD=(--pki "$WORK/imported" import "$WORK/ecpki")
EXPECT_EXIT=3
EXPECT_MSG='2 self-signed CA certificates; exactly one root is needed'

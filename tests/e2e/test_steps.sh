#!/usr/bin/env bash
# The tutorial step by step: init, root create, ca create, server issue (EC and RSA), key types, --days/--cn,
# subject defaults, bundle, and the tutorial's own openssl sanity checks.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

P=$T/pki
PP=$T/pass.txt
mk_passfile "$PP" "correct horse battery staple"

expect_exit 0 "init --org 'My IoT Cloud' --country DE --ou PKI" \
    "$MQTTPKI" --pki "$P" init --org "My IoT Cloud" --country DE --ou PKI
check "mqttpki.json written" test -f "$P/mqttpki.json"
check "mqttpki.json is valid JSON" bash -c "python3 -c 'import json,sys; json.load(sys.stdin)' < '$P/mqttpki.json'"
check "mqttpki.json records the org" grep -qF "My IoT Cloud" "$P/mqttpki.json"

expect_exit 0 "root create --passphrase-file" "$MQTTPKI" --pki "$P" root create --passphrase-file "$PP"
ROOT=$P/root-ca/certs/root-ca.cert.pem
ROOTKEY=$P/root-ca/private/root-ca.key.pem
check "root key encrypted PKCS#8" first_line_is "$ROOTKEY" "-----BEGIN ENCRYPTED PRIVATE KEY-----"
check "root key mode 0400" mode_is "$ROOTKEY" 400
check "root key opens with the passphrase (openssl pkey -passin file:)" \
    openssl pkey -in "$ROOTKEY" -passin "file:$PP" -noout
check "root key matches root cert" pubkeys_match "$ROOT" "$ROOTKEY" "file:$PP"
check_root_profile "$ROOT" root
check "root: default CN '<org> Root CA'" subject_has "$ROOT" "CN=My IoT Cloud Root CA"
check "root: 3650 days" validity_days_is "$ROOT" 3650

expect_exit 0 "ca create server-ca" "$MQTTPKI" --pki "$P" ca create server-ca --passphrase-file "$PP"
CA=$P/server-ca/certs/server-ca.cert.pem
CAKEY=$P/server-ca/private/server-ca.key.pem
check "server-ca key encrypted PKCS#8" first_line_is "$CAKEY" "-----BEGIN ENCRYPTED PRIVATE KEY-----"
check "server-ca key mode 0400" mode_is "$CAKEY" 400
check "server-ca key opens with the passphrase" openssl pkey -in "$CAKEY" -passin "file:$PP" -noout
check "server-ca CSR at server-ca/csr/server-ca.csr.pem" csr_sig_ok "$P/server-ca/csr/server-ca.csr.pem"
check_intermediate_profile "$CA" "$ROOT" server-ca
check "server-ca: default CN '<org> MQTT Server CA'" subject_has "$CA" "CN=My IoT Cloud MQTT Server CA"
check "server-ca: 1825 days" validity_days_is "$CA" 1825

expect_exit 0 "server issue mqtt-server-1 --san mqtt.example.com --san 10.0.0.5" \
    "$MQTTPKI" --pki "$P" server issue mqtt-server-1 --san mqtt.example.com --san 10.0.0.5 --passphrase-file "$PP"
S1=$P/mqtt-server-1/certs/mqtt-server-1.cert.pem
S1KEY=$P/mqtt-server-1/private/mqtt-server-1.key.pem
S1CHAIN=$P/mqtt-server-1/mqtt-server-1.chain.pem
check "server key unencrypted by default" first_line_is "$S1KEY" "-----BEGIN PRIVATE KEY-----"
check "server key mode 0400" mode_is "$S1KEY" 400
check "server key matches cert" pubkeys_match "$S1" "$S1KEY"
check "server CSR kept at mqtt-server-1/csr/" csr_sig_ok "$P/mqtt-server-1/csr/mqtt-server-1.csr.pem"
check_leaf_profile "$S1" "$CA" server ec mqtt-server-1
check "mqtt-server-1: SAN exactly mqtt.example.com + 10.0.0.5" san_is "$S1" "DNS:mqtt.example.com" "IP Address:10.0.0.5"
check "mqtt-server-1: CN = first SAN" test "$(subject_cn "$S1")" = mqtt.example.com
check "mqtt-server-1: 365 days" validity_days_is "$S1" 365
check "mqtt-server-1: chain = leaf, server-ca" bash -c \
    "[ \$(grep -c 'BEGIN CERTIFICATE' '$S1CHAIN') = 2 ]"
split_pem "$S1CHAIN" "$T/s1chain-" >/dev/null
check "mqtt-server-1: chain cert 1 is the leaf" same_cert "$T/s1chain-1.pem" "$S1"
check "mqtt-server-1: chain cert 2 is server-ca" same_cert "$T/s1chain-2.pem" "$CA"

# subject defaults from init (the OU goes on the CA certificates; the leaf subject is C, O, CN as in the tutorial)
for c in "$ROOT" "$CA" "$S1"; do
    for rdn in "C=DE" "O=My IoT Cloud"; do
        check "${c##*/}: subject has $rdn (from init)" subject_has "$c" "$rdn"
    done
done
for c in "$ROOT" "$CA"; do
    check "${c##*/}: subject has OU=PKI (from init)" subject_has "$c" "OU=PKI"
done

# --- bundle (root only), then the tutorial's sanity checks verbatim ------------------------------------------
expect_exit 0 "bundle --force (root only)" "$MQTTPKI" --pki "$P" bundle --force
check "bundle: 1 certificate" test "$(cert_count "$P/ca-bundle.pem")" = 1
check "bundle: the root" same_cert "$P/ca-bundle.pem" "$ROOT"

sanity() { # FILE: the tutorial's 5.1 / 6.2 command, run from the PKI directory, must print "FILE: OK"
    local out
    out=$(cd "$P" && openssl verify \
        -CAfile ca-bundle.pem \
        -untrusted server-ca/certs/server-ca.cert.pem \
        "$1" 2>&1)
    [ "$out" = "$1: OK" ] && return 0
    echo "$out"; return 1
}
check "tutorial 5.1 sanity check prints 'mqtt-server-1/mqtt-server-1.chain.pem: OK'" sanity mqtt-server-1/mqtt-server-1.chain.pem
check "tutorial 6.2 sanity check prints 'mqtt-server-1/certs/mqtt-server-1.cert.pem: OK'" sanity mqtt-server-1/certs/mqtt-server-1.cert.pem
check "tutorial 3.3: server-ca Issuer is the root" bash -c \
    "cd '$P' && openssl x509 -in server-ca/certs/server-ca.cert.pem -noout -text | grep -i 'Issuer:' | grep -q 'CN = My IoT Cloud Root CA'"
check "tutorial 5: the chain loop shows 2 certificates" bash -c \
    "cd '$P' && [ \$( (while openssl x509 -noout -text; do :; done < mqtt-server-1/mqtt-server-1.chain.pem) 2>/dev/null | grep -c '^Certificate:') = 2 ]"
check "tutorial 4.3: SAN grep shows the names" bash -c \
    "cd '$P' && openssl x509 -in mqtt-server-1/certs/mqtt-server-1.cert.pem -noout -text | grep -A1 'Subject Alternative Name' | grep -q 'DNS:mqtt.example.com'"
check "openssl verify -x509_strict -verify_hostname" ossl_verify "$P/ca-bundle.pem" "$S1CHAIN" -verify_hostname mqtt.example.com
check "openssl verify -x509_strict -verify_ip" ossl_verify "$P/ca-bundle.pem" "$S1CHAIN" -verify_ip 10.0.0.5
check "certtool accepts" certtool_verify "$P/ca-bundle.pem" "$S1CHAIN" mqtt.example.com

# --- bundle --with-intermediate ------------------------------------------------------------------------------
snapshot "$P"
expect_exit 3 "bundle --with-intermediate over an existing bundle without --force" \
    "$MQTTPKI" --pki "$P" bundle --with-intermediate
assert_unchanged "$P" "refused bundle changed nothing"
expect_exit 0 "bundle --with-intermediate --force" "$MQTTPKI" --pki "$P" bundle --with-intermediate --force
check "bundle --with-intermediate: 2 certificates" test "$(cert_count "$P/ca-bundle.pem")" = 2
split_pem "$P/ca-bundle.pem" "$T/bundle-" >/dev/null
check "bundle --with-intermediate: intermediate first" same_cert "$T/bundle-1.pem" "$CA"
check "bundle --with-intermediate: then the root" same_cert "$T/bundle-2.pem" "$ROOT"
check "openssl verify with the 2-cert bundle" ossl_verify "$P/ca-bundle.pem" "$S1CHAIN" -verify_hostname mqtt.example.com
expect_exit 0 "bundle --force back to root only" "$MQTTPKI" --pki "$P" bundle --force
check "bundle back to 1 certificate" test "$(cert_count "$P/ca-bundle.pem")" = 1

# --- RSA server: keyEncipherment (tutorial section 10) -----------------------------------------------------------
expect_exit 0 "server issue mqtt-server-2 --key rsa-2048" \
    "$MQTTPKI" --pki "$P" server issue mqtt-server-2 --key rsa-2048 --san mqtt2.example.com --passphrase-file "$PP"
S2=$P/mqtt-server-2/certs/mqtt-server-2.cert.pem
check "mqtt-server-2: RSA 2048" test "$(pubkey_bits "$S2")" = 2048
check "mqtt-server-2: rsaEncryption" test "$(pubkey_alg "$S2")" = rsaEncryption
check_leaf_profile "$S2" "$CA" server rsa mqtt-server-2
check "mqtt-server-2: signed by the EC CA with ecdsa-with-SHA256" test "$(sigalg_of "$S2")" = ecdsa-with-SHA256
check "mqtt-server-2: openssl verify" ossl_verify "$P/ca-bundle.pem" "$P/mqtt-server-2/mqtt-server-2.chain.pem" -verify_hostname mqtt2.example.com
check "mqtt-server-2: certtool" certtool_verify "$P/ca-bundle.pem" "$P/mqtt-server-2/mqtt-server-2.chain.pem" mqtt2.example.com
check "mqtt-server-2: key is RSA 2048 (openssl pkey)" bash -c \
    "openssl pkey -in '$P/mqtt-server-2/private/mqtt-server-2.key.pem' -noout -text | head -n1 | grep -q '2048 bit'"

# --- other key types -------------------------------------------------------------------------------------------
expect_exit 0 "ca create p384-ca --key ec-p384" \
    "$MQTTPKI" --pki "$P" ca create p384-ca --key ec-p384 --cn "P384 Server CA" --passphrase-file "$PP"
C384=$P/p384-ca/certs/p384-ca.cert.pem
check "p384-ca: EC P-384" test "$(curve_of "$C384")" = P-384
check "p384-ca: signed by the P-256 root with SHA-256" test "$(sigalg_of "$C384")" = ecdsa-with-SHA256
check "p384-ca: --cn honoured" test "$(subject_cn "$C384")" = "P384 Server CA"
check_intermediate_profile "$C384" "$ROOT" p384-ca
expect_exit 0 "server issue s384 --ca p384-ca --key ec-p384" \
    "$MQTTPKI" --pki "$P" server issue s384 --ca p384-ca --key ec-p384 --san s384.example.com --passphrase-file "$PP"
S384=$P/s384/certs/s384.cert.pem
check "s384: EC P-384" test "$(curve_of "$S384")" = P-384
check "s384: signature ecdsa-with-SHA384 (P-384 CA)" test "$(sigalg_of "$S384")" = ecdsa-with-SHA384
check_leaf_profile "$S384" "$C384" server ec s384
check "s384: chain = leaf + p384-ca" bash -c "[ \$(grep -c 'BEGIN CERTIFICATE' '$P/s384/s384.chain.pem') = 2 ]"
check "s384: openssl verify" ossl_verify "$P/ca-bundle.pem" "$P/s384/s384.chain.pem" -verify_hostname s384.example.com
check "s384: certtool" certtool_verify "$P/ca-bundle.pem" "$P/s384/s384.chain.pem" s384.example.com
expect_exit 0 "bundle --with-intermediate --ca p384-ca --force" \
    "$MQTTPKI" --pki "$P" bundle --with-intermediate --ca p384-ca --force
split_pem "$P/ca-bundle.pem" "$T/b384-" >/dev/null
check "bundle --ca p384-ca: 2 certificates" test "$(cert_count "$P/ca-bundle.pem")" = 2
check "bundle --ca p384-ca: p384-ca first" same_cert "$T/b384-1.pem" "$C384"
check "bundle --ca p384-ca: then the root" same_cert "$T/b384-2.pem" "$ROOT"
expect_exit 0 "bundle --force back to root only (2)" "$MQTTPKI" --pki "$P" bundle --force
check "bundle back to 1 certificate (2)" test "$(cert_count "$P/ca-bundle.pem")" = 1

expect_exit 0 "server issue s3072 --key rsa-3072" \
    "$MQTTPKI" --pki "$P" server issue s3072 --key rsa-3072 --san s3072.example.com --passphrase-file "$PP"
S3072=$P/s3072/certs/s3072.cert.pem
check "s3072: RSA 3072" test "$(pubkey_bits "$S3072")" = 3072
check "s3072: keyUsage critical digitalSignature, keyEncipherment" ext_is "$S3072" keyUsage critical "Digital Signature, Key Encipherment"
check "s3072: openssl verify" ossl_verify "$P/ca-bundle.pem" "$P/s3072/s3072.chain.pem" -verify_hostname s3072.example.com

# rsa-4096 once (slow keygen): an RSA CA, and a server under it signed with sha256WithRSAEncryption
expect_exit 0 "ca create rsa-ca --key rsa-4096" \
    "$MQTTPKI" --pki "$P" ca create rsa-ca --key rsa-4096 --cn "RSA Server CA" --passphrase-file "$PP"
CRSA=$P/rsa-ca/certs/rsa-ca.cert.pem
check "rsa-ca: RSA 4096" test "$(pubkey_bits "$CRSA")" = 4096
check_intermediate_profile "$CRSA" "$ROOT" rsa-ca
expect_exit 0 "server issue srsa --ca rsa-ca" \
    "$MQTTPKI" --pki "$P" server issue srsa --ca rsa-ca --san srsa.example.com --passphrase-file "$PP"
SRSA=$P/srsa/certs/srsa.cert.pem
check "srsa: signature sha256WithRSAEncryption" test "$(sigalg_of "$SRSA")" = sha256WithRSAEncryption
check "srsa: EC key gets digitalSignature only" ext_is "$SRSA" keyUsage critical "Digital Signature"
check "srsa: openssl verify" ossl_verify "$P/ca-bundle.pem" "$P/srsa/srsa.chain.pem" -verify_hostname srsa.example.com
check "srsa: certtool" certtool_verify "$P/ca-bundle.pem" "$P/srsa/srsa.chain.pem" srsa.example.com

# --- --days and --cn --------------------------------------------------------------------------------------------
expect_exit 0 "server issue sdays --days 30 --cn custom.example.com" \
    "$MQTTPKI" --pki "$P" server issue sdays --days 30 --cn custom.example.com --san other.example.com --passphrase-file "$PP"
SD=$P/sdays/certs/sdays.cert.pem
check "sdays: 30 days" validity_days_is "$SD" 30
check "sdays: CN = custom.example.com" test "$(subject_cn "$SD")" = custom.example.com
check "sdays: CN copied into SAN" san_is "$SD" "DNS:custom.example.com" "DNS:other.example.com"
check "sdays: openssl verify for the CN name" ossl_verify "$P/ca-bundle.pem" "$P/sdays/sdays.chain.pem" -verify_hostname custom.example.com
check "sdays: openssl verify for the SAN name" ossl_verify "$P/ca-bundle.pem" "$P/sdays/sdays.chain.pem" -verify_hostname other.example.com

expect_exit 0 "server issue sip --san 192.0.2.7 (IP first SAN becomes CN)" \
    "$MQTTPKI" --pki "$P" server issue sip --san 192.0.2.7 --san IP:192.0.2.8 --san DNS:sip.example.com --passphrase-file "$PP"
SIP=$P/sip/certs/sip.cert.pem
check "sip: CN = 192.0.2.7" test "$(subject_cn "$SIP")" = 192.0.2.7
check "sip: IP:/DNS: prefixes accepted" san_is "$SIP" "IP Address:192.0.2.7" "IP Address:192.0.2.8" "DNS:sip.example.com"
check "sip: openssl -verify_ip 192.0.2.8" ossl_verify "$P/ca-bundle.pem" "$P/sip/sip.chain.pem" -verify_ip 192.0.2.8

expect_exit 0 "server issue scnip --cn 192.0.2.9 --san a.example.com (an IP CN goes into the SANs)" \
    "$MQTTPKI" --pki "$P" server issue scnip --cn 192.0.2.9 --san a.example.com --passphrase-file "$PP"
check "scnip: SAN = a.example.com + IP 192.0.2.9" san_is "$P/scnip/certs/scnip.cert.pem" "DNS:a.example.com" "IP Address:192.0.2.9"
check "scnip: openssl -verify_ip 192.0.2.9" ossl_verify "$P/ca-bundle.pem" "$P/scnip/scnip.chain.pem" -verify_ip 192.0.2.9

expect_exit 0 "server issue sv6 --san mqtt6.example.com --san 2001:db8::1 (IPv6)" \
    "$MQTTPKI" --pki "$P" server issue sv6 --san mqtt6.example.com --san 2001:db8::1 --passphrase-file "$PP"
check "sv6: IPv6 SAN" san_is "$P/sv6/certs/sv6.cert.pem" "DNS:mqtt6.example.com" "IP Address:2001:DB8:0:0:0:0:0:1"
check "sv6: openssl -verify_ip 2001:db8::1" ossl_verify "$P/ca-bundle.pem" "$P/sv6/sv6.chain.pem" -verify_ip 2001:db8::1
check "sv6: certtool accepts mqtt6.example.com" certtool_verify "$P/ca-bundle.pem" "$P/sv6/sv6.chain.pem" mqtt6.example.com

expect_exit 0 "--json server issue" \
    "$MQTTPKI" --pki "$P" --json server issue sjson --san sjson.example.com --passphrase-file "$PP"
check "--json server issue prints valid JSON on stdout" is_json "$OUT_STDOUT"
check "--json server issue: cert written" test -f "$P/sjson/certs/sjson.cert.pem"

expect_exit 0 "ca create days-ca --days 400" \
    "$MQTTPKI" --pki "$P" ca create days-ca --days 400 --passphrase-file "$PP"
check "days-ca: 400 days" validity_days_is "$P/days-ca/certs/days-ca.cert.pem" 400

# --- --encrypt-key for a server key --------------------------------------------------------------------------
expect_exit 0 "server issue senc --encrypt-key" \
    "$MQTTPKI" --pki "$P" server issue senc --san senc.example.com --encrypt-key --passphrase-file "$PP" --key-passphrase-file "$PP"
check "senc: key is encrypted PKCS#8" first_line_is "$P/senc/private/senc.key.pem" "-----BEGIN ENCRYPTED PRIVATE KEY-----"
check "senc: key opens with the passphrase" openssl pkey -in "$P/senc/private/senc.key.pem" -passin "file:$PP" -noout

# --- server issue over an existing name refuses, --force replaces --------------------------------------------
snapshot "$P"
expect_exit 3 "server issue mqtt-server-1 again without --force" \
    "$MQTTPKI" --pki "$P" server issue mqtt-server-1 --san mqtt.example.com --passphrase-file "$PP"
assert_unchanged "$P" "refused server issue changed nothing"
old=$(fingerprint "$S1")
expect_exit 0 "server issue mqtt-server-1 --force" \
    "$MQTTPKI" --pki "$P" server issue mqtt-server-1 --san mqtt.example.com --force --passphrase-file "$PP"
check "--force issued a new certificate" test "$(fingerprint "$S1")" != "$old"
check "after --force: chain verifies" ossl_verify "$P/ca-bundle.pem" "$S1CHAIN" -verify_hostname mqtt.example.com
check "after --force: key matches the new cert" pubkeys_match "$S1" "$S1KEY"

check "the passphrase never appears in any output" bash -c "! grep -qF 'correct horse' <<<\"\$1\"" _ "$(all_output)"

finish

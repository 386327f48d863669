#!/usr/bin/env bash
# mqttpki verify: OK / FAILED with the documented reason prefixes; mqttpki inspect against openssl's view.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

P=$T/pki
expect_exit 0 "setup: quickstart --no-passphrase" \
    "$MQTTPKI" --pki "$P" quickstart --san mqtt.example.com --san 10.0.0.5 --no-passphrase
BUNDLE=$P/ca-bundle.pem
ROOT=$P/root-ca/certs/root-ca.cert.pem
CA=$P/server-ca/certs/server-ca.cert.pem
CAKEY=$P/server-ca/private/server-ca.key.pem
LEAF=$P/mqtt-server-1/certs/mqtt-server-1.cert.pem
LEAFKEY=$P/mqtt-server-1/private/mqtt-server-1.key.pem
CHAIN=$P/mqtt-server-1/mqtt-server-1.chain.pem

# expect_verify_failed REASON DESC ARGS...: exit 1 and a line "FAILED: REASON..."
expect_verify_failed() {
    local reason=$1 desc=$2; shift 2
    expect_exit 1 "verify: $desc" "$MQTTPKI" --pki "$P" verify "$@"
    if grep -q "^FAILED: $reason" <<<"$OUT"; then _pass "verify: $desc: says 'FAILED: $reason'"
    else _fail "verify: $desc: says 'FAILED: $reason'" "output was:
$OUT"; fi
}
expect_verify_ok() {
    local desc=$1; shift
    expect_exit 0 "verify: $desc" "$MQTTPKI" --pki "$P" verify "$@"
    if grep -q "^OK: " <<<"$OUT_STDOUT"; then _pass "verify: $desc: prints 'OK: ...' on stdout"
    else _fail "verify: $desc: prints 'OK: ...' on stdout" "stdout was:
$OUT_STDOUT
--- stderr
$OUT_STDERR"; fi
}

# --- OK ------------------------------------------------------------------------------------------------------
snapshot "$P"
expect_verify_ok "chain, no --host" "$CHAIN" --bundle "$BUNDLE"
expect_verify_ok "chain --host mqtt.example.com" "$CHAIN" --bundle "$BUNDLE" --host mqtt.example.com
expect_verify_ok "chain --host 10.0.0.5" "$CHAIN" --bundle "$BUNDLE" --host 10.0.0.5
expect_verify_ok "leaf + --untrusted server-ca" "$LEAF" --bundle "$BUNDLE" --untrusted "$CA" --host mqtt.example.com
expect_verify_ok "chain, default bundle = the PKI's ca-bundle.pem" "$CHAIN" --host mqtt.example.com
expect_exit 0 "--json verify OK" "$MQTTPKI" --pki "$P" --json verify "$CHAIN" --bundle "$BUNDLE" --host mqtt.example.com
check "--json verify OK prints valid JSON" is_json "$OUT_STDOUT"

# --- FAILED reasons ----------------------------------------------------------------------------------------------
cat "$CA" "$LEAF" >"$T/wrong-order.pem"
expect_verify_failed "wrong order" "intermediate first" "$T/wrong-order.pem" --bundle "$BUNDLE"
check_fails "openssl agrees: wrong order does not verify as a server chain" \
    ossl_verify "$BUNDLE" "$T/wrong-order.pem" -verify_hostname mqtt.example.com
expect_verify_failed "missing intermediate" "leaf alone" "$LEAF" --bundle "$BUNDLE"
expect_verify_failed "name mismatch" "--host wrong.example.com" "$CHAIN" --bundle "$BUNDLE" --host wrong.example.com
expect_verify_failed "name mismatch" "--host 10.0.0.6" "$CHAIN" --bundle "$BUNDLE" --host 10.0.0.6
expect_exit 1 "--json verify FAILED" "$MQTTPKI" --pki "$P" --json verify "$CHAIN" --bundle "$BUNDLE" --host wrong.example.com
check "--json verify FAILED prints valid JSON" is_json "$OUT_STDOUT"

# a client certificate (csr sign --profile client)
expect_exit 0 "setup: csr create dev1" "$MQTTPKI" --pki "$T/dev" csr create dev1 --san dev1.example.com
expect_exit 0 "setup: csr sign --profile client" \
    "$MQTTPKI" --pki "$P" csr sign "$T/dev/dev1/csr/dev1.csr.pem" --profile client
CLIENT=$P/dev1/certs/dev1.cert.pem
cat "$CLIENT" "$CA" >"$T/client-chain.pem"
snapshot "$P"
expect_verify_failed "not a server certificate" "client cert as a server" "$T/client-chain.pem" --bundle "$BUNDLE"
expect_verify_ok "client cert --purpose client" "$T/client-chain.pem" --bundle "$BUNDLE" --purpose client
expect_verify_failed "not a client certificate" "server cert --purpose client" "$CHAIN" --bundle "$BUNDLE" --purpose client

# a bundle from another PKI
expect_exit 0 "setup: a second, unrelated PKI" "$MQTTPKI" --pki "$T/other" quickstart --san mqtt.example.com --no-passphrase
expect_verify_failed "untrusted" "bundle of another PKI" "$CHAIN" --bundle "$T/other/ca-bundle.pem"
check_fails "openssl agrees: untrusted" ossl_verify "$T/other/ca-bundle.pem" "$CHAIN"

# expired / not yet valid: made by the openssl CLI itself (openssl ca -startdate/-enddate), signed by server-ca
OC=$T/ossl-ca
mkdir -p "$OC/newcerts"; : >"$OC/index.txt"; openssl rand -hex 16 | sed 's/^./4/' >"$OC/serial"
cat >"$OC/ca.cnf" <<EOF
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = $OC
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
commonName = supplied
[ srv ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:mqtt.example.com
EOF
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/x.key" -out "$T/x.csr" \
    -subj /CN=mqtt.example.com >/dev/null 2>&1
mkcert() { # OUT START END
    openssl ca -batch -config "$OC/ca.cnf" -cert "$CA" -keyfile "$CAKEY" -in "$T/x.csr" -out "$1" \
        -startdate "$2" -enddate "$3" -extensions srv -notext >/dev/null 2>&1
}
check "setup: openssl ca makes an expired cert signed by server-ca" mkcert "$T/expired.pem" 20200101000000Z 20200201000000Z
check "setup: openssl ca makes a not-yet-valid cert signed by server-ca" mkcert "$T/future.pem" 20990101000000Z 20991231000000Z
check "setup: openssl ca makes a valid cert signed by server-ca" mkcert "$T/valid.pem" 20200101000000Z 20991231000000Z
cat "$T/expired.pem" "$CA" >"$T/expired-chain.pem"
cat "$T/future.pem" "$CA" >"$T/future-chain.pem"
cat "$T/valid.pem" "$CA" >"$T/valid-chain.pem"
check "openssl says the expired chain has expired" bash -c \
    "openssl verify -CAfile '$BUNDLE' -untrusted '$T/expired-chain.pem' '$T/expired-chain.pem' 2>&1 | grep -q 'certificate has expired'"
expect_verify_ok "a valid openssl-made cert (control)" "$T/valid-chain.pem" --bundle "$BUNDLE" --host mqtt.example.com
expect_verify_failed "expired" "expired leaf" "$T/expired-chain.pem" --bundle "$BUNDLE" --host mqtt.example.com
expect_verify_failed "not yet valid" "not-yet-valid leaf" "$T/future-chain.pem" --bundle "$BUNDLE" --host mqtt.example.com

# bad signature: flip the last byte of the leaf's signature
openssl x509 -in "$LEAF" -outform DER -out "$T/leaf.der"
size=$(stat -c %s "$T/leaf.der")
last=$(tail -c1 "$T/leaf.der" | od -An -tu1 | tr -d ' ')
printf "\\x$(printf %02x $(( last ^ 1 )))" | dd of="$T/leaf.der" bs=1 seek=$(( size - 1 )) conv=notrunc status=none
{ echo "-----BEGIN CERTIFICATE-----"; base64 -w64 "$T/leaf.der"; echo "-----END CERTIFICATE-----"; cat "$CA"; } >"$T/badsig-chain.pem"
check "openssl says the tampered leaf has a bad signature" bash -c \
    "openssl verify -CAfile '$BUNDLE' -untrusted '$T/badsig-chain.pem' '$T/badsig-chain.pem' 2>&1 | grep -qi 'signature failure'"
expect_verify_failed "bad signature" "tampered leaf signature" "$T/badsig-chain.pem" --bundle "$BUNDLE"
assert_unchanged "$P" "verify never writes"

# --- inspect -----------------------------------------------------------------------------------------------------
expect_exit 0 "setup: server issue named --cn 'Inspect Me'" \
    "$MQTTPKI" --pki "$P" server issue named --cn "Inspect Me" --san insp.example.com --san 10.7.7.7
NC=$P/named/certs/named.cert.pem
FP=$(fingerprint "$NC")
SER=$(openssl x509 -in "$NC" -noout -serial | sed 's/^serial=//' | tr 'A-F' 'a-f' | sed 's/^0*//')
ISSUER_CN=$(subject_cn "$CA")
expect_exit 0 "inspect a certificate" "$MQTTPKI" --pki "$P" inspect "$NC"
# counted after inspect ran, so inspect (earlier) saw DL or, across a day boundary of the count, DL + 1
DL=$(days_left "$NC")
NORM=$(norm_hex <<<"$OUT")
expect_out_contains "Inspect Me" "inspect cert: subject CN"
expect_out_contains "$ISSUER_CN" "inspect cert: issuer CN ($ISSUER_CN)"
expect_out_contains "insp.example.com" "inspect cert: DNS SAN"
expect_out_contains "10.7.7.7" "inspect cert: IP SAN"
check "inspect cert: days left ($DL or $((DL + 1))) on a line mentioning days" bash -c \
    'grep -iE "day" <<<"$1" | grep -qE "(^|[^0-9])($2|$3)([^0-9]|$)"' _ "$OUT" "$DL" "$((DL + 1))"
check "inspect cert: key type EC P-256" bash -c 'grep -qiE "p-?256|prime256v1|secp256r1" <<<"$1"' _ "$OUT"
check "inspect cert: SHA-256 fingerprint = openssl's ($FP)" bash -c 'grep -qF "$1" <<<"$2"' _ "$FP" "$NORM"
check "inspect cert: serial = openssl's" bash -c 'grep -qF "$1" <<<"$2"' _ "$SER" "$NORM"
check "inspect cert: usages (serverAuth)" bash -c 'grep -qiE "serverauth|server auth|tls web server" <<<"$1"' _ "$OUT"
check "inspect cert: validity dates (notAfter year)" bash -c 'grep -qF "$1" <<<"$2"' _ \
    "$(openssl x509 -in "$NC" -noout -enddate | awk '{print $4}')" "$OUT"
expect_exit 0 "--json inspect a certificate" "$MQTTPKI" --pki "$P" --json inspect "$NC"
check "--json inspect cert: valid JSON" is_json "$OUT_STDOUT"
check "--json inspect cert: carries the fingerprint" bash -c 'grep -qF "$1" <<<"$2"' _ "$FP" "$(norm_hex <<<"$OUT_STDOUT")"

expect_exit 0 "inspect a chain" "$MQTTPKI" --pki "$P" inspect "$CHAIN"
expect_out_contains "mqtt.example.com" "inspect chain: leaf subject"
expect_out_contains "$ISSUER_CN" "inspect chain: intermediate"
check "inspect chain: both fingerprints" bash -c 'grep -qF "$1" <<<"$3" && grep -qF "$2" <<<"$3"' _ \
    "$(fingerprint "$LEAF")" "$(fingerprint "$CA")" "$(norm_hex <<<"$OUT")"
expect_exit 0 "--json inspect a chain" "$MQTTPKI" --pki "$P" --json inspect "$CHAIN"
check "--json inspect chain: valid JSON" is_json "$OUT_STDOUT"

expect_exit 0 "inspect a CSR" "$MQTTPKI" --pki "$P" inspect "$T/dev/dev1/csr/dev1.csr.pem"
expect_out_contains "dev1.example.com" "inspect CSR: subject/SAN"
check "inspect CSR: key type EC P-256" bash -c 'grep -qiE "p-?256|prime256v1|secp256r1" <<<"$1"' _ "$OUT"
expect_exit 0 "--json inspect a CSR" "$MQTTPKI" --pki "$P" --json inspect "$T/dev/dev1/csr/dev1.csr.pem"
check "--json inspect CSR: valid JSON" is_json "$OUT_STDOUT"

expect_exit 0 "inspect an EC key" "$MQTTPKI" --pki "$P" inspect "$LEAFKEY"
check "inspect key: EC P-256" bash -c 'grep -qiE "p-?256|prime256v1|secp256r1" <<<"$1"' _ "$OUT"
check "inspect key: never prints the private key" bash -c '! grep -q "PRIVATE KEY" <<<"$1"' _ "$OUT"
expect_exit 0 "--json inspect a key" "$MQTTPKI" --pki "$P" --json inspect "$LEAFKEY"
check "--json inspect key: valid JSON" is_json "$OUT_STDOUT"
check "setup: an RSA-2048 key by openssl" openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/rsa.key"
expect_exit 0 "inspect an RSA key made by openssl" "$MQTTPKI" --pki "$P" inspect "$T/rsa.key"
check "inspect RSA key: RSA and 2048" bash -c 'grep -qi "rsa" <<<"$1" && grep -q "2048" <<<"$1"' _ "$OUT"
expect_exit 0 "inspect the root cert (self-signed)" "$MQTTPKI" --pki "$P" inspect "$ROOT"
check "inspect root: fingerprint" bash -c 'grep -qF "$1" <<<"$2"' _ "$(fingerprint "$ROOT")" "$(norm_hex <<<"$OUT")"
check "inspect root: CA constraint shown" bash -c 'grep -qiE "CA:? *(TRUE|true|yes)|\"ca\": *true|is_ca|certificate authority" <<<"$1"' _ "$OUT"

openssl x509 -in "$ROOT" -outform der -out "$T/root.der"
expect_exit 0 "inspect a DER certificate" "$MQTTPKI" --pki "$P" inspect "$T/root.der"
check "inspect DER: fingerprint = openssl's" bash -c 'grep -qF "$1" <<<"$2"' _ "$(fingerprint "$ROOT")" "$(norm_hex <<<"$OUT")"
head -c 300 /dev/urandom > "$T/noise.bin"
expect_exit 3 "inspect random bytes" "$MQTTPKI" --pki "$P" inspect "$T/noise.bin"
expect_out_contains "is not a DER certificate" "random bytes: says it is neither PEM nor DER"

finish

#!/usr/bin/env bash
# CSR flow: the key is born on the broker side (csr create), the CA signs the CSR (csr sign) under its policy.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

B=$T/broker     # the broker's own PKI directory (no CA there)
P=$T/ca         # the CA's PKI directory
expect_exit 0 "CA side: quickstart --no-passphrase" \
    "$MQTTPKI" --pki "$P" quickstart --san ca-host.example.com --no-passphrase
BUNDLE=$P/ca-bundle.pem
CA=$P/server-ca/certs/server-ca.cert.pem

# --- csr create on the broker side -----------------------------------------------------------------------
expect_exit 0 "broker side: csr create broker1 --san broker1.example.com --san 10.1.2.3" \
    "$MQTTPKI" --pki "$B" csr create broker1 --san broker1.example.com --san 10.1.2.3
CSR=$B/broker1/csr/broker1.csr.pem
KEY=$B/broker1/private/broker1.key.pem
check "csr file at broker1/csr/broker1.csr.pem" test -f "$CSR"
check "key file at broker1/private/broker1.key.pem" test -f "$KEY"
check "key mode 0400" mode_is "$KEY" 400
check "CSR self-signature verifies (openssl req -verify)" csr_sig_ok "$CSR"
check "CSR asks for both SANs" bash -c \
    "openssl req -in '$CSR' -noout -text | grep -A1 'Subject Alternative Name' | grep -q 'DNS:broker1.example.com, IP Address:10.1.2.3'"
check "CSR CN = first SAN" bash -c "openssl req -in '$CSR' -noout -subject -nameopt RFC2253 | grep -q 'CN=broker1.example.com'"
check "CSR public key = key's public key" bash -c \
    "[ \"\$(openssl req -in '$CSR' -noout -pubkey)\" = \"\$(openssl pkey -in '$KEY' -pubout)\" ]"
check "no CA material created on the broker side" bash -c "[ ! -e '$B/root-ca' ] && [ ! -e '$B/server-ca' ]"

# --- csr sign on the CA side -----------------------------------------------------------------------------
expect_exit 0 "CA side: csr sign broker1.csr.pem --profile server" \
    "$MQTTPKI" --pki "$P" csr sign "$CSR" --profile server
C1=$P/broker1/certs/broker1.cert.pem
CH1=$P/broker1/broker1.chain.pem
check "certificate at broker1/certs/broker1.cert.pem (name from the file name)" test -f "$C1"
check "chain at broker1/broker1.chain.pem" test -f "$CH1"
check "cert carries the CSR's public key" csr_pubkey_matches "$C1" "$CSR"
check "cert matches the broker's key" pubkeys_match "$C1" "$KEY"
check "cert has exactly the CSR's SANs" san_is "$C1" "DNS:broker1.example.com" "IP Address:10.1.2.3"
check "cert CN from the CSR" test "$(subject_cn "$C1")" = broker1.example.com
check_leaf_profile "$C1" "$CA" server ec broker1
check "broker1: 365 days" validity_days_is "$C1" 365
check "no private key copied to the CA side" test ! -e "$P/broker1/private/broker1.key.pem"
check "openssl verify -verify_hostname broker1.example.com" ossl_verify "$BUNDLE" "$CH1" -verify_hostname broker1.example.com
check "openssl verify -verify_ip 10.1.2.3" ossl_verify "$BUNDLE" "$CH1" -verify_ip 10.1.2.3
check "certtool accepts" certtool_verify "$BUNDLE" "$CH1" broker1.example.com

# --- --san replaces the CSR's SANs ------------------------------------------------------------------------
expect_exit 0 "broker side: csr create broker2 --cn 'Broker Two'" \
    "$MQTTPKI" --pki "$B" csr create broker2 --cn "Broker Two" --san a.example.com --san 10.9.9.9
expect_exit 0 "csr sign --name broker2o --san override.example.com --days 90" \
    "$MQTTPKI" --pki "$P" csr sign "$B/broker2/csr/broker2.csr.pem" --profile server --name broker2o \
    --san override.example.com --days 90
C2=$P/broker2o/certs/broker2o.cert.pem
check "--name decides the output name" test -f "$C2"
check "--san replaced the CSR's SANs (exactly DNS:override.example.com)" san_is "$C2" "DNS:override.example.com"
check "--san replaced the names: the CN follows the first of them" test "$(subject_cn "$C2")" = "override.example.com"
check "--days 90 honoured" validity_days_is "$C2" 90
check "override cert: EKU serverAuth" ext_is "$C2" extendedKeyUsage noncritical "TLS Web Server Authentication"
check "override cert verifies for override.example.com" \
    ossl_verify "$BUNDLE" "$P/broker2o/broker2o.chain.pem" -verify_hostname override.example.com
check_fails "override cert does not verify for a.example.com" \
    ossl_verify "$BUNDLE" "$P/broker2o/broker2o.chain.pem" -verify_hostname a.example.com

# --- a CSR asking to be a CA is refused; a greedy one gets nothing beyond CN/SAN -----------------------------
check "openssl CLI makes a CSR asking for CA:TRUE and keyCertSign" \
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/ca-ask.key" -out "$T/ca-ask.csr.pem" \
    -subj "/CN=ca-ask.example.com" -addext "basicConstraints=critical,CA:TRUE,pathlen:3" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" -addext "subjectAltName=DNS:ca-ask.example.com"
snapshot "$P"
expect_exit 3 "csr sign refuses a CSR asking for CA:TRUE" "$MQTTPKI" --pki "$P" csr sign "$T/ca-ask.csr.pem" --profile server
expect_out_contains "asks for basicConstraints CA:TRUE" "the refusal says why"
assert_unchanged "$P" "refused CA CSR"
EVIL=$T/evil.csr.pem
check "openssl CLI makes a CSR asking for codeSigning, keyEncipherment, odd extensions" \
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/evil.key" -out "$EVIL" \
    -subj "/CN=evil.example.com" \
    -addext "basicConstraints=critical,CA:FALSE" \
    -addext "keyUsage=critical,keyEncipherment,dataEncipherment,digitalSignature" \
    -addext "extendedKeyUsage=codeSigning" \
    -addext "subjectAltName=DNS:evil.example.com" \
    -addext "subjectKeyIdentifier=DE:AD:BE:EF" \
    -addext "1.2.3.4=ASN1:UTF8String:hello" \
    -addext "nsComment=please make me a CA"
expect_exit 0 "csr sign the greedy CSR --profile server" "$MQTTPKI" --pki "$P" csr sign "$EVIL" --profile server
CE=$P/evil/certs/evil.cert.pem
check "greedy: basicConstraints CA:FALSE (not critical as the CSR asked)" ext_is "$CE" basicConstraints noncritical "CA:FALSE"
check "greedy: keyUsage digitalSignature only (no keyEncipherment for an EC key)" ext_is "$CE" keyUsage critical "Digital Signature"
check "greedy: EKU serverAuth only (no codeSigning)" ext_is "$CE" extendedKeyUsage noncritical "TLS Web Server Authentication"
check "greedy: SKI computed, not DE:AD:BE:EF" bash -c "[ \"\$1\" != 'DE:AD:BE:EF' ] && [ -n \"\$1\" ]" _ "$(ski_of "$CE")"
check "greedy: SAN from the CSR" san_is "$CE" "DNS:evil.example.com"
check "greedy: no 1.2.3.4, no Netscape Comment, exactly the server profile's extensions" only_exts "$CE" \
    "X509v3 Basic Constraints" "X509v3 Key Usage" "X509v3 Extended Key Usage" \
    "X509v3 Subject Key Identifier" "X509v3 Authority Key Identifier" "X509v3 Subject Alternative Name"
check_leaf_profile "$CE" "$CA" server ec greedy
check "greedy: still a valid server cert for evil.example.com" \
    ossl_verify "$BUNDLE" "$P/evil/evil.chain.pem" -verify_hostname evil.example.com
check_fails "greedy: cannot act as a CA (openssl verify -purpose any of a cert it signs)" bash -c "
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout '$T/sub.key' -out '$T/sub.csr' -subj /CN=sub >/dev/null 2>&1 &&
    openssl x509 -req -in '$T/sub.csr' -CA '$CE' -CAkey '$T/evil.key' -CAcreateserial -out '$T/sub.pem' -days 1 >/dev/null 2>&1 &&
    cat '$CE' '$CA' > '$T/evil-untrusted.pem' &&
    openssl verify -CAfile '$BUNDLE' -untrusted '$T/evil-untrusted.pem' '$T/sub.pem'"

# --- an RSA CSR gets keyEncipherment under the server profile ----------------------------------------------
check "openssl CLI makes an RSA-2048 CSR" openssl req -new -newkey rsa:2048 -nodes -keyout "$T/rsa.key" \
    -out "$T/rsabroker.csr.pem" -subj "/CN=rsa.example.com" -addext "subjectAltName=DNS:rsa.example.com"
expect_exit 0 "csr sign rsabroker.csr.pem --profile server" "$MQTTPKI" --pki "$P" csr sign "$T/rsabroker.csr.pem" --profile server
check_leaf_profile "$P/rsabroker/certs/rsabroker.cert.pem" "$CA" server rsa rsabroker
check "rsabroker verifies" ossl_verify "$BUNDLE" "$P/rsabroker/rsabroker.chain.pem" -verify_hostname rsa.example.com

# --- tampered CSRs are refused ---------------------------------------------------------------------------
expect_exit 0 "broker side: csr create tamper" "$MQTTPKI" --pki "$B" csr create tamper --san tamper.example.com
repem() { { echo "-----BEGIN CERTIFICATE REQUEST-----"; base64 -w64 "$1"; echo "-----END CERTIFICATE REQUEST-----"; } >"$2"; }
openssl req -in "$B/tamper/csr/tamper.csr.pem" -outform DER -out "$T/t.der" 2>/dev/null
cp "$T/t.der" "$T/body.der"
off=$(grep -obUa 'tamper' "$T/body.der" | head -n1 | cut -d: -f1)
if [ -n "$off" ]; then printf 'X' | dd of="$T/body.der" bs=1 seek="$off" conv=notrunc status=none; fi
repem "$T/body.der" "$T/tamper-body.csr.pem"
check "test setup: body-tampered CSR still parses but fails openssl req -verify" bash -c \
    "openssl req -in '$T/tamper-body.csr.pem' -noout -subject >/dev/null && ! openssl req -in '$T/tamper-body.csr.pem' -noout -verify 2>&1 | grep -qi 'signature ok'"
snapshot "$P"
expect_exit 3 "csr sign refuses a CSR with a tampered body" \
    "$MQTTPKI" --pki "$P" csr sign "$T/tamper-body.csr.pem" --profile server --name tb
expect_out_contains_i "signature" "refusal mentions the signature"
expect_error_prefix
assert_unchanged "$P" "refused csr sign (body) wrote nothing"

cp "$T/t.der" "$T/sig.der"
size=$(stat -c %s "$T/sig.der")
last=$(tail -c1 "$T/sig.der" | od -An -tu1 | tr -d ' ')
printf "\\x$(printf %02x $(( last ^ 1 )))" | dd of="$T/sig.der" bs=1 seek=$(( size - 1 )) conv=notrunc status=none
repem "$T/sig.der" "$T/tamper-sig.csr.pem"
check "test setup: signature-tampered CSR fails openssl req -verify" bash -c \
    "openssl req -in '$T/tamper-sig.csr.pem' -noout -subject >/dev/null && ! openssl req -in '$T/tamper-sig.csr.pem' -noout -verify 2>&1 | grep -qi 'signature ok'"
expect_exit 3 "csr sign refuses a CSR with a tampered signature" \
    "$MQTTPKI" --pki "$P" csr sign "$T/tamper-sig.csr.pem" --profile server --name ts
expect_out_contains_i "signature" "refusal mentions the signature"
assert_unchanged "$P" "refused csr sign (signature) wrote nothing"

echo "this is not a CSR" >"$T/garbage.csr.pem"
expect_exit 3 "csr sign refuses a garbage file" "$MQTTPKI" --pki "$P" csr sign "$T/garbage.csr.pem" --profile server
assert_unchanged "$P" "refused csr sign (garbage) wrote nothing"
expect_exit 2 "csr sign with an unknown --profile" "$MQTTPKI" --pki "$P" csr sign "$CSR" --profile codesign --name x
assert_unchanged "$P" "usage error wrote nothing"

# --- client profile ---------------------------------------------------------------------------------------
expect_exit 0 "csr sign broker1.csr.pem --profile client --name dev1" \
    "$MQTTPKI" --pki "$P" csr sign "$CSR" --profile client --name dev1
CC=$P/dev1/certs/dev1.cert.pem
check_leaf_profile "$CC" "$CA" client ec dev1
check "dev1: EKU clientAuth (TLS Web Client Authentication)" ext_is "$CC" extendedKeyUsage noncritical "TLS Web Client Authentication"
check "dev1: openssl verify -purpose sslclient OK" \
    openssl verify -x509_strict -purpose sslclient -CAfile "$BUNDLE" -untrusted "$CA" "$CC"
check_fails "dev1: openssl verify -purpose sslserver refuses it" \
    openssl verify -x509_strict -purpose sslserver -CAfile "$BUNDLE" -untrusted "$CA" "$CC"

# --- policy: what a CSR may not ask for, and what is never copied from the input file ----------------------------
printf '%s\n' '[ req ]' 'prompt = no' 'distinguished_name = dn' 'req_extensions = ext' '[ dn ]' 'CN = evil.example.com' \
    '[ ext ]' 'subjectAltName = DNS:*.*.com, DNS:evil.example.com' > "$T/bad-names.cnf"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/bad-names.key" \
    -out "$T/bad-names.csr.pem" -config "$T/bad-names.cnf" 2>/dev/null
snapshot "$P"
expect_exit 3 "a CSR asking for a double wildcard is refused" \
    "$MQTTPKI" --pki "$P" csr sign "$T/bad-names.csr.pem" --profile server
expect_out_contains "asks for a name that is not allowed" "says which name is not allowed"
assert_unchanged "$P" "refused CSR wrote nothing"

openssl req -new -newkey rsa:1024 -nodes -keyout "$T/weak.key" -out "$T/weak.csr.pem" \
    -subj "/CN=weak.example.com" -addext "subjectAltName=DNS:weak.example.com" 2>/dev/null
expect_exit 3 "an RSA-1024 CSR is refused" "$MQTTPKI" --pki "$P" csr sign "$T/weak.csr.pem" --profile server
expect_out_contains "RSA 1024" "names the weak key"
assert_unchanged "$P" "weak CSR wrote nothing"

# A CSR file that carries its private key too (openssl req -keyout and -out to one file): the PKI keeps the CSR only.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/both.pem" \
    -subj "/CN=both.example.com" -addext "subjectAltName=DNS:both.example.com" -out "$T/both.csr" 2>/dev/null
cat "$T/both.pem" "$T/both.csr" > "$T/both.csr.pem"
expect_exit 0 "sign a CSR file that also holds a private key" \
    "$MQTTPKI" --pki "$P" csr sign "$T/both.csr.pem" --profile server
check "the kept copy holds the CSR only (no private key)" bash -c '! grep -q "PRIVATE KEY" "$1"' _ "$P/both/csr/both.csr.pem"

expect_exit 3 "a leaf may not take a CA's name" \
    "$MQTTPKI" --pki "$P" csr sign "$T/both.csr.pem" --profile server --name server-ca --force
expect_out_contains "is a CA" "says the name is a CA's"
check "server-ca is still a CA" bash -c 'openssl x509 -in "$1" -noout -ext basicConstraints | grep -q "CA:TRUE"' _ \
    "$P/server-ca/certs/server-ca.cert.pem"

finish

#!/usr/bin/env bash
# Regenerates the fuzz seed corpora in fuzz/corpus/<target>/ and fuzz/corpus/MANIFEST (each seed and how it was made).
# Usage: fuzz/make_corpus.sh      (MQTTPKI=path/to/mqttpki to pick the binary; default build/mqttpki)
# Needs: openssl, python3, xxd, an mqttpki binary, build-fuzz/fuzz_tls (scripts/fuzz.sh --build-only) for the TLS
# seeds, and mosquitto for the recorded broker seeds (each left out, with a message, when missing).
# Keys and certificates are new on every run, so the seeds' bytes change; what they cover does not. Leaves are
# valid for a year from the day this runs: fuzz_util.h's kNow (2027-01-01) must fall inside that for the
# "valid certificate" paths to be seeded, so move kNow on when regenerating after 2027.
# The TLS seeds are recorded by build-fuzz/fuzz_tls itself (its record mode) and replay as complete handshakes only
# as long as its ClientHello stays the same: after a change to fuzz_tls.cc or an OpenSSL update, regenerate them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=$here/corpus
MQTTPKI=${MQTTPKI:-$root/build/mqttpki}
FUZZ_TLS=${FUZZ_TLS:-$root/build-fuzz/fuzz_tls}  # its record mode makes the TLS seeds
PASS=fuzz-corpus-passphrase  # fuzz_util.h kPassphrase
[ -x "$MQTTPKI" ] || { echo "make_corpus.sh: no mqttpki binary at $MQTTPKI (set MQTTPKI=...)" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

targets=$(grep -E '^[a-z0-9_]+$' "$here/targets")
rm -rf "$out"
mkdir -p "$out"
for t in $targets; do mkdir -p "$out/$t"; done
manifest=$out/MANIFEST
printf '# Seeds of fuzz/corpus/<target>/, made by fuzz/make_corpus.sh. FILE<TAB>how it was made.\n' >"$manifest"

# seed TARGET NAME HOW: stdin becomes corpus/TARGET/NAME, and HOW goes into the manifest.
seed() {
  cat >"$out/$1/$2"
  printf '%s/%s\t%s\n' "$1" "$2" "$3" >>"$manifest"
}
# byte HEX: one byte, for the control bytes of key/mqtt/tls seeds.
byte() { printf "\\x$1"; }
# free_port: a TCP port on 127.0.0.1 that nothing listens on (for mosquitto and openssl s_server).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# with_byte HEX FILE: the control byte, then the file.
with_byte() { byte "$1"; cat "$2"; }

echo "==> PKIs"
# The tutorial's PKI, with its own openssl commands.
bash "$root/tests/testdata/tutorial_pki.sh" ecpki >/dev/null 2>&1
# mqttpki's: plain keys, then CA keys encrypted with $PASS; an RSA server, a CSR born on a broker, a revocation.
printf '%s\n' "$PASS" >pass.txt
"$MQTTPKI" --pki pki quickstart --san mqtt.example.com --san 10.0.0.5 --san fd00::5 --org "My IoT Cloud" \
  --country DE --no-passphrase >/dev/null
"$MQTTPKI" --pki pki server issue mqtt-server-2 --san legacy.example.com --key rsa-2048 >/dev/null
"$MQTTPKI" --pki pki server issue mqtt-server-3 --san '*.example.net' --key ec-p384 >/dev/null
"$MQTTPKI" --pki pki csr create broker-b --san broker-b.example.com --san 192.168.7.7 >/dev/null
"$MQTTPKI" --pki pki revoke mqtt-server-2 --reason keyCompromise >/dev/null
"$MQTTPKI" --pki pki revoke mqtt-server-3 --reason superseded >/dev/null
"$MQTTPKI" --pki pki crl >/dev/null
"$MQTTPKI" --pki pki-enc quickstart --san mqtt.example.com --passphrase-file pass.txt >/dev/null

# An openssl CA (openssl ca) for CRLs, an expired certificate and odd extensions.
mkdir -p oca/newcerts
: >oca/index.txt
echo 1000 >oca/crlnumber
cat >oca/ca.cnf <<EOF
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = $work/oca
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
certificate = \$dir/ca.pem
private_key = \$dir/ca.key
serial = \$dir/serial
crlnumber = \$dir/crlnumber
default_md = sha256
default_days = 365
default_crl_days = 30
policy = policy_any
unique_subject = no
copy_extensions = copy
[ policy_any ]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
emailAddress = optional
[ leaf ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:old.example.com, IP:10.1.2.3
[ odd ]
basicConstraints = critical, CA:TRUE, pathlen:3
keyUsage = critical, keyCertSign, cRLSign, digitalSignature, keyEncipherment, dataEncipherment, keyAgreement, encipherOnly, decipherOnly, nonRepudiation
extendedKeyUsage = serverAuth, clientAuth, codeSigning, emailProtection, timeStamping, OCSPSigning, 1.3.6.1.4.1.99999.1
subjectAltName = DNS:*.example.com, DNS:MiXeD.Example.COM, IP:::1, IP:fe80::1, email:pki@example.com, URI:https://example.com/pki, dirName:dir_sect, otherName:1.2.3.4;UTF8:other
nameConstraints = permitted;DNS:.example.com, excluded;IP:10.0.0.0/255.0.0.0
certificatePolicies = 2.5.29.32.0, 1.3.6.1.4.1.99999.2
crlDistributionPoints = URI:http://crl.example.com/ca.crl
authorityInfoAccess = OCSP;URI:http://ocsp.example.com/, caIssuers;URI:http://example.com/ca.der
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always, issuer
[ dir_sect ]
CN = dir name
[ crl_ext ]
authorityKeyIdentifier = keyid:always
EOF
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout oca/ca.key -out oca/ca.pem \
  -subj "/CN=openssl ca" -days 3650 -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl rand -hex 8 >oca/serial
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout oca/old.key -out oca/old.csr \
  -subj "/CN=old.example.com" 2>/dev/null
openssl ca -batch -config oca/ca.cnf -extensions leaf -startdate 20200101000000Z -enddate 20210101000000Z \
  -in oca/old.csr -out oca/expired.pem >/dev/null 2>&1
openssl req -new -newkey rsa:2048 -nodes -keyout oca/odd.key -out oca/odd.csr \
  -subj $'/C=DE/ST=Bayern/L=M\xc3\xbcnchen/O=Odd "Quoted", Inc./OU=PKI+OU=Ops/CN=odd.example.com/emailAddress=pki@example.com' \
  -utf8 2>/dev/null
openssl ca -batch -config oca/ca.cnf -extensions odd -in oca/odd.csr -out oca/odd.pem -utf8 >/dev/null 2>&1
openssl ca -batch -config oca/ca.cnf -gencrl -crlexts crl_ext -out oca/empty.crl.pem >/dev/null 2>&1
openssl ca -batch -config oca/ca.cnf -revoke oca/expired.pem -crl_reason keyCompromise >/dev/null 2>&1
openssl ca -batch -config oca/ca.cnf -revoke oca/odd.pem -crl_reason cACompromise >/dev/null 2>&1
openssl ca -batch -config oca/ca.cnf -gencrl -crlexts crl_ext -out oca/two.crl.pem >/dev/null 2>&1
openssl crl -in oca/two.crl.pem -outform DER -out oca/two.crl.der

echo "==> cert"
seed cert tutorial-root.pem "tests/testdata/tutorial_pki.sh: root-ca/certs/root-ca.cert.pem (openssl req -x509, no keyUsage)" <ecpki/root-ca/certs/root-ca.cert.pem
seed cert tutorial-chain.pem "tutorial_pki.sh: mqtt-server-1/mqtt-server.chain.pem (leaf, intermediate)" <ecpki/mqtt-server-1/mqtt-server.chain.pem
cat ecpki/mqtt-server-1/mqtt-server.chain.pem ecpki/root-ca/certs/root-ca.cert.pem |
  seed cert tutorial-full-chain.pem "tutorial_pki.sh: chain file + root (verify fails: the root has no keyUsage)"
cat pki/mqtt-server-1/mqtt-server-1.chain.pem pki/root-ca/certs/root-ca.cert.pem |
  seed cert quickstart-full-chain.pem "mqttpki quickstart --san mqtt.example.com --san 10.0.0.5 --san fd00::5: chain file + root (verifies)"
seed cert quickstart-leaf.pem "mqttpki quickstart: mqtt-server-1/certs/mqtt-server-1.cert.pem" <pki/mqtt-server-1/certs/mqtt-server-1.cert.pem
seed cert quickstart-bundle.pem "mqttpki quickstart: ca-bundle.pem" <pki/ca-bundle.pem
openssl x509 -in pki/mqtt-server-1/certs/mqtt-server-1.cert.pem -outform DER |
  seed cert quickstart-leaf.der "openssl x509 -outform DER of the quickstart leaf"
openssl x509 -in pki/root-ca/certs/root-ca.cert.pem -outform DER |
  seed cert quickstart-root.der "openssl x509 -outform DER of the quickstart root"
cat pki/server-ca/certs/server-ca.cert.pem pki/mqtt-server-1/certs/mqtt-server-1.cert.pem pki/root-ca/certs/root-ca.cert.pem |
  seed cert wrong-order.pem "quickstart intermediate, leaf, root: the wrong order"
cat pki/mqtt-server-2/mqtt-server-2.chain.pem pki/root-ca/certs/root-ca.cert.pem |
  seed cert rsa-full-chain.pem "mqttpki server issue mqtt-server-2 --key rsa-2048: chain file + root"
cat pki/mqtt-server-3/mqtt-server-3.chain.pem pki/root-ca/certs/root-ca.cert.pem |
  seed cert p384-wildcard-full-chain.pem "mqttpki server issue mqtt-server-3 --san '*.example.net' --key ec-p384: chain + root"
cat oca/expired.pem oca/ca.pem | seed cert expired-chain.pem "openssl ca -startdate 2020 -enddate 2021: expired leaf + its CA"
cat oca/odd.pem oca/ca.pem | seed cert odd-extensions.pem "openssl ca -extensions odd: every extension kind, UTF-8 and multi-valued RDNs"
openssl req -x509 -newkey ed25519 -nodes -keyout /dev/null -subj "/CN=ed25519.example.com" -days 365 \
  -addext "subjectAltName=DNS:ed25519.example.com" 2>/dev/null |
  seed cert ed25519-self-signed.pem "openssl req -x509 -newkey ed25519"
openssl req -x509 -newkey rsa:2048 -nodes -keyout /dev/null -subj "/CN=10.9.8.7" -days 365 -sha1 \
  -addext "subjectAltName=IP:10.9.8.7" -addext "basicConstraints=critical,CA:FALSE" 2>/dev/null |
  seed cert rsa-sha1-ip.pem "openssl req -x509 -newkey rsa:2048 -sha1, CN and SAN an IP address"

echo "==> csr"
seed csr tutorial-server.csr.pem "tutorial_pki.sh: mqtt-server-1/csr/mqtt-server.csr.pem (DNS SANs, one repeated)" <ecpki/mqtt-server-1/csr/mqtt-server.csr.pem
seed csr tutorial-server-ca.csr.pem "tutorial_pki.sh: server-ca/csr/server-ca.csr.pem (no extensions)" <ecpki/server-ca/csr/server-ca.csr.pem
seed csr mqttpki-csr-create.csr.pem "mqttpki csr create broker-b --san broker-b.example.com --san 192.168.7.7" <pki/broker-b/csr/broker-b.csr.pem
sed 's/CERTIFICATE REQUEST/NEW CERTIFICATE REQUEST/' pki/broker-b/csr/broker-b.csr.pem |
  seed csr new-label.csr.pem "the mqttpki CSR under the label NEW CERTIFICATE REQUEST"
seed csr rsa-odd-subject.csr.pem "openssl req -new -newkey rsa:2048 -utf8, multi-valued RDN, quotes, emailAddress" <oca/odd.csr
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout /dev/null -subj "/C=DE/O=Asks/CN=greedy.example.com" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
  -addext "extendedKeyUsage=serverAuth,clientAuth,codeSigning" -addext "subjectAltName=DNS:greedy.example.com,IP:::1,email:a@b.c" \
  2>/dev/null | seed csr greedy-p384.csr.pem "openssl req -new (P-384) asking for CA:TRUE, keyCertSign, codeSigning, an email SAN"
openssl req -new -newkey ed25519 -nodes -keyout /dev/null -subj "/CN=ed.example.com" 2>/dev/null |
  seed csr ed25519.csr.pem "openssl req -new -newkey ed25519 (a key type the policy refuses)"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -subj "/CN=bad name" \
  -addext "subjectAltName=DNS:*.*.example.com,DNS:bad name.example.com,DNS:-dash.example.com" 2>/dev/null |
  seed csr bad-sans.csr.pem "openssl req -new with SANs the policy refuses (double wildcard, space, leading hyphen)"
openssl req -new -newkey rsa:1024 -nodes -keyout /dev/null -subj "/C=D1/CN=short.example.com" 2>/dev/null |
  seed csr rsa1024-bad-country.csr.pem "openssl req -new -newkey rsa:1024 -subj /C=D1 (key size and country refused)"

echo "==> key"
with_byte 00 ecpki/root-ca/private/root-ca.key.pem |
  seed key ecparam-genkey.bin "mode 0 + tutorial_pki.sh root-ca.key.pem (openssl ecparam -genkey: EC PARAMETERS + EC PRIVATE KEY)"
with_byte 00 pki/mqtt-server-1/private/mqtt-server-1.key.pem |
  seed key pkcs8-p256.bin "mode 0 + mqttpki quickstart server key (PKCS#8, plain)"
with_byte 00 pki/mqtt-server-2/private/mqtt-server-2.key.pem |
  seed key pkcs8-rsa2048.bin "mode 0 + mqttpki server issue --key rsa-2048 key (PKCS#8, plain)"
with_byte 02 pki/mqtt-server-3/private/mqtt-server-3.key.pem |
  seed key pkcs8-p384-nopass.bin "mode 2 (no passphrase) + mqttpki --key ec-p384 key"
openssl genrsa -traditional 2048 2>/dev/null >rsa-trad.pem
with_byte 00 rsa-trad.pem | seed key rsa-traditional.bin "mode 0 + openssl genrsa -traditional 2048 (BEGIN RSA PRIVATE KEY)"
openssl pkcs8 -topk8 -v2 aes-256-cbc -iter 1000 -in pki/mqtt-server-1/private/mqtt-server-1.key.pem \
  -passout "pass:$PASS" -out enc-p8.pem
with_byte 00 enc-p8.pem | seed key pkcs8-encrypted.bin "mode 0 + openssl pkcs8 -topk8 -v2 aes-256-cbc -iter 1000 -passout pass:$PASS"
with_byte 01 enc-p8.pem | seed key pkcs8-encrypted-mode1.bin "mode 1 (always the passphrase) + the same encrypted PKCS#8 key"
with_byte 03 enc-p8.pem | seed key pkcs8-encrypted-wrong.bin "mode 3 (wrong passphrase) + the same encrypted PKCS#8 key"
openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -iter 1000 -in pki/mqtt-server-1/private/mqtt-server-1.key.pem \
  -passout "pass:$PASS" -out enc-v1.pem 2>/dev/null && with_byte 00 enc-v1.pem |
  seed key pkcs8-pbes1-3des.bin "mode 0 + openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -iter 1000 (PKCS#12 PBE)" || true
openssl pkcs8 -topk8 -v2 aes-128-cbc -scrypt -scrypt_N 1024 -scrypt_r 8 -scrypt_p 1 \
  -in pki/mqtt-server-1/private/mqtt-server-1.key.pem -passout "pass:$PASS" -out enc-scrypt.pem
with_byte 00 enc-scrypt.pem | seed key pkcs8-scrypt.bin "mode 0 + openssl pkcs8 -topk8 -scrypt -scrypt_N 1024"
openssl ec -in ecpki/server-ca/private/server-ca.key.pem -aes256 -passout "pass:$PASS" -out legacy-enc.pem 2>/dev/null
with_byte 00 legacy-enc.pem | seed key legacy-encrypted-ec.bin "mode 0 + openssl ec -aes256 (traditional PEM, Proc-Type: 4,ENCRYPTED)"
with_byte 00 pki-enc/root-ca/private/root-ca.key.pem |
  seed key mqttpki-encrypted-ca.bin "mode 0 + mqttpki quickstart --passphrase-file root key (PBKDF2 100,000 rounds: slow)"
openssl genpkey -algorithm ed25519 2>/dev/null | { byte 00; cat; } |
  seed key ed25519.bin "mode 0 + openssl genpkey -algorithm ed25519"

echo "==> crl"
seed crl openssl-empty.crl.pem "openssl ca -gencrl, nothing revoked, crlNumber 1000" <oca/empty.crl.pem
seed crl openssl-two.crl.pem "openssl ca -revoke (keyCompromise, cACompromise) then -gencrl" <oca/two.crl.pem
seed crl openssl-two.crl.der "openssl crl -outform DER of openssl-two.crl.pem" <oca/two.crl.der
seed crl mqttpki-server-ca.crl.pem "mqttpki revoke (keyCompromise, superseded) then mqttpki crl: server-ca/crl/server-ca.crl.pem" <pki/server-ca/crl/server-ca.crl.pem
seed crl mqttpki-server-ca.crl.der "mqttpki crl: server-ca/crl/server-ca.crl.der" <pki/server-ca/crl/server-ca.crl.der
seed crl mqttpki-combined-crl.pem "mqttpki crl: crl.pem (every CA's CRL)" <pki/crl.pem

echo "==> san"
s=0
while IFS= read -r line; do
  s=$((s + 1))
  printf '%b' "$line" | seed san "san-$(printf %02d $s).txt" "the text '$line' (printf %b)"
done <<'EOF'
mqtt.example.com
DNS:mqtt.example.com
dns:MQTT.Example.COM
IP:10.0.0.5
10.0.0.5
ip:fd00::5
::ffff:192.168.0.1
*.example.com
DNS:*.example.com
my_host.local
300.1.1.1
1.2.3
a.b-c.d
DE\nMy IoT Cloud\nPKI\nmqtt.example.com\n10.0.0.5\nDNS:broker.example.com
DE\nÜnïcødé GmbH\nOps\n10.0.0.5\nfe80::1
aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com
EOF

# Brokers to record from: mosquitto (a plain listener that lets anyone in, one that lets nobody in; TLS listeners
# with the quickstart broker's files: open, mutual TLS, nobody in) and openssl s_server.
mosq=$(command -v mosquitto || { [ -x /usr/sbin/mosquitto ] && echo /usr/sbin/mosquitto; } || true)
declare -A port
for l in plain_open plain_closed tls_open tls_mtls tls_closed; do port[$l]=$(free_port); done
if [ -n "$mosq" ]; then
  chain=$work/pki/mqtt-server-1/mqtt-server-1.chain.pem
  key=$work/pki/mqtt-server-1/private/mqtt-server-1.key.pem
  cat >mosq.conf <<EOF
per_listener_settings true
user root
listener ${port[plain_open]} 127.0.0.1
allow_anonymous true
listener ${port[plain_closed]} 127.0.0.1
allow_anonymous false
listener ${port[tls_open]} 127.0.0.1
certfile $chain
keyfile $key
allow_anonymous true
listener ${port[tls_mtls]} 127.0.0.1
certfile $chain
keyfile $key
cafile $work/pki/ca-bundle.pem
require_certificate true
allow_anonymous true
listener ${port[tls_closed]} 127.0.0.1
certfile $chain
keyfile $key
allow_anonymous false
EOF
  "$mosq" -c mosq.conf >mosq.log 2>&1 &
  pids+=($!)
  sleep 0.7
else
  echo "make_corpus.sh: no mosquitto: the recorded broker seeds are left out" >&2
fi

echo "==> mqtt"
mq() { # mq NAME CONTROL_HEX BYTES_HEX HOW
  { byte "$2"; printf '%s' "$3" | xxd -r -p; } | seed mqtt "$1" "control 0x$2 + $3: $4"
}
mq v311-accepted.bin 00 20020000 "3.1.1 CONNACK, accepted"
mq v311-not-authorized.bin 00 20020105 "3.1.1 CONNACK, session present, not authorized"
mq v311-bytewise.bin 02 20020004 "3.1.1 CONNACK read one byte at a time, bad user name or password"
mq v5-success.bin 01 2003000000 "MQTT 5 CONNACK, success, no properties"
mq v5-refused-reason.bin 01 201300870f1f000c6e6f7420616c6c6f776564 "MQTT 5 CONNACK, Not authorized, Reason String"
# Every property a CONNACK may carry (MQTT 5, 3.2.2.3), built here so the lengths are right.
props=$(printf '%s' \
  11000000 3c  21 0014  24 01  25 01  27 00100000  12 0003 616263  22 000a  1f 0002 6f6b \
  26 0001 6b 0001 76  28 01  29 01  2a 00  13 003c  1a 0001 72  1c 0001 73  15 0001 6d  16 0002 0102 | tr -d ' ')
plen=$(( ${#props} / 2 ))
mq v5-all-properties.bin 01 "20$(printf %02x $((plen + 3)))0000$(printf %02x $plen)$props" "MQTT 5 CONNACK, success, every CONNACK property"
mq v5-chunked.bin 03 2003008000 "MQTT 5 CONNACK in 1-byte chunks, Unspecified error"
mq publish-not-connack.bin 00 300a0004746f7069636d7367 "a PUBLISH where the CONNACK should be"
mq long-remaining-length.bin 01 20ff7f0000 "CONNACK with a 2-byte remaining length that runs past the data"
mq http-reply.bin 00 "$(printf 'HTTP/1.1 400 Bad Request\r\n\r\n' | xxd -p | tr -d '\n')" "an HTTP server's answer"
if [ -n "$mosq" ]; then
  for v in 4 5; do
    for which in open closed; do
      python3 - "${port[plain_$which]}" "$v" >"connack-$v-$which.bin" <<'EOF' || true
import socket, sys
port, level = int(sys.argv[1]), int(sys.argv[2])
body = b"\x00\x04MQTT" + bytes([level, 0x02, 0x00, 0x1e]) + (b"\x00" if level == 5 else b"") + b"\x00\x05probe"
s = socket.create_connection(("127.0.0.1", port), timeout=3)
s.sendall(bytes([0x10, len(body)]) + body)
data = b""
try:
    while len(data) < 4096:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
except socket.timeout:
    pass
sys.stdout.buffer.write(data)
EOF
    done
  done
  for which in open closed; do
    anon=true
    [ "$which" = closed ] && anon=false
    if [ -s "connack-4-$which.bin" ]; then
      with_byte 00 "connack-4-$which.bin" | seed mqtt "mosquitto-v311-$which.bin" \
        "control 0x00 + what mosquitto (listener with allow_anonymous $anon) answers an MQTT 3.1.1 CONNECT"
    fi
    if [ -s "connack-5-$which.bin" ]; then
      with_byte 01 "connack-5-$which.bin" | seed mqtt "mosquitto-v5-$which.bin" \
        "control 0x01 + what mosquitto (listener with allow_anonymous $anon) answers an MQTT 5 CONNECT"
    fi
  done
fi

echo "==> tls"
# fuzz_tls's record mode: its own client (deterministic randomness, so the same ClientHello as when fuzzing) against
# a real server; the seed is the control byte and everything the server sent, handshake and CONNACK included.
# record NAME CONTROL PORT HOW
record() {
  if MQTTPKI_FUZZ_TLS_RECORD="127.0.0.1:$3" MQTTPKI_FUZZ_TLS_CONTROL="$2" MQTTPKI_FUZZ_TLS_OUT="$1" \
    "$FUZZ_TLS" >record.log 2>&1; then
    seed tls "$1" "fuzz_tls record mode, control $2, against $4 ($(grep '^recorded' record.log))" <"$1"
  else
    echo "make_corpus.sh: recording $1 failed:" >&2
    tail -3 record.log >&2
  fi
}
# s_server PORT ARGS...: openssl s_server with the quickstart broker's files, in the background.
s_server() {
  local p=$1
  shift
  openssl s_server -accept "127.0.0.1:$p" -quiet "$@" >/dev/null 2>&1 </dev/null &
  pids+=($!)
  for _ in $(seq 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $p), 0.1).close()" 2>/dev/null && return
    sleep 0.1
  done
}
if [ -x "$FUZZ_TLS" ]; then
  if [ -n "$mosq" ]; then
    record mosquitto-tls13-v311.bin 0x00 "${port[tls_open]}" "mosquitto TLS listener, anonymous allowed (TLS 1.3, CONNACK accepted)"
    record mosquitto-tls12-v311.bin 0x01 "${port[tls_open]}" "mosquitto TLS listener, client pinned to TLS 1.2"
    record mosquitto-tls13-v5.bin 0x08 "${port[tls_open]}" "mosquitto TLS listener, MQTT 5"
    record mosquitto-tls12-v5.bin 0x09 "${port[tls_open]}" "mosquitto TLS listener, TLS 1.2, MQTT 5"
    record mosquitto-tls13-ipname.bin 0x04 "${port[tls_open]}" "mosquitto TLS listener, name 127.0.0.1 (no SNI)"
    record mosquitto-tls13-chunked.bin 0x20 "${port[tls_open]}" "mosquitto TLS listener, replayed in 256-byte chunks"
    record mosquitto-tls12-chunked.bin 0x11 "${port[tls_open]}" "mosquitto TLS listener, TLS 1.2, replayed in 128-byte chunks"
    record mosquitto-tls13-mtls.bin 0x00 "${port[tls_mtls]}" "mosquitto require_certificate true (TLS 1.3: refused after the handshake)"
    record mosquitto-tls12-mtls.bin 0x01 "${port[tls_mtls]}" "mosquitto require_certificate true, TLS 1.2 (handshake alert)"
    record mosquitto-tls13-refused.bin 0x00 "${port[tls_closed]}" "mosquitto TLS listener, nobody allowed in (CONNACK 5)"
    record mosquitto-tls12-v5-refused.bin 0x09 "${port[tls_closed]}" "mosquitto TLS listener, nobody allowed in, TLS 1.2, MQTT 5 (CONNACK 0x87)"
  fi
  rsa_port=$(free_port)
  s_server "$rsa_port" -tls1_2 -cert pki/mqtt-server-2/certs/mqtt-server-2.cert.pem \
    -key pki/mqtt-server-2/private/mqtt-server-2.key.pem -cert_chain pki/server-ca/certs/server-ca.cert.pem
  record s-server-tls12-rsa.bin 0x00 "$rsa_port" "openssl s_server -tls1_2 with the RSA server (ECDHE-RSA)"
  rsakx_port=$(free_port)
  s_server "$rsakx_port" -tls1_2 -cipher AES128-GCM-SHA256 -cert pki/mqtt-server-2/certs/mqtt-server-2.cert.pem \
    -key pki/mqtt-server-2/private/mqtt-server-2.key.pem -cert_chain pki/server-ca/certs/server-ca.cert.pem
  record s-server-tls12-rsa-kx.bin 0x00 "$rsakx_port" "openssl s_server -tls1_2 -cipher AES128-GCM-SHA256 (RSA key exchange)"
  p384_port=$(free_port)
  s_server "$p384_port" -verify 1 -CAfile pki/ca-bundle.pem -cert pki/mqtt-server-3/certs/mqtt-server-3.cert.pem \
    -key pki/mqtt-server-3/private/mqtt-server-3.key.pem -cert_chain pki/server-ca/certs/server-ca.cert.pem
  record s-server-tls13-p384-certreq.bin 0x00 "$p384_port" "openssl s_server -verify 1, P-384 server (TLS 1.3 CertificateRequest)"
  record s-server-tls12-p384-certreq.bin 0x01 "$p384_port" "openssl s_server -verify 1, P-384 server, TLS 1.2"
  old_port=$(free_port)
  s_server "$old_port" -tls1_3 -cert pki/mqtt-server-1/certs/mqtt-server-1.cert.pem \
    -key pki/mqtt-server-1/private/mqtt-server-1.key.pem
  record s-server-no-common-version.bin 0x01 "$old_port" "openssl s_server -tls1_3 to a client pinned to TLS 1.2 (alert)"
else
  echo "make_corpus.sh: no $FUZZ_TLS (run scripts/fuzz.sh --build-only): the recorded TLS seeds are left out" >&2
fi
{ byte 00; printf '\x15\x03\x03\x00\x02\x02\x28'; } | seed tls alert-handshake-failure.bin "control 0x00 + a fatal handshake_failure alert record, by hand"
{ byte 00; printf '\x20\x02\x00\x00'; } | seed tls plain-mqtt.bin "control 0x00 + an MQTT CONNACK: the plain MQTT port, by hand"

echo "==> import"
# pack DIR FILE...: the files of DIR in fuzz_import's format ("@@@@ path" lines before each file).
pack() {
  local dir=$1
  shift
  for f in "$@"; do
    printf '@@@@ %s\n' "$f"
    cat "$dir/$f"
  done
}
tut=(root-ca/certs/root-ca.cert.pem root-ca/private/root-ca.key.pem
  server-ca/certs/server-ca.cert.pem server-ca/private/server-ca.key.pem server-ca/csr/server-ca.csr.pem
  mqtt-server-1/certs/mqtt-server.cert.pem mqtt-server-1/private/mqtt-server.key.pem mqtt-server-1/csr/mqtt-server.csr.pem
  ca-bundle.pem)
pack ecpki "${tut[@]}" | seed import tutorial.txt "tests/testdata/tutorial_pki.sh ecpki, its PKI files packed with '@@@@ path' headers"
pack ecpki "${tut[@]}" mqtt-server-1/mqtt-server.chain.pem root-ca/signcsr.conf server-ca/signcsr.conf \
  mqtt-server-1/mqtt-server.csr.conf root-ca/certs/root-ca.cert.srl 2>/dev/null |
  seed import tutorial-all-files.txt "tutorial_pki.sh ecpki with its chain, .conf and .srl files too" || true
pack ecpki root-ca/certs/root-ca.cert.pem server-ca/certs/server-ca.cert.pem server-ca/private/server-ca.key.pem \
  mqtt-server-1/certs/mqtt-server.cert.pem mqtt-server-1/private/mqtt-server.key.pem |
  seed import tutorial-no-root-key.txt "tutorial PKI without the root key, CSRs and bundle (imported with warnings)"
{ pack ecpki "${tut[@]}"; printf '@@@@ other-root/certs/root.pem\n'; cat pki/root-ca/certs/root-ca.cert.pem; } |
  seed import two-roots.txt "tutorial PKI plus a second self-signed root (refused)"
{ pack ecpki root-ca/certs/root-ca.cert.pem root-ca/private/root-ca.key.pem server-ca/certs/server-ca.cert.pem \
    server-ca/private/server-ca.key.pem; printf '@@@@ ca-bundle.pem\n'; cat pki/ca-bundle.pem; } |
  seed import foreign-bundle.txt "tutorial root and intermediate with a ca-bundle.pem that holds another root"
{ pack ecpki root-ca/certs/root-ca.cert.pem server-ca/certs/server-ca.cert.pem; printf '@@@@ server-ca/private/server-ca.key.pem\n'
  cat ecpki/mqtt-server-1/private/mqtt-server.key.pem; } |
  seed import key-mismatch.txt "tutorial root and intermediate, the intermediate's key replaced by another (refused)"
q=(root-ca/certs/root-ca.cert.pem root-ca/private/root-ca.key.pem server-ca/certs/server-ca.cert.pem
  server-ca/private/server-ca.key.pem server-ca/csr/server-ca.csr.pem mqtt-server-1/certs/mqtt-server-1.cert.pem
  mqtt-server-1/private/mqtt-server-1.key.pem mqtt-server-1/csr/mqtt-server-1.csr.pem ca-bundle.pem)
pack pki "${q[@]}" | seed import quickstart-plain.txt "mqttpki quickstart --no-passphrase, its PKI files packed"
pack pki-enc "${q[@]}" | seed import quickstart-encrypted.txt "mqttpki quickstart --passphrase-file (CA keys PBKDF2 100,000 rounds: slow)"

# --- device_csv: devices files, and an archive as `device sign --archive` writes it -------------------------
printf 'id,san\n# production line 7\ndev-000001\ndev-000002, dev-000002.local ,10.0.0.2\nsensor_01,fe80::1\n' |
  seed device_csv devices.csv "a devices file: header, comment, ids with DNS and IP SANs (written by hand)"
printf 'a\r\nb,c.example.com\r\n' | seed device_csv crlf.csv "a devices file with CRLF line ends (written by hand)"
"$MQTTPKI" --pki pki ca create device-ca --for client --no-passphrase >/dev/null
mkdir -p csrs && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -subj /CN=dev-a \
  -out csrs/a.csr 2>/dev/null
"$MQTTPKI" --pki pki device sign --csr-dir csrs --archive a.tar >/dev/null
seed device_csv archive-head.tar "mqttpki device sign --csr-dir (one CSR) --archive: certificate, chain and manifests, no key" <a.tar

echo "==> $(grep -vc '^#' "$manifest") seeds in $out"

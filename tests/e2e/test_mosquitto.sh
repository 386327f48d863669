#!/usr/bin/env bash
# mosquitto: real Mosquitto brokers on 127.0.0.1 run with the config snippet `mqttpki deploy --broker mosquitto`
# writes. Judged by mosquitto_pub/mosquitto_sub and openssl s_client; `mqttpki probe` is checked against them.
#
# Each broker's config is: `user root` (the tests run as root and the key is 0400 root), `allow_anonymous true`
# where the case has no client certificates (Mosquitto 2 refuses unauthenticated clients), then the deployed
# mosquitto.conf included verbatim (include_dir). The port comes from `deploy --port`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

for _tool in mosquitto mosquitto_pub mosquitto_sub; do
    command -v "$_tool" >/dev/null 2>&1 || { echo "Bail out! required tool missing: $_tool"; echo "0 passed, 1 failed"; exit 1; }
done

# --- brokers ----------------------------------------------------------------------------------------------
BROKER_PIDS=()
stop_brokers() { local p; for p in "${BROKER_PIDS[@]}"; do stop_pid "$p"; done; BROKER_PIDS=(); }
at_exit stop_brokers
stop_broker() { # PID
    local p keep=()
    stop_pid "$1"
    for p in "${BROKER_PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
    BROKER_PIDS=("${keep[@]}")
}

# broker_conf NAME DEPLOY_DIR [EXTRA_LINE...]: prints the path of a main config: `user root`, EXTRA_LINEs, then
# DEPLOY_DIR/mosquitto.conf included unchanged
broker_conf() {
    local name=$1 dep=$2; shift 2
    mkdir -p "$T/$name.conf.d"
    cp "$dep/mosquitto.conf" "$T/$name.conf.d/mosquitto.conf"
    { echo "user root"; printf '%s\n' "$@"; echo "include_dir $T/$name.conf.d"; } >"$T/$name.conf"
    echo "$T/$name.conf"
}

# start_broker NAME PORT CONF: mosquitto -c CONF in the background (log: $T/NAME.log), waits <= 5 s for PORT;
# sets BROKER_PID
BROKER_PID=""
start_broker() {
    local name=$1 port=$2 conf=$3
    mosquitto -c "$conf" >"$T/$name.log" 2>&1 </dev/null &
    BROKER_PID=$!
    BROKER_PIDS+=("$BROKER_PID")
    local w; w=$(wait_port 127.0.0.1 "$port" 5)
    if kill -0 "$BROKER_PID" 2>/dev/null && [ -z "$w" ]; then _pass "mosquitto '$name' is up on port $port"; return 0; fi
    _fail "mosquitto '$name' is up on port $port" "$w
--- $conf
$(cat "$conf")
--- log
$(cat "$T/$name.log")"
    return 1
}

# --- clients ---------------------------------------------------------------------------------------------
# OpenSSL configs that pin the TLS version of the mosquitto clients (their --tls-version is only a minimum)
for v in 1.2 1.3; do
    cat >"$T/pin-tls$v.cnf" <<EOF
openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MinProtocol = TLSv$v
MaxProtocol = TLSv$v
EOF
done

# roundtrip TLSVER HOST PORT CAFILE [CLIENT ARGS...]: mosquitto_sub (one message, 5 s at most) and mosquitto_pub
# over TLS TLSVER (pinned); passes when the subscriber prints the published message. The publisher starts once
# the subscriber has its SUBACK (stdbuf: mosquitto_sub's -d lines are block-buffered into a file).
roundtrip() {
    local v=$1 host=$2 port=$3 ca=$4; shift 4
    local topic="e2e/$RANDOM$RANDOM" msg="hello $RANDOM-$RANDOM over TLS $v" sub_out sub_pid rc_pub rc_sub
    sub_out=$(mktemp "$T/sub.XXXXXX")
    start_sub "$sub_out" env OPENSSL_CONF="$T/pin-tls$v.cnf" timeout -k 2 10 stdbuf -oL mosquitto_sub -d -h "$host" \
        -p "$port" --cafile "$ca" --tls-version "tlsv$v" -t "$topic" -C 1 -W 5 "$@"
    sub_pid=$SUB_PID
    OPENSSL_CONF=$T/pin-tls$v.cnf timeout -k 2 10 mosquitto_pub -h "$host" -p "$port" --cafile "$ca" \
        --tls-version "tlsv$v" -t "$topic" -m "$msg" "$@" </dev/null 2>&1
    rc_pub=$?
    wait "$sub_pid"; rc_sub=$?
    if [ $rc_pub -eq 0 ] && [ $rc_sub -eq 0 ] && grep -qxF -- "$msg" "$sub_out"; then return 0; fi
    echo "mosquitto_pub exit $rc_pub, mosquitto_sub exit $rc_sub; subscriber output:"; cat "$sub_out"
    return 1
}
# pub_once TLSVER HOST PORT CAFILE [ARGS...]: one mosquitto_pub, its exit code
pub_once() {
    local v=$1 host=$2 port=$3 ca=$4; shift 4
    OPENSSL_CONF=$T/pin-tls$v.cnf timeout -k 2 10 mosquitto_pub -h "$host" -p "$port" --cafile "$ca" \
        --tls-version "tlsv$v" -t e2e/once -m x "$@" </dev/null 2>&1
}
# s_client PORT [ARGS...]: openssl s_client against 127.0.0.1:PORT, SNI localhost
s_client() {
    local port=$1; shift
    timeout -k 2 10 openssl s_client -connect "127.0.0.1:$port" -servername localhost "$@" </dev/null 2>&1
}
# served_chain PORT FILE: the certificates the broker presents, in its order, as PEM
served_chain() { s_client "$1" -showcerts | sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' >"$2"; }
# same_chain A B: same certificates in the same order
same_chain() {
    local na nb i
    rm -f "$T"/sc-a-*.pem "$T"/sc-b-*.pem
    na=$(split_pem "$1" "$T/sc-a-"); nb=$(split_pem "$2" "$T/sc-b-")
    if [ "$na" != "$nb" ]; then echo "$1 has $na certificates, $2 has $nb"; return 1; fi
    for ((i = 1; i <= na; i++)); do
        same_cert "$T/sc-a-$i.pem" "$T/sc-b-$i.pem" || { echo "certificate $i differs"; return 1; }
    done
    [ "$na" -gt 0 ]
}
# s_client_ok PORT TLSVER CAFILE NAME: handshake at exactly TLS TLSVER, chain verified for NAME
s_client_ok() {
    local out flag=-tls1_2; [ "$2" = 1.3 ] && flag=-tls1_3
    out=$(s_client "$1" "$flag" -CAfile "$3" -verify_return_error -verify_hostname "$4")
    if grep -q "^New, TLSv$2, Cipher is" <<<"$out" && grep -q 'Verify return code: 0 (ok)' <<<"$out"; then return 0; fi
    echo "$out" | tail -n 30; return 1
}
last_line() { printf '%s\n' "$OUT_STDOUT" | tail -n1; }
last_line_starts() { # PREFIX
    local l; l=$(last_line)
    [[ $l == "$1"* ]] && return 0
    echo "last line: '$l', expected it to start with '$1'"; return 1
}
# probe_json_ok JSON TLSVER: ok, stage done, that TLS version, 2 certificates, every MQTT version got a CONNACK
probe_json_ok() {
    printf '%s' "$1" | python3 -c '
import json, sys
j = json.load(sys.stdin); want = sys.argv[1]
errs = []
if j.get("ok") is not True: errs.append("ok is %r" % j.get("ok"))
if j.get("stage") != "done": errs.append("stage is %r" % j.get("stage"))
if j.get("tls", {}).get("version") != "TLSv" + want: errs.append("tls.version is %r" % j.get("tls", {}).get("version"))
if len(j.get("chain", [])) != 2: errs.append("chain has %d certificates" % len(j.get("chain", [])))
m = j.get("mqtt", [])
if sorted(x.get("version") for x in m) != ["3.1.1", "5"]: errs.append("mqtt versions %r" % [x.get("version") for x in m])
for x in m:
    if x.get("connack") is not True or x.get("code") != 0: errs.append("mqtt %r" % x)
print("\n".join(errs)); sys.exit(1 if errs else 0)' "$2"
}

# --- the PKI: EC server (quickstart) and an RSA server --------------------------------------------------------
P=$T/pki
expect_exit 0 "quickstart (EC) for mqtt.example.com, localhost, 127.0.0.1" \
    "$MQTTPKI" --pki "$P" quickstart --san mqtt.example.com --san localhost --san 127.0.0.1 --no-passphrase
expect_exit 0 "server issue broker-rsa --key rsa-2048" \
    "$MQTTPKI" --pki "$P" server issue broker-rsa --san localhost --san 127.0.0.1 --key rsa-2048
check "broker-rsa is RSA 2048 (openssl)" test "$(pubkey_bits "$P/broker-rsa/certs/broker-rsa.cert.pem")" = 2048
OTHER=$T/other
expect_exit 0 "a second, unrelated PKI" \
    "$MQTTPKI" --pki "$OTHER" quickstart --san mqtt.example.com --san localhost --san 127.0.0.1 --no-passphrase

# --- server authentication: EC and RSA, TLS 1.2 and 1.3 ----------------------------------------------------------
EC_PORT=""
for c in ec:mqtt-server-1 rsa:broker-rsa; do
    kind=${c%%:*} name=${c#*:}
    port=$(free_port)
    D=$T/deploy-$kind
    expect_exit 0 "$kind: deploy $name --broker mosquitto --port $port" \
        "$MQTTPKI" --pki "$P" deploy "$name" --broker mosquitto --out "$D" --port "$port"
    check "$kind: snippet listens on $port" grep -qx "listener $port" "$D/mosquitto.conf"
    conf=$(broker_conf "$kind" "$D" "allow_anonymous true")
    start_broker "$kind" "$port" "$conf" || continue
    pid=$BROKER_PID
    served_chain "$port" "$T/served-$kind.pem"
    check "$kind: the broker presents $name.chain.pem (leaf, server-ca), as deployed" \
        same_chain "$T/served-$kind.pem" "$D/$name.chain.pem"
    for v in 1.2 1.3; do
        check "$kind TLS $v: openssl s_client -tls${v/./_} verifies for localhost" s_client_ok "$port" "$v" "$D/ca-bundle.pem" localhost
        check "$kind TLS $v: mosquitto_sub/mosquitto_pub round trip (-h localhost, --cafile ca-bundle.pem)" \
            roundtrip "$v" localhost "$port" "$D/ca-bundle.pem"
        check "$kind TLS $v: round trip via the IP SAN (-h 127.0.0.1)" roundtrip "$v" 127.0.0.1 "$port" "$D/ca-bundle.pem"
        expect_exit 0 "$kind TLS $v: probe 127.0.0.1:$port --bundle ca-bundle.pem --tls $v" \
            "$MQTTPKI" --pki "$P" probe "127.0.0.1:$port" --bundle "$D/ca-bundle.pem" --tls "$v"
        expect_out_contains "TLSv$v" "$kind TLS $v: probe reports TLSv$v"
        expect_out_contains "CONNACK" "$kind TLS $v: probe reports the CONNACK"
        check "$kind TLS $v: probe's last line is OK" last_line_starts "OK"
        expect_exit 0 "$kind TLS $v: probe --json" \
            "$MQTTPKI" --pki "$P" --json probe "127.0.0.1:$port" --bundle "$D/ca-bundle.pem" --tls "$v" --name localhost
        check "$kind TLS $v: probe --json: ok, TLSv$v, 2 certificates, CONNACK for 3.1.1 and 5" probe_json_ok "$OUT_STDOUT" "$v"
    done
    if [ "$kind" = rsa ]; then
        check "rsa: the broker's public key is RSA 2048 (s_client)" bash -c \
            "timeout 10 openssl s_client -connect 127.0.0.1:$port -servername localhost </dev/null 2>&1 | grep -q 'Server public key is 2048 bit'"
        stop_broker "$pid"
    else
        EC_PORT=$port
    fi
done

# --- failures against the (still running) EC broker -------------------------------------------------------------
if [ -n "$EC_PORT" ]; then
    D=$T/deploy-ec
    check_fails "mosquitto_pub with another PKI's ca-bundle.pem fails" pub_once 1.3 localhost "$EC_PORT" "$OTHER/ca-bundle.pem"
    check_fails "openssl s_client with another PKI's bundle fails verification" \
        s_client_ok "$EC_PORT" 1.3 "$OTHER/ca-bundle.pem" localhost
    expect_exit 1 "probe with another PKI's bundle" \
        "$MQTTPKI" --pki "$P" probe "127.0.0.1:$EC_PORT" --bundle "$OTHER/ca-bundle.pem"
    check "untrusted: last line 'FAILED (verify): untrusted'" last_line_starts "FAILED (verify): untrusted"

    check_fails "openssl s_client refuses the name wrong.example.com" s_client_ok "$EC_PORT" 1.3 "$D/ca-bundle.pem" wrong.example.com
    expect_exit 1 "probe --name wrong.example.com" \
        "$MQTTPKI" --pki "$P" probe "127.0.0.1:$EC_PORT" --bundle "$D/ca-bundle.pem" --name wrong.example.com
    check "name mismatch: last line 'FAILED (verify): name mismatch'" last_line_starts "FAILED (verify): name mismatch"
    expect_out_contains "wrong.example.com" "name mismatch names the name asked for"

    expect_exit 0 "probe --mqtt none stops after verification" \
        "$MQTTPKI" --pki "$P" probe "127.0.0.1:$EC_PORT" --bundle "$D/ca-bundle.pem" --mqtt none
    expect_out_not_contains "CONNACK" "--mqtt none sends no CONNECT"
fi

# nothing listening
port=$(free_port)
expect_exit 1 "probe a port nobody listens on" "$MQTTPKI" --pki "$P" probe "127.0.0.1:$port" --bundle "$P/ca-bundle.pem"
check "nothing listening: last line 'FAILED (tcp)'" last_line_starts "FAILED (tcp):"
expect_out_contains_i "refused" "nothing listening: the reason says 'refused'"

# a plain (non-TLS) MQTT listener
port=$(free_port)
printf 'user root\nallow_anonymous true\nlistener %s 127.0.0.1\n' "$port" >"$T/plain.conf"
if start_broker plain "$port" "$T/plain.conf"; then
    check "plain listener: mosquitto_pub without TLS works (it is an MQTT broker)" \
        timeout -k 2 10 mosquitto_pub -h 127.0.0.1 -p "$port" -t e2e/plain -m x
    expect_exit 1 "probe a plain MQTT port" "$MQTTPKI" --pki "$P" probe "127.0.0.1:$port" --bundle "$P/ca-bundle.pem" --timeout 3
    check "plain port: last line 'FAILED (tls)'" last_line_starts "FAILED (tls):"
    stop_broker "$BROKER_PID"
fi

# --- a broker whose certfile is [leaf, root, intermediate] -----------------------------------------------------
port=$(free_port)
D=$T/deploy-wrongorder
expect_exit 0 "deploy for the wrong-order broker" \
    "$MQTTPKI" --pki "$P" deploy mqtt-server-1 --broker mosquitto --out "$D" --port "$port"
cat "$P/mqtt-server-1/certs/mqtt-server-1.cert.pem" "$P/root-ca/certs/root-ca.cert.pem" \
    "$P/server-ca/certs/server-ca.cert.pem" >"$T/wrong-order.pem"
cp "$T/wrong-order.pem" "$D/mqtt-server-1.chain.pem"
if start_broker wrong-order "$port" "$(broker_conf wrong-order "$D" "allow_anonymous true")"; then
    served_chain "$port" "$T/served-wrong-order.pem"
    check "wrong order: the broker really presents [leaf, root, intermediate] (s_client)" \
        same_chain "$T/served-wrong-order.pem" "$T/wrong-order.pem"
    expect_exit 1 "probe the wrong-order broker" "$MQTTPKI" --pki "$P" probe "127.0.0.1:$port" --bundle "$P/ca-bundle.pem"
    check "wrong order: last line 'FAILED (verify): wrong order'" last_line_starts "FAILED (verify): wrong order"
    stop_broker "$BROKER_PID"
fi

# --- an expired server certificate (openssl ca, same key, signed by server-ca) ----------------------------------
EXPCA=$T/expca
mkdir -p "$EXPCA"; : >"$EXPCA/index.txt"; openssl rand -hex 16 >"$EXPCA/serial"
cat >"$EXPCA/ca.cnf" <<EOF
[ ca ]
default_ca = expired
[ expired ]
database = $EXPCA/index.txt
new_certs_dir = $EXPCA
serial = $EXPCA/serial
default_md = sha256
policy = pol
unique_subject = no
copy_extensions = none
x509_extensions = leaf
[ pol ]
commonName = supplied
organizationName = optional
[ leaf ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:mqtt.example.com, DNS:localhost, IP:127.0.0.1
EOF
check "openssl ca: a server certificate valid 2020-01-01 .. 2021-01-01 for the server key" \
    openssl ca -batch -config "$EXPCA/ca.cnf" -in "$P/mqtt-server-1/csr/mqtt-server-1.csr.pem" -preserveDN \
    -cert "$P/server-ca/certs/server-ca.cert.pem" -keyfile "$P/server-ca/private/server-ca.key.pem" \
    -startdate 20200101000000Z -enddate 20210101000000Z -notext -out "$T/expired.cert.pem"
port=$(free_port)
D=$T/deploy-expired
expect_exit 0 "deploy for the expired broker" \
    "$MQTTPKI" --pki "$P" deploy mqtt-server-1 --broker mosquitto --out "$D" --port "$port"
cat "$T/expired.cert.pem" "$P/server-ca/certs/server-ca.cert.pem" >"$D/mqtt-server-1.chain.pem"
if start_broker expired "$port" "$(broker_conf expired "$D" "allow_anonymous true")"; then
    check "expired: openssl s_client says 'certificate has expired'" bash -c \
        "timeout 10 openssl s_client -connect 127.0.0.1:$port -servername localhost -CAfile '$P/ca-bundle.pem' -verify_return_error </dev/null 2>&1 | grep -q 'certificate has expired'"
    check_fails "expired: mosquitto_pub refuses the broker" pub_once 1.3 localhost "$port" "$P/ca-bundle.pem"
    expect_exit 1 "probe the expired broker" "$MQTTPKI" --pki "$P" probe "127.0.0.1:$port" --bundle "$P/ca-bundle.pem"
    check "expired: last line 'FAILED (verify): expired'" last_line_starts "FAILED (verify): expired"
    stop_broker "$BROKER_PID"
fi

# --- deploy --tls 1.3: TLS 1.2 clients are turned away ------------------------------------------------------------
port=$(free_port)
D=$T/deploy-tls13
expect_exit 0 "deploy --tls 1.3" "$MQTTPKI" --pki "$P" deploy mqtt-server-1 --broker mosquitto --out "$D" --port "$port" --tls 1.3
check "--tls 1.3: snippet has tls_version tlsv1.3" grep -qx "tls_version tlsv1.3" "$D/mosquitto.conf"
if start_broker tls13 "$port" "$(broker_conf tls13 "$D" "allow_anonymous true")"; then
    check "--tls 1.3: s_client -tls1_3 works" s_client_ok "$port" 1.3 "$D/ca-bundle.pem" localhost
    check_fails "--tls 1.3: s_client -tls1_2 is refused" s_client_ok "$port" 1.2 "$D/ca-bundle.pem" localhost
    check "--tls 1.3: round trip at TLS 1.3" roundtrip 1.3 localhost "$port" "$D/ca-bundle.pem"
    check_fails "--tls 1.3: mosquitto_pub pinned to TLS 1.2 is refused (the pin works)" pub_once 1.2 localhost "$port" "$D/ca-bundle.pem"
    expect_exit 1 "--tls 1.3 broker: probe --tls 1.2" "$MQTTPKI" --pki "$P" probe "127.0.0.1:$port" --bundle "$D/ca-bundle.pem" --tls 1.2
    check "--tls 1.3 broker, probe --tls 1.2: last line 'FAILED (tls)'" last_line_starts "FAILED (tls):"
    expect_exit 0 "--tls 1.3 broker: probe --tls 1.3" "$MQTTPKI" --pki "$P" probe "127.0.0.1:$port" --bundle "$D/ca-bundle.pem" --tls 1.3
    stop_broker "$BROKER_PID"
fi

# --- mutual TLS --------------------------------------------------------------------------------------------------
expect_exit 0 "csr create dev1 --profile client" "$MQTTPKI" --pki "$P" csr create dev1 --profile client
expect_exit 0 "csr sign dev1.csr.pem --profile client --name dev1-signed" \
    "$MQTTPKI" --pki "$P" csr sign "$P/dev1/csr/dev1.csr.pem" --profile client --name dev1-signed
CKEY=$P/dev1/private/dev1.key.pem
CCERT=$P/dev1-signed/certs/dev1-signed.cert.pem
CCHAIN=$P/dev1-signed/dev1-signed.chain.pem
for f in "$CKEY" "$CCERT" "$CCHAIN"; do check "client: ${f#"$P"/} exists" test -f "$f"; done
check "client: key is 0400" mode_is "$CKEY" 400
check "client: the key matches the certificate" pubkeys_match "$CCERT" "$CKEY"
check "client: chain is [leaf, server-ca]" bash -c "[ \"\$(grep -c 'BEGIN CERTIFICATE' '$CCHAIN')\" = 2 ]"
check "client: openssl verify -purpose sslclient" \
    openssl verify -x509_strict -purpose sslclient -CAfile "$P/ca-bundle.pem" -untrusted "$CCHAIN" "$CCHAIN"
check "client: CN is dev1" test "$(subject_cn "$CCERT")" = dev1
# a client of the other PKI
expect_exit 0 "other PKI: csr create intruder --profile client" "$MQTTPKI" --pki "$OTHER" csr create intruder --profile client
expect_exit 0 "other PKI: csr sign intruder" \
    "$MQTTPKI" --pki "$OTHER" csr sign "$OTHER/intruder/csr/intruder.csr.pem" --profile client

port=$(free_port)
D=$T/deploy-mtls
expect_exit 0 "deploy --mtls" "$MQTTPKI" --pki "$P" deploy mqtt-server-1 --broker mosquitto --out "$D" --port "$port" --mtls
check "--mtls: require_certificate true" grep -qx "require_certificate true" "$D/mosquitto.conf"
check "--mtls: use_identity_as_username true" grep -qx "use_identity_as_username true" "$D/mosquitto.conf"
# no allow_anonymous here: the client certificate is the authentication
if start_broker mtls "$port" "$(broker_conf mtls "$D")"; then
    for v in 1.2 1.3; do
        check "mTLS TLS $v: round trip with --cert dev1 chain --key" \
            roundtrip "$v" localhost "$port" "$D/ca-bundle.pem" --cert "$CCHAIN" --key "$CKEY"
        check_fails "mTLS TLS $v: mosquitto_pub without a client certificate fails" pub_once "$v" localhost "$port" "$D/ca-bundle.pem"
        check_fails "mTLS TLS $v: mosquitto_pub with another PKI's client certificate fails" pub_once "$v" localhost "$port" \
            "$D/ca-bundle.pem" --cert "$OTHER/intruder/intruder.chain.pem" --key "$OTHER/intruder/private/intruder.key.pem"
        expect_exit 0 "mTLS TLS $v: probe --cert --key" "$MQTTPKI" --pki "$P" probe "127.0.0.1:$port" \
            --bundle "$D/ca-bundle.pem" --cert "$CCHAIN" --key "$CKEY" --tls "$v"
        expect_out_contains "CONNACK" "mTLS TLS $v: probe with a client certificate gets a CONNACK"
        expect_exit 1 "mTLS TLS $v: probe without a client certificate" \
            "$MQTTPKI" --pki "$P" probe "127.0.0.1:$port" --bundle "$D/ca-bundle.pem" --tls "$v"
        check "mTLS TLS $v, no client certificate: last line 'FAILED (tls)'" last_line_starts "FAILED (tls):"
        check "mTLS TLS $v, no client certificate: the reason mentions a client certificate" \
            bash -c 'grep -qi "client certificate" <<<"$1"' _ "$(last_line)"
        expect_exit 1 "mTLS TLS $v: probe with another PKI's client certificate" \
            "$MQTTPKI" --pki "$P" probe "127.0.0.1:$port" --bundle "$D/ca-bundle.pem" --tls "$v" \
            --cert "$OTHER/intruder/intruder.chain.pem" --key "$OTHER/intruder/private/intruder.key.pem"
        check "mTLS TLS $v, foreign client certificate: last line 'FAILED (tls)'" last_line_starts "FAILED (tls):"
        check "mTLS TLS $v, foreign client certificate: the reason mentions the client certificate" \
            bash -c 'grep -qi "client certificate" <<<"$1"' _ "$(last_line)"
    done
    expect_exit 3 "mTLS: probe --cert with a --key that does not match" "$MQTTPKI" --pki "$P" probe "127.0.0.1:$port" \
        --bundle "$D/ca-bundle.pem" --cert "$CCHAIN" --key "$OTHER/intruder/private/intruder.key.pem"
    expect_error_prefix "mismatched --key: 'mqttpki: error: ' on stderr"
    check "mTLS: the broker took the certificate CN as user name (log: u'dev1')" grep -qF "u'dev1'" "$T/mtls.log"
    stop_broker "$BROKER_PID"
fi

# --- a server that accepts and then says nothing: each stage is bounded by --timeout ----------------------------
SILENT_PORT=$(free_port)
python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5); held = []
while True:
    c, _ = s.accept(); held.append(c)' "$SILENT_PORT" &
SILENT_PID=$!
at_exit stop_pid "$SILENT_PID"
wait_port 127.0.0.1 "$SILENT_PORT" 5
t0=${EPOCHREALTIME/[.,]/}
expect_exit 1 "probe of a server that never answers the handshake" \
    "$MQTTPKI" --pki "$P" probe "127.0.0.1:$SILENT_PORT" --timeout 1
t1=${EPOCHREALTIME/[.,]/}
expect_out_contains "FAILED (tls): the broker did not answer during the handshake within 1000 ms" "names the stage"
check "the silent server held the probe about 1 s, not longer" test $(( (t1 - t0) / 1000 )) -lt 3000
stop_pid "$SILENT_PID"

stop_brokers
finish

#!/usr/bin/env bash
# deploy: the files and config snippets for the six brokers, judged by openssl, keytool, a JKS loader (what HiveMQ
# CE does), bash (ThingsBoard sources thingsboard.conf) and python's XML parser.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

for _tool in keytool java; do
    command -v "$_tool" >/dev/null 2>&1 || { echo "Bail out! required tool missing: $_tool"; echo "0 passed, 1 failed"; exit 1; }
done

BROKERS="mosquitto thingsboard emqx hivemq vernemq nanomq"
snippet_of() { # BROKER
    case $1 in
        mosquitto) echo mosquitto.conf ;; thingsboard) echo thingsboard.conf ;; emqx) echo emqx.conf ;;
        hivemq) echo hivemq-listener.xml ;; vernemq) echo vernemq.conf ;; nanomq) echo nanomq.conf ;;
    esac
}

# --- helpers ---------------------------------------------------------------------------------------------
# no_group_other_write FILE
no_go_write() {
    local m; m=$(stat -c %a "$1" 2>/dev/null) || { echo "$1 missing"; return 1; }
    (( (8#$m & 8#022) == 0 )) && return 0
    echo "$1 is mode $m (group/other may write)"; return 1
}
# snippet_body BROKER FILE: the lines a broker reads (no comments; for HiveMQ the <tls-tcp-listener> element)
snippet_body() {
    case $1 in
        hivemq) sed -n '/<tls-tcp-listener>/,/<\/tls-tcp-listener>/p' "$2" ;;
        *) grep -v '^[[:space:]]*#' "$2" ;;
    esac
}
# snippet_paths BROKER FILE: every absolute path in what the broker reads (HiveMQ: the <path> elements)
snippet_paths() {
    if [ "$1" = hivemq ]; then snippet_body "$1" "$2" | sed -n 's:.*<path>\(.*\)</path>.*:\1:p' | sort -u
    else snippet_body "$1" "$2" | grep -oE '/[A-Za-z0-9._/+-]+' | sort -u; fi
}
# all_paths_exist BROKER FILE
all_paths_exist() {
    local p n=0 bad=""
    while read -r p; do
        n=$((n + 1)); [ -f "$p" ] || bad+=" $p"
    done < <(snippet_paths "$1" "$2")
    if [ "$n" -eq 0 ]; then echo "no paths in $2"; return 1; fi
    [ -z "$bad" ] && return 0
    echo "missing:$bad"; return 1
}
# all_paths_under BROKER FILE DIR: every path is DIR/<a file that exists in OUTDIR> (OUTDIR = 4th arg)
all_paths_under() {
    local p n=0 bad=""
    while read -r p; do
        n=$((n + 1))
        if [ "${p%/*}" != "$3" ] || [ ! -f "$4/${p##*/}" ]; then bad+=" $p"; fi
    done < <(snippet_paths "$1" "$2")
    if [ "$n" -eq 0 ]; then echo "no paths in $2"; return 1; fi
    [ -z "$bad" ] && return 0
    echo "not $3/<file in $4>:$bad"; return 1
}
# kv FILE KEY: value of a "KEY = VALUE" / "KEY VALUE" / "export KEY=VALUE" line (quotes stripped)
conf_value() { # STYLE FILE KEY
    case $1 in
        space) awk -v k="$3" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$2" ;;
        eq) sed -n "s/^[[:space:]]*$3[[:space:]]*=[[:space:]]*//p" "$2" | head -n1 | sed 's/^"\(.*\)"$/\1/' ;;
    esac
}
has_line() { # FILE REGEX (whole line, extended, leading/trailing blanks ignored)
    grep -qE "^[[:space:]]*$2[[:space:]]*\$" "$1" && return 0
    echo "no line matching '$2' in ${1##*/}:"; cat "$1"; return 1
}
no_line() {
    grep -qE "^[[:space:]]*$2[[:space:]]*\$" "$1" || return 0
    echo "unexpected line matching '$2' in ${1##*/}"; return 1
}
# tb_env FILE VAR: VAR after sourcing thingsboard.conf the way ThingsBoard's start script does (bash, clean env)
tb_env() { env -i PATH=/usr/bin:/bin bash -c 'source "$1" >/dev/null 2>&1; printf "%s" "${!2-__UNSET__}"' _ "$1" "$2"; }
tb_sources_cleanly() { # FILE
    local out; out=$(env -i PATH=/usr/bin:/bin bash -euc 'source "$1"' _ "$1" 2>&1) && [ -z "$out" ] && return 0
    echo "sourcing ${1##*/} printed/failed: $out"; return 1
}
# xml_get FILE XPATH: text of XPATH inside the <tls-tcp-listener> element
xml_get() {
    sed -n '/<tls-tcp-listener>/,/<\/tls-tcp-listener>/p' "$1" | python3 -c '
import sys, xml.etree.ElementTree as E
e = E.fromstring(sys.stdin.read()).find(sys.argv[1])
print(e.text if e is not None and e.text else "")' "$2"
}
xml_well_formed() { python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$1" 2>&1 | tail -n1; [ "${PIPESTATUS[0]}" -eq 0 ]; }
braces_balanced() {
    local o c; o=$(tr -cd '{' <"$1" | wc -c); c=$(tr -cd '}' <"$1" | wc -c)
    [ "$o" -eq "$c" ] && [ "$o" -gt 0 ] && return 0
    echo "${1##*/}: $o '{' and $c '}'"; return 1
}
# p12_certs P12 PASS OUT: the certificates in the keystore, as PEM
p12_certs() { openssl pkcs12 -in "$1" -passin "pass:$2" -nokeys 2>/dev/null | sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' >"$3"; }
# same_cert_set A B: the same certificates (any order)
cert_fps() { # FILE -> sorted fingerprints
    local n i; rm -f "$T"/fp-*.pem
    n=$(split_pem "$1" "$T/fp-")
    for ((i = 1; i <= n; i++)); do fingerprint "$T/fp-$i.pem"; done | sort
}
same_cert_set() {
    local a b; a=$(cert_fps "$1"); b=$(cert_fps "$2")
    [ -n "$a" ] && [ "$a" = "$b" ] && return 0
    echo "certificates differ:"; echo "$a"; echo "--"; echo "$b"; return 1
}
keytool_has() { # STORE PASS ENTRYTYPE
    local out; out=$(keytool -list -keystore "$1" -storepass "$2" 2>&1)
    grep -q "$3" <<<"$out" && return 0
    echo "$out"; return 1
}
# p12_key_matches P12 PASS CERT: the keystore's private key is the certificate's key
p12_key_matches() {
    local a b
    a=$(openssl pkcs12 -in "$1" -passin "pass:$2" -nocerts -nodes 2>/dev/null | openssl pkey -pubout 2>/dev/null)
    b=$(openssl x509 -in "$3" -noout -pubkey)
    [ -n "$a" ] && [ "$a" = "$b" ] && return 0
    echo "key in $1 does not match $3"; return 1
}
# the JKS check HiveMQ CE does: KeyStore.getInstance("JKS") (the JDK's dual-format keystore reads PKCS#12 too)
mkdir -p "$T/java"
cat >"$T/java/Check.java" <<'EOF'
import java.io.FileInputStream;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Collections;

public class Check {
    public static void main(String[] args) throws Exception {
        char[] pw = args[1].toCharArray();
        KeyStore ks = KeyStore.getInstance("JKS");
        try (FileInputStream in = new FileInputStream(args[0])) { ks.load(in, pw); }
        int keys = 0;
        for (String alias : Collections.list(ks.aliases())) {
            if (!ks.isKeyEntry(alias)) continue;
            keys++;
            Key k = ks.getKey(alias, pw);
            Certificate[] chain = ks.getCertificateChain(alias);
            System.out.println("alias=" + alias + " key=" + (k == null ? "none" : k.getAlgorithm())
                + " chain=" + (chain == null ? 0 : chain.length));
        }
        System.out.println("keys=" + keys);
    }
}
EOF
jks_chain_len_is() { # STORE PASS N
    local out; out=$(cd "$T/java" && timeout 60 java Check.java "$1" "$2" 2>&1)
    grep -q "chain=$3\$" <<<"$out" && grep -q '^keys=1$' <<<"$out" && ! grep -q 'key=none' <<<"$out" && return 0
    echo "$out"; return 1
}

# --- PKIs ------------------------------------------------------------------------------------------------
P=$T/pki
expect_exit 0 "quickstart (no passphrase)" "$MQTTPKI" --pki "$P" quickstart --san mqtt.example.com --san 10.0.0.5 --no-passphrase
NAME=mqtt-server-1
CHAIN=$P/$NAME/$NAME.chain.pem
LEAF=$P/$NAME/certs/$NAME.cert.pem

# --- every broker, defaults ------------------------------------------------------------------------------------
for b in $BROKERS; do
    O=$T/out-$b
    S=$O/$(snippet_of "$b")
    expect_exit 0 "$b: deploy" "$MQTTPKI" --pki "$P" deploy "$NAME" --broker "$b" --out "$O"
    check "$b: $(snippet_of "$b") written" test -f "$S"
    check "$b: ca-bundle.pem is the PKI's bundle" cmp "$O/ca-bundle.pem" "$P/ca-bundle.pem"
    check "$b: ca-bundle.pem not writable by others" no_go_write "$O/ca-bundle.pem"
    check "$b: every path in the snippet exists" all_paths_exist "$b" "$S"
    check "$b: every path in the snippet is absolute, in --out" all_paths_under "$b" "$S" "$O" "$O"
    if [ "$b" != hivemq ]; then
        check "$b: $NAME.chain.pem is 2 certificates" test "$(cert_count "$O/$NAME.chain.pem")" = 2
        check "$b: $NAME.chain.pem = the PKI's chain file" cmp "$O/$NAME.chain.pem" "$CHAIN"
        check "$b: chain verifies (openssl verify -x509_strict -purpose sslserver -verify_hostname)" \
            ossl_verify "$O/ca-bundle.pem" "$O/$NAME.chain.pem" -verify_hostname mqtt.example.com
        check "$b: chain file not writable by others" no_go_write "$O/$NAME.chain.pem"
        check "$b: $NAME.key.pem is 0400" mode_is "$O/$NAME.key.pem" 400
        check "$b: $NAME.key.pem is unencrypted PKCS#8" first_line_is "$O/$NAME.key.pem" "-----BEGIN PRIVATE KEY-----"
        check "$b: key matches the certificate (pkey -pubout = x509 -pubkey)" pubkeys_match "$O/$NAME.chain.pem" "$O/$NAME.key.pem"
    fi
done

# mosquitto
S=$T/out-mosquitto/mosquitto.conf; O=$T/out-mosquitto
check "mosquitto: listener 8883" has_line "$S" "listener 8883"
check "mosquitto: cafile = ca-bundle.pem" test "$(conf_value space "$S" cafile)" = "$O/ca-bundle.pem"
check "mosquitto: certfile = the chain" test "$(conf_value space "$S" certfile)" = "$O/$NAME.chain.pem"
check "mosquitto: keyfile = the key" test "$(conf_value space "$S" keyfile)" = "$O/$NAME.key.pem"
check "mosquitto: tls_version tlsv1.2" has_line "$S" "tls_version tlsv1.2"
check "mosquitto: no require_certificate without --mtls" no_line "$S" "require_certificate.*"
check "mosquitto: snippet not writable by others" no_go_write "$S"
# emqx
S=$T/out-emqx/emqx.conf; O=$T/out-emqx
check "emqx: listeners.ssl.default block" has_line "$S" 'listeners\.ssl\.default \{'
check "emqx: bind port 8883" has_line "$S" 'bind = "0\.0\.0\.0:8883"'
check "emqx: ssl_options block" has_line "$S" 'ssl_options \{'
check "emqx: cacertfile" test "$(conf_value eq "$S" cacertfile)" = "$O/ca-bundle.pem"
check "emqx: certfile" test "$(conf_value eq "$S" certfile)" = "$O/$NAME.chain.pem"
check "emqx: keyfile" test "$(conf_value eq "$S" keyfile)" = "$O/$NAME.key.pem"
check "emqx: verify = verify_none without --mtls" has_line "$S" "verify = verify_none"
check "emqx: braces balanced" braces_balanced "$S"
# vernemq
S=$T/out-vernemq/vernemq.conf; O=$T/out-vernemq
check "vernemq: listener.ssl.default on 8883" has_line "$S" 'listener\.ssl\.default = [0-9.]+:8883'
check "vernemq: listener.ssl.cafile" test "$(conf_value eq "$S" 'listener\.ssl\.cafile')" = "$O/ca-bundle.pem"
check "vernemq: listener.ssl.certfile" test "$(conf_value eq "$S" 'listener\.ssl\.certfile')" = "$O/$NAME.chain.pem"
check "vernemq: listener.ssl.keyfile" test "$(conf_value eq "$S" 'listener\.ssl\.keyfile')" = "$O/$NAME.key.pem"
check "vernemq: every setting is 'key = value'" bash -c "! grep -v '^#' '$S' | grep -v '^\$' | grep -vE '^[a-z0-9_.]+ = [^ ].*\$'"
check "vernemq: no require_certificate = on without --mtls" no_line "$S" 'listener\.ssl\.require_certificate = on'
# nanomq
S=$T/out-nanomq/nanomq.conf; O=$T/out-nanomq
check "nanomq: listeners.ssl block" has_line "$S" 'listeners\.ssl \{'
check "nanomq: bind port 8883" has_line "$S" 'bind = "0\.0\.0\.0:8883"'
check "nanomq: keyfile" test "$(conf_value eq "$S" keyfile)" = "$O/$NAME.key.pem"
check "nanomq: certfile" test "$(conf_value eq "$S" certfile)" = "$O/$NAME.chain.pem"
check "nanomq: cacertfile" test "$(conf_value eq "$S" cacertfile)" = "$O/ca-bundle.pem"
check "nanomq: verify_peer = false without --mtls" has_line "$S" "verify_peer = false"
check "nanomq: braces balanced" braces_balanced "$S"
# thingsboard (PEM, key not encrypted)
S=$T/out-thingsboard/thingsboard.conf; O=$T/out-thingsboard
check "thingsboard: sources cleanly with bash -eu" tb_sources_cleanly "$S"
check "thingsboard: has 'export MQTT_SSL_ENABLED=true'" has_line "$S" "export MQTT_SSL_ENABLED=true"
check "thingsboard: MQTT_SSL_ENABLED=true" test "$(tb_env "$S" MQTT_SSL_ENABLED)" = true
check "thingsboard: MQTT_SSL_CREDENTIALS_TYPE=PEM" test "$(tb_env "$S" MQTT_SSL_CREDENTIALS_TYPE)" = PEM
check "thingsboard: MQTT_SSL_BIND_PORT=8883" test "$(tb_env "$S" MQTT_SSL_BIND_PORT)" = 8883
check "thingsboard: MQTT_SSL_PEM_CERT is the chain" test "$(tb_env "$S" MQTT_SSL_PEM_CERT)" = "$O/$NAME.chain.pem"
check "thingsboard: MQTT_SSL_PEM_KEY is the key" test "$(tb_env "$S" MQTT_SSL_PEM_KEY)" = "$O/$NAME.key.pem"
check "thingsboard: MQTT_SSL_PEM_CERT file exists" test -f "$(tb_env "$S" MQTT_SSL_PEM_CERT)"
check "thingsboard: MQTT_SSL_PEM_KEY file exists" test -f "$(tb_env "$S" MQTT_SSL_PEM_KEY)"
# hivemq
S=$T/out-hivemq/hivemq-listener.xml; O=$T/out-hivemq
check "hivemq: hivemq-listener.xml is 0400 (holds the keystore password)" mode_is "$S" 400
check "hivemq: $NAME.p12 is 0400" mode_is "$O/$NAME.p12" 400
check "hivemq: hivemq-listener.xml is well-formed XML (python xml.etree)" xml_well_formed "$S"
check "hivemq: <port>8883</port>" test "$(xml_get "$S" port)" = 8883
check "hivemq: keystore path is $NAME.p12" test "$(xml_get "$S" tls/keystore/path)" = "$O/$NAME.p12"
HPW=$(xml_get "$S" tls/keystore/password)
check "hivemq: keystore password present (>= 16 chars)" test "${#HPW}" -ge 16
check "hivemq: private-key-password = keystore password" test "$(xml_get "$S" tls/keystore/private-key-password)" = "$HPW"
check "hivemq: client-authentication-mode NONE without --mtls" test "$(xml_get "$S" tls/client-authentication-mode)" = NONE
check "hivemq: no truststore without --mtls" test -z "$(xml_get "$S" tls/truststore/path)"
check "hivemq: keytool -list shows a PrivateKeyEntry" keytool_has "$O/$NAME.p12" "$HPW" PrivateKeyEntry
p12_certs "$O/$NAME.p12" "$HPW" "$T/hivemq-p12-certs.pem"
check "hivemq: the keystore holds 2 certificates (openssl pkcs12 -nokeys)" test "$(cert_count "$T/hivemq-p12-certs.pem")" = 2
check "hivemq: they are the chain file's certificates (fingerprints)" same_cert_set "$T/hivemq-p12-certs.pem" "$CHAIN"
check "hivemq: the keystore's key matches the leaf" p12_key_matches "$O/$NAME.p12" "$HPW" "$LEAF"
check_fails "hivemq: a wrong password does not open the keystore" keytool_has "$O/$NAME.p12" "wrong-$HPW" PrivateKeyEntry
check "hivemq: KeyStore.getInstance(\"JKS\") loads $NAME.p12, chain length 2" jks_chain_len_is "$O/$NAME.p12" "$HPW" 2

# --- --mtls, --port, --tls 1.3 -------------------------------------------------------------------------------------
for b in $BROKERS; do
    expect_exit 0 "$b: deploy --mtls --port 8884 --tls 1.3" \
        "$MQTTPKI" --pki "$P" deploy "$NAME" --broker "$b" --out "$T/mtls-$b" --mtls --port 8884 --tls 1.3
    check "$b --mtls: every path in the snippet exists" all_paths_exist "$b" "$T/mtls-$b/$(snippet_of "$b")"
done
expect_exit 0 "mosquitto: deploy --port 8884 again (--force)" \
    "$MQTTPKI" --pki "$P" deploy "$NAME" --broker mosquitto --out "$T/mtls-mosquitto" --mtls --port 8884 --tls 1.3 --force
expect_out_contains "Check it with 'mqttpki probe HOST:8884 --bundle ca-bundle.pem'" \
    "mosquitto: the instructions name the probe command for the port"
S=$T/mtls-mosquitto/mosquitto.conf
check "mosquitto --mtls: require_certificate true" has_line "$S" "require_certificate true"
check "mosquitto --mtls: use_identity_as_username true" has_line "$S" "use_identity_as_username true"
check "mosquitto --mtls: cafile (the CA clients are checked against)" test "$(conf_value space "$S" cafile)" = "$T/mtls-mosquitto/ca-bundle.pem"
check "mosquitto --port 8884: listener 8884" has_line "$S" "listener 8884"
check "mosquitto --tls 1.3: tls_version tlsv1.3" has_line "$S" "tls_version tlsv1.3"
S=$T/mtls-emqx/emqx.conf
check "emqx --mtls: verify = verify_peer" has_line "$S" "verify = verify_peer"
check "emqx --mtls: fail_if_no_peer_cert = true" has_line "$S" "fail_if_no_peer_cert = true"
check "emqx --mtls: peer_cert_as_username = cn" has_line "$S" "(mqtt\.)?peer_cert_as_username = cn"
check "emqx --port 8884" has_line "$S" 'bind = "0\.0\.0\.0:8884"'
check "emqx --tls 1.3: versions = [\"tlsv1.3\"]" has_line "$S" 'versions = \["tlsv1\.3"\]'
check "emqx --mtls: braces balanced" braces_balanced "$S"
S=$T/mtls-vernemq/vernemq.conf
check "vernemq --mtls: listener.ssl.require_certificate = on" has_line "$S" 'listener\.ssl\.require_certificate = on'
check "vernemq --mtls: use_identity_as_username = on" has_line "$S" 'listener\.ssl\.use_identity_as_username = on'
check "vernemq --port 8884" has_line "$S" 'listener\.ssl\.default = [0-9.]+:8884'
check "vernemq --tls 1.3: tls_version = tlsv1.3" has_line "$S" 'listener\.ssl\.tls_version = tlsv1\.3'
S=$T/mtls-nanomq/nanomq.conf
check "nanomq --mtls: verify_peer = true" has_line "$S" "verify_peer = true"
check "nanomq --mtls: fail_if_no_peer_cert = true" has_line "$S" "fail_if_no_peer_cert = true"
check "nanomq --port 8884" has_line "$S" 'bind = "0\.0\.0\.0:8884"'
S=$T/mtls-thingsboard/thingsboard.conf
check "thingsboard --port 8884: MQTT_SSL_BIND_PORT=8884" test "$(tb_env "$S" MQTT_SSL_BIND_PORT)" = 8884
check "thingsboard --tls 1.3: MQTT_SSL_PROTOCOL=TLSv1.3" test "$(tb_env "$S" MQTT_SSL_PROTOCOL)" = TLSv1.3
S=$T/mtls-hivemq/hivemq-listener.xml; O=$T/mtls-hivemq
check "hivemq --mtls: client-authentication-mode REQUIRED" test "$(xml_get "$S" tls/client-authentication-mode)" = REQUIRED
check "hivemq --mtls: truststore is ca-bundle.p12" test "$(xml_get "$S" tls/truststore/path)" = "$O/ca-bundle.p12"
TPW=$(xml_get "$S" tls/truststore/password)
check "hivemq --mtls: keytool lists a trustedCertEntry in the truststore" keytool_has "$O/ca-bundle.p12" "$TPW" trustedCertEntry
check "hivemq --mtls: the trusted certificate is the root (fingerprint)" bash -c \
    "keytool -list -keystore '$O/ca-bundle.p12' -storepass '$TPW' 2>&1 | tr -d ':' | tr 'A-F' 'a-f' | grep -q '$(fingerprint "$P/ca-bundle.pem")'"
check "hivemq --port 8884" test "$(xml_get "$S" port)" = 8884
check "hivemq --tls 1.3: only TLSv1.3" test "$(sed -n 's:.*<protocol>\(.*\)</protocol>.*:\1:p' "$S" | paste -sd,)" = TLSv1.3
check "hivemq: keystore passwords are random (two deploys differ)" test "$(xml_get "$S" tls/keystore/password)" != "$HPW"

# --- --target-dir, relative --out ----------------------------------------------------------------------------------
for b in $BROKERS; do
    O=$T/target-$b
    expect_exit 0 "$b: deploy --target-dir /srv/mqttpki/broker" \
        "$MQTTPKI" --pki "$P" deploy "$NAME" --broker "$b" --out "$O" --target-dir /srv/mqttpki/broker
    check "$b --target-dir: every path is /srv/mqttpki/broker/<a file written to --out>" \
        all_paths_under "$b" "$O/$(snippet_of "$b")" /srv/mqttpki/broker "$O"
    check "$b --target-dir: the --out path does not appear" bash -c "! grep -qF '$O' '$O/$(snippet_of "$b")'"
done
mkdir -p "$T/cwd"
expect_exit 0 "deploy with a relative --out" \
    bash -c 'cd "$1" && exec "$2" --pki ../pki deploy "$3" --broker mosquitto --out rel/dir' _ "$T/cwd" "$MQTTPKI" "$NAME"
check "relative --out: snippet paths are absolute ($T/cwd/rel/dir/...)" \
    all_paths_under mosquitto "$T/cwd/rel/dir/mosquitto.conf" "$T/cwd/rel/dir" "$T/cwd/rel/dir"

# --- an RSA server -------------------------------------------------------------------------------------------------
expect_exit 0 "server issue rsa-broker --key rsa-2048" \
    "$MQTTPKI" --pki "$P" server issue rsa-broker --san rsa.example.com --key rsa-2048
expect_exit 0 "rsa: deploy --broker mosquitto" "$MQTTPKI" --pki "$P" deploy rsa-broker --broker mosquitto --out "$T/out-rsa"
check "rsa: key is unencrypted PKCS#8" first_line_is "$T/out-rsa/rsa-broker.key.pem" "-----BEGIN PRIVATE KEY-----"
check "rsa: key matches the certificate" pubkeys_match "$T/out-rsa/rsa-broker.chain.pem" "$T/out-rsa/rsa-broker.key.pem"
check "rsa: chain verifies for rsa.example.com" ossl_verify "$T/out-rsa/ca-bundle.pem" "$T/out-rsa/rsa-broker.chain.pem" -verify_hostname rsa.example.com

# --- an encrypted server key ---------------------------------------------------------------------------------------
PE=$T/pki-enc
PASS=Tr0ub4dor-and-3
mk_passfile "$T/pass" "$PASS"
expect_exit 0 "quickstart with a passphrase" "$MQTTPKI" --pki "$PE" quickstart --san mqtt.example.com --passphrase-file "$T/pass"
expect_exit 0 "server issue enc --encrypt-key" \
    "$MQTTPKI" --pki "$PE" server issue enc --san enc.example.com --encrypt-key --passphrase-file "$T/pass" --key-passphrase-file "$T/pass"
check "the PKI's enc key is encrypted PKCS#8" first_line_is "$PE/enc/private/enc.key.pem" "-----BEGIN ENCRYPTED PRIVATE KEY-----"

O=$T/tb-enc
expect_exit 3 "thingsboard, encrypted key, no passphrase given" "$MQTTPKI" --pki "$PE" deploy enc --broker thingsboard --out "$O"
expect_error_prefix
check "nothing written when the passphrase is missing" bash -c "[ ! -e '$O' ] || [ -z \"\$(ls -A '$O')\" ]"
expect_exit 0 "thingsboard, encrypted key, --passphrase-file" \
    "$MQTTPKI" --pki "$PE" deploy enc --broker thingsboard --out "$O" --passphrase-file "$T/pass"
S=$O/thingsboard.conf
check "thingsboard enc: key is 0400" mode_is "$O/enc.key.pem" 400
check "thingsboard enc: thingsboard.conf is 0400 (holds the password)" mode_is "$S" 400
check "thingsboard enc: sources cleanly with bash -eu" tb_sources_cleanly "$S"
check "thingsboard enc: legacy PEM header 'Proc-Type: 4,ENCRYPTED'" grep -qx "Proc-Type: 4,ENCRYPTED" "$O/enc.key.pem"
check "thingsboard enc: 'DEK-Info: AES-256-CBC,<iv>'" grep -qE "^DEK-Info: AES-256-CBC,[0-9A-F]{32}\$" "$O/enc.key.pem"
check "thingsboard enc: NOT 'BEGIN ENCRYPTED PRIVATE KEY' (PKCS#8)" bash -c "! grep -q 'BEGIN ENCRYPTED PRIVATE KEY' '$O/enc.key.pem'"
TBPW=$(tb_env "$S" MQTT_SSL_PEM_KEY_PASSWORD)
check "thingsboard enc: MQTT_SSL_PEM_KEY_PASSWORD is a new password, not the PKI's passphrase" \
    test -n "$TBPW" -a "$TBPW" != "$PASS"
check "thingsboard enc: openssl pkey -passin pass:<MQTT_SSL_PEM_KEY_PASSWORD> reads the key, it matches the cert" \
    pubkeys_match "$O/enc.chain.pem" "$O/enc.key.pem" "pass:$TBPW"
check_fails "thingsboard enc: a wrong password does not read the key" \
    openssl pkey -in "$O/enc.key.pem" -passin pass:wrong-password -noout
check "thingsboard enc: MQTT_SSL_PEM_KEY / _CERT exist" \
    bash -c "[ -f '$(tb_env "$S" MQTT_SSL_PEM_KEY)' ] && [ -f '$(tb_env "$S" MQTT_SSL_PEM_CERT)' ]"
check "thingsboard enc: chain verifies for enc.example.com" ossl_verify "$O/ca-bundle.pem" "$O/enc.chain.pem" -verify_hostname enc.example.com
expect_exit 0 "thingsboard, encrypted key, passphrase from MQTTPKI_PASSPHRASE" \
    env MQTTPKI_PASSPHRASE="$PASS" "$MQTTPKI" --pki "$PE" deploy enc --broker thingsboard --out "$T/tb-enc-env"
check "MQTTPKI_PASSPHRASE: key readable with the conf's password" \
    pubkeys_match "$T/tb-enc-env/enc.chain.pem" "$T/tb-enc-env/enc.key.pem" "pass:$(tb_env "$T/tb-enc-env/thingsboard.conf" MQTT_SSL_PEM_KEY_PASSWORD)"

# Mosquitto cannot read an encrypted key: deploy decrypts it
expect_exit 0 "mosquitto, encrypted key, --passphrase-file" \
    "$MQTTPKI" --pki "$PE" deploy enc --broker mosquitto --out "$T/mosq-enc" --passphrase-file "$T/pass"
check "mosquitto enc: key is unencrypted PKCS#8" first_line_is "$T/mosq-enc/enc.key.pem" "-----BEGIN PRIVATE KEY-----"
check "mosquitto enc: key is 0400" mode_is "$T/mosq-enc/enc.key.pem" 400
check "mosquitto enc: key matches the certificate" pubkeys_match "$T/mosq-enc/enc.chain.pem" "$T/mosq-enc/enc.key.pem"
expect_exit 3 "mosquitto, encrypted key, no passphrase" "$MQTTPKI" --pki "$PE" deploy enc --broker mosquitto --out "$T/mosq-enc2"

# a passphrase with spaces: ThingsBoard sources thingsboard.conf, the value must survive the shell
PS=$T/pki-spaces
PASS2="correct horse battery staple"
mk_passfile "$T/pass2" "$PASS2"
expect_exit 0 "quickstart, passphrase with spaces" "$MQTTPKI" --pki "$PS" quickstart --san mqtt.example.com --passphrase-file "$T/pass2"
expect_exit 0 "server issue sp --encrypt-key (passphrase with spaces)" \
    "$MQTTPKI" --pki "$PS" server issue sp --san sp.example.com --encrypt-key --passphrase-file "$T/pass2" --key-passphrase-file "$T/pass2"
expect_exit 0 "thingsboard, passphrase with spaces" \
    "$MQTTPKI" --pki "$PS" deploy sp --broker thingsboard --out "$T/tb-spaces" --passphrase-file "$T/pass2"
check "spaces: thingsboard.conf sources cleanly with bash -eu" tb_sources_cleanly "$T/tb-spaces/thingsboard.conf"
check "spaces: the PKI's passphrase (with spaces) never reaches thingsboard.conf" \
    bash -c '! grep -qF -- "$1" "$2"' _ "$PASS2" "$T/tb-spaces/thingsboard.conf"
check "spaces: openssl reads the key with the sourced password" pubkeys_match "$T/tb-spaces/sp.chain.pem" \
    "$T/tb-spaces/sp.key.pem" "pass:$(tb_env "$T/tb-spaces/thingsboard.conf" MQTT_SSL_PEM_KEY_PASSWORD)"

# --- thingsboard --keystore ----------------------------------------------------------------------------------------
for c in plain:"$P":"$NAME" enc:"$PE":enc; do
    IFS=: read -r kind pki name <<<"$c"
    O=$T/tb-ks-$kind
    pf=(); [ "$kind" = enc ] && pf=(--passphrase-file "$T/pass")
    expect_exit 0 "thingsboard --keystore ($kind key)" \
        "$MQTTPKI" --pki "$pki" deploy "$name" --broker thingsboard --keystore --out "$O" "${pf[@]}"
    S=$O/thingsboard.conf
    check "tb keystore $kind: sources cleanly" tb_sources_cleanly "$S"
    check "tb keystore $kind: MQTT_SSL_ENABLED=true" test "$(tb_env "$S" MQTT_SSL_ENABLED)" = true
    check "tb keystore $kind: MQTT_SSL_CREDENTIALS_TYPE=KEYSTORE" test "$(tb_env "$S" MQTT_SSL_CREDENTIALS_TYPE)" = KEYSTORE
    check "tb keystore $kind: MQTT_SSL_KEY_STORE_TYPE=PKCS12" test "$(tb_env "$S" MQTT_SSL_KEY_STORE_TYPE)" = PKCS12
    check "tb keystore $kind: MQTT_SSL_KEY_STORE is $name.p12" test "$(tb_env "$S" MQTT_SSL_KEY_STORE)" = "$O/$name.p12"
    check "tb keystore $kind: every path in the snippet exists" all_paths_exist thingsboard "$S"
    check "tb keystore $kind: $name.p12 is 0400" mode_is "$O/$name.p12" 400
    check "tb keystore $kind: thingsboard.conf is 0400" mode_is "$S" 400
    KPW=$(tb_env "$S" MQTT_SSL_KEY_STORE_PASSWORD)
    check "tb keystore $kind: MQTT_SSL_KEY_STORE_PASSWORD set (>= 16 chars)" test "${#KPW}" -ge 16
    check "tb keystore $kind: MQTT_SSL_KEY_PASSWORD = the store password" test "$(tb_env "$S" MQTT_SSL_KEY_PASSWORD)" = "$KPW"
    check "tb keystore $kind: keytool -list shows a PrivateKeyEntry" keytool_has "$O/$name.p12" "$KPW" PrivateKeyEntry
    p12_certs "$O/$name.p12" "$KPW" "$T/tb-ks-$kind-certs.pem"
    check "tb keystore $kind: 2 certificates in the keystore" test "$(cert_count "$T/tb-ks-$kind-certs.pem")" = 2
    check "tb keystore $kind: = the chain file's certificates" same_cert_set "$T/tb-ks-$kind-certs.pem" "$pki/$name/$name.chain.pem"
    check "tb keystore $kind: key matches the leaf" p12_key_matches "$O/$name.p12" "$KPW" "$pki/$name/certs/$name.cert.pem"
    check "tb keystore $kind: KeyStore.getInstance(\"JKS\") loads it, chain length 2" jks_chain_len_is "$O/$name.p12" "$KPW" 2
done

# --- bad input ----------------------------------------------------------------------------------------------------
expect_exit 2 "unknown broker" "$MQTTPKI" --pki "$P" deploy "$NAME" --broker nginx --out "$T/bad-broker"
expect_error_prefix
check "unknown broker: nothing written" test ! -e "$T/bad-broker"
expect_exit 3 "server not issued" "$MQTTPKI" --pki "$P" deploy nosuch --broker mosquitto --out "$T/bad-server"
expect_error_prefix
expect_out_contains "nosuch.chain.pem" "not issued: names the missing chain file"
expect_out_contains "server issue" "not issued: says how to issue it"
check "not issued: nothing written" test ! -e "$T/bad-server"
: >"$T/regular-file"
expect_exit 3 "--out under a regular file" "$MQTTPKI" --pki "$P" deploy "$NAME" --broker mosquitto --out "$T/regular-file/sub"
expect_error_prefix
expect_exit 2 "--keystore with --broker emqx" "$MQTTPKI" --pki "$P" deploy "$NAME" --broker emqx --keystore --out "$T/bad-ks"
expect_error_prefix
check "--keystore with emqx: nothing written" test ! -e "$T/bad-ks"
expect_exit 2 "--tls 1.1" "$MQTTPKI" --pki "$P" deploy "$NAME" --broker mosquitto --tls 1.1 --out "$T/bad-tls"
for b in mosquitto hivemq; do
    O=$T/out-$b
    snapshot "$O"
    expect_exit 3 "$b: deploy again without --force" "$MQTTPKI" --pki "$P" deploy "$NAME" --broker "$b" --out "$O"
    expect_error_prefix
    expect_out_contains_i "--force" "$b: the refusal mentions --force"
    assert_unchanged "$O" "$b: refused deploy changed nothing"
done
O=$T/out-mosquitto
expect_exit 0 "mosquitto: deploy --force --port 9883 over existing files" \
    "$MQTTPKI" --pki "$P" deploy "$NAME" --broker mosquitto --out "$O" --force --port 9883
check "--force: snippet rewritten (listener 9883)" has_line "$O/mosquitto.conf" "listener 9883"
check "--force: key still 0400" mode_is "$O/$NAME.key.pem" 400
check "--force: key still matches" pubkeys_match "$O/$NAME.chain.pem" "$O/$NAME.key.pem"
O=$T/out-hivemq
expect_exit 0 "hivemq: deploy --force" "$MQTTPKI" --pki "$P" deploy "$NAME" --broker hivemq --out "$O" --force
NPW=$(xml_get "$O/hivemq-listener.xml" tls/keystore/password)
check "hivemq --force: the new XML's password opens the new keystore" keytool_has "$O/$NAME.p12" "$NPW" PrivateKeyEntry
check "hivemq --force: files stay 0400" bash -c "[ \$(stat -c %a '$O/$NAME.p12') = 400 ] && [ \$(stat -c %a '$O/hivemq-listener.xml') = 400 ]"

finish

#!/usr/bin/env bash
# devices: `ca create --for client`, `device issue` (one, a list, a devices file, --count into folders or a tar),
# `device sign --csr-dir`, resuming an interrupted batch (SIGINT and SIGKILL, folders and archive), the same batch
# run twice at once, the 4 KB chain warning, and the device identities at work against a real Mosquitto (mutual
# TLS, the device id as user name, ACLs, CRL).
# Judged only by independent tools: the openssl CLI, GnuTLS certtool, tar, sqlite3 (the inventory read directly),
# cc + mbedTLS (the C header), mosquitto/mosquitto_pub/mosquitto_sub, and python3 for JSON and hashing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

for _tool in sqlite3 tar cc mosquitto mosquitto_pub mosquitto_sub stdbuf; do
    command -v "$_tool" >/dev/null 2>&1 || { echo "Bail out! required tool missing: $_tool"; echo "0 passed, 1 failed"; exit 1; }
done
[ -f /usr/include/mbedtls/x509_crt.h ] || { echo "Bail out! mbedTLS headers missing (libmbedtls-dev)"; echo "0 passed, 1 failed"; exit 1; }

# --- helpers (openssl / sqlite3 / tar / python3 only) ------------------------------------------------------------
# files_are DIR NAME...: DIR holds exactly these entries
files_are() {
    local d=$1; shift
    local want got
    want=$(printf '%s\n' "$@" | sort); got=$(ls -A "$d" 2>/dev/null | sort)
    [ "$want" = "$got" ] && return 0
    echo "$d holds [$(paste -sd' ' <<<"$got")], expected [$(paste -sd' ' <<<"$want")]"; return 1
}
# ossl_client_ok ROOT CA CERT: strict verification as a TLS client certificate, "CERT: OK"
ossl_client_ok() {
    local o rc; o=$(openssl verify -x509_strict -purpose sslclient -CAfile "$1" -untrusted "$2" "$3" 2>&1); rc=$?
    [ $rc -eq 0 ] && grep -q ': OK$' <<<"$o" && return 0
    echo "exit $rc: $o"; return 1
}
# certtool_chain_ok ROOT CHAIN: certtool --verify-chain of CHAIN followed by the (self-signed) root
certtool_chain_ok() {
    local o rc; o=$(cat "$2" "$1" | certtool --verify-chain 2>&1); rc=$?
    [ $rc -eq 0 ] && grep -q 'Chain verification output: Verified' <<<"$o" && ! grep -qi 'Not verified' <<<"$o" && return 0
    echo "certtool exit $rc:"; tail -n 12 <<<"$o"; return 1
}
# certtool_client_ok ROOT CHAIN: certtool --verify with the clientAuth purpose
certtool_client_ok() {
    local o rc
    o=$(certtool --verify --load-ca-certificate "$1" --infile "$2" --verify-purpose 1.3.6.1.5.5.7.3.2 2>&1); rc=$?
    [ $rc -eq 0 ] && grep -q 'Chain verification output: Verified' <<<"$o" && return 0
    echo "certtool exit $rc:"; tail -n 12 <<<"$o"; return 1
}
# resolve P PATH: an inventory path as mqttpki reads it back (absolute, or relative to the PKI directory, like
# the rows of the CAs and servers)
resolve() { case $2 in /*) echo "$2" ;; *) echo "$1/$2" ;; esac; }
# row_paths_ok P DB NAME CERT: the inventory's cert/key/chain paths of NAME's valid row name CERT's files
row_paths_ok() {
    local p=$1 db=$2 name=$3 cert=$4 c k ch errs=()
    IFS='|' read -r c k ch <<<"$(dbq "$db" "SELECT cert_path, key_path, chain_path FROM certificates WHERE name='$name' AND status='valid'")"
    same_cert "$(resolve "$p" "$c")" "$cert" || errs+=("cert_path '$c' -> $(resolve "$p" "$c") is not $cert")
    [ -z "$k" ] || cmp -s "$(resolve "$p" "$k")" "${cert%.cert.pem}.key.pem" || errs+=("key_path '$k' -> $(resolve "$p" "$k") is not the key")
    cmp -s "$(resolve "$p" "$ch")" "${cert%.cert.pem}.chain.pem" || errs+=("chain_path '$ch' -> $(resolve "$p" "$ch") is not the chain")
    [ ${#errs[@]} -eq 0 ] && return 0
    printf '%s\n' "${errs[@]}"; return 1
}
# manifest_row CSV ID -> "serial|sha256|not_after" of ID in a manifest.csv
manifest_row() { awk -F, -v id="$2" '$1 == id { print $2 "|" $3 "|" $4 }' "$1"; }
# manifest_matches CSV ID CERT: ID's manifest line has CERT's serial, SHA-256 fingerprint and notAfter (openssl)
manifest_matches() {
    local s f na errs=()
    IFS='|' read -r s f na <<<"$(manifest_row "$1" "$2")"
    [ "$(norm_serial "$s")" = "$(cert_serial "$3")" ] || errs+=("serial '$s' != openssl $(cert_serial "$3")")
    [ "$(norm_hex <<<"$f")" = "$(fingerprint "$3")" ] || errs+=("sha256 '$f' != openssl $(fp_colon "$3")")
    [ -n "$na" ] && [ "$(_epoch "$na")" = "$(not_after_epoch "$3")" ] || errs+=("not_after '$na' != openssl $(openssl x509 -in "$3" -noout -enddate)")
    [ ${#errs[@]} -eq 0 ] && return 0
    printf '%s\n' "${errs[@]}"; return 1
}
# manifest_json_matches_csv JSON CSV: the JSON array holds the CSV's rows (id, serial, sha256, not_after), in order
manifest_json_matches_csv() {
    python3 - "$1" "$2" <<'EOF'
import csv, json, sys
j = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2])))
want = [{k: r[k] for k in ("id", "serial", "sha256", "not_after")} for r in rows]
got = [{k: o.get(k) for k in ("id", "serial", "sha256", "not_after")} for o in j] if isinstance(j, list) else j
if got != want:
    print("manifest.json (%d entries) != manifest.csv (%d rows)" % (len(j) if isinstance(j, list) else -1, len(rows)))
    sys.exit(1)
EOF
}
# pem_ids_serials FILE: "CN,SERIAL" for every certificate in a PEM file (openssl storeutl), sorted
pem_ids_serials() {
    openssl storeutl -certs -noout -text "$1" 2>/dev/null | awk '
        /^ *Serial Number:/ { getline s; gsub(/[ :]/, "", s); serial = toupper(s); sub(/^0+/, "", serial) }
        /^ *Subject: / { n = split($0, a, "CN="); cn = a[n]; sub(/,.*/, "", cn); print cn "," serial }' | sort
}
# manifest_ids_serials CSV: "ID,SERIAL" of every row, sorted
manifest_ids_serials() { tail -n +2 "$1" | awk -F, '{ s = toupper($2); sub(/^0+/, "", s); print $1 "," s }' | sort; }
# db_ids_serials DB LIKE: "NAME,SERIAL" of the valid client rows whose name is LIKE the pattern, sorted
db_ids_serials() {
    dbq "$1" "SELECT name || ',' || ltrim(upper(serial), '0') FROM certificates WHERE name LIKE '$2' AND profile = 'client' AND status = 'valid'" | sort
}
# same_lists DESC_A A DESC_B B: two sorted lists are equal (prints the first differences)
same_lists() {
    [ "$2" = "$4" ] && [ -n "$2" ] && return 0
    echo "$1 ($(grep -c . <<<"$2") lines) != $3 ($(grep -c . <<<"$4") lines):"
    diff <(printf '%s\n' "$2") <(printf '%s\n' "$4") | head -n 10
    return 1
}
# fingerprints_match DIR CSV: every DIR/ID/ID.cert.pem's SHA-256 (of its DER, python3 hashlib) is the manifest's
fingerprints_match() {
    python3 - "$1" "$2" <<'EOF'
import base64, csv, hashlib, os, sys
d, bad, n = sys.argv[1], [], 0
for r in csv.DictReader(open(sys.argv[2])):
    pem = open(os.path.join(d, r["id"], r["id"] + ".cert.pem")).read()
    b64 = "".join(l for l in pem.splitlines() if l and not l.startswith("-----"))
    fp = hashlib.sha256(base64.b64decode(b64)).hexdigest()
    n += 1
    if fp != r["sha256"].replace(":", "").lower():
        bad.append(r["id"])
if bad or n == 0:
    print("%d of %d fingerprints differ: %s" % (len(bad), n, bad[:5])); sys.exit(1)
EOF
}
# verify_all ROOT CA DIR EXPECTED: openssl verify -purpose sslclient of every DIR/*/*.cert.pem (few processes),
# EXPECTED lines ': OK' and no other verdict
verify_all() {
    local out ok notok
    out=$(cd "$3" && find . -mindepth 2 -maxdepth 2 -name '*.cert.pem' -print0 | sort -z |
        xargs -0 openssl verify -x509_strict -purpose sslclient -CAfile "$1" -untrusted "$2" 2>&1)
    ok=$(grep -c ': OK$' <<<"$out"); notok=$(grep -vc ': OK$' <<<"$out")
    [ "$ok" = "$4" ] && [ "$notok" = 0 ] && return 0
    echo "$ok OK lines (expected $4), $notok other lines:"; grep -v ': OK$' <<<"$out" | head -n 10; return 1
}
# keys_ok DIR N: DIR holds N device folders whose ID.key.pem passes openssl pkey -check (on the curve, private and
# public halves agree) and holds the public key of ID.cert.pem
keys_ok() {
    local n=0 bad=() k
    for k in "$1"/*/*.key.pem; do
        n=$((n + 1))
        openssl pkey -in "$k" -check -noout 2>&1 | grep -q 'Key is valid' || bad+=("${k##*/}: pkey -check")
        pubkeys_match "${k%.key.pem}.cert.pem" "$k" >/dev/null || bad+=("${k##*/}: not its certificate's key")
    done
    [ "$n" = "$2" ] && [ ${#bad[@]} -eq 0 ] && return 0
    echo "$n keys (expected $2), ${#bad[@]} bad: ${bad[*]:0:5}"; return 1
}
# tar_devices TAR -> the device folders of TAR, sorted and unique
tar_devices() { tar -tf "$1" | awk -F/ 'NF > 1 { print $1 }' | sort -u; }
# tar_layout_ok TAR N: N device folders, each exactly ID/ID.{key,cert,chain}.pem (no entry twice), plus
# manifest.csv and manifest.json at the top
tar_layout_ok() {
    local list errs=()
    list=$(tar -tf "$1") || { echo "tar -tf $1 failed"; return 1; }
    local n; n=$(tar_devices "$1" | grep -c .)
    [ "$n" = "$2" ] || errs+=("$n device folders, expected $2")
    local dup; dup=$(sort <<<"$list" | uniq -d | head -n 3)
    [ -z "$dup" ] || errs+=("entries listed twice: $dup")
    local bad; bad=$(awk -F/ 'NF > 1 { id = $1; f = $2; if (NF != 2 || (f != id ".key.pem" && f != id ".cert.pem" && f != id ".chain.pem")) print; c[id]++ }
        END { for (i in c) if (c[i] != 3) print i ": " c[i] " files" }' <<<"$list" | head -n 5)
    [ -z "$bad" ] || errs+=("unexpected device entries: $bad")
    local top; top=$(awk -F/ 'NF == 1' <<<"$list" | sort | paste -sd' ')
    [ "$top" = "manifest.csv manifest.json" ] || errs+=("top-level entries: [$top]")
    [ ${#errs[@]} -eq 0 ] && return 0
    printf '%s\n' "${errs[@]}"; return 1
}
# tar_key_modes_ok TAR: every key entry is -r-------- (0400), certificates and chains are not writable by others
tar_key_modes_ok() {
    local bad; bad=$(tar -tvf "$1" | awk '$NF ~ /\.key\.pem$/ && $1 != "-r--------" { print; n++ } END { exit 0 }' | head -n 3)
    [ -z "$bad" ] && return 0
    echo "key entries with another mode: $bad"; return 1
}
# no_raw_control TEXT: no control byte but newline and tab (what test_bad_corpus.sh requires of every message)
no_raw_control() {
    local n; n=$(printf '%s' "$1" | LC_ALL=C tr -cd '\000-\010\013-\037\177' | wc -c)
    [ "$n" -eq 0 ] && return 0
    echo "$n raw control byte(s) printed:"; printf '%s' "$1" | od -c | head -n 8; return 1
}
# num_from TEXT REGEX -> the first number captured by sed -E REGEX (\1)
num_from() { sed -nE "s/$2/\1/p" <<<"$1" | head -n1; }

# --- the PKI -------------------------------------------------------------------------------------------------------
P=$T/pki
DB=$P/inventory.db
ROOT=$P/root-ca/certs/root-ca.cert.pem
DCA=$P/device-ca/certs/device-ca.cert.pem
BUNDLE=$P/ca-bundle.pem
expect_exit 0 "quickstart (localhost, 127.0.0.1)" \
    "$MQTTPKI" --pki "$P" quickstart --san localhost --san 127.0.0.1 --no-passphrase

expect_exit 3 "device issue before any device CA exists" "$MQTTPKI" --pki "$P" device issue early-1
expect_out_contains "ca create device-ca --for client" "no device CA: the message says how to create it"

# === 1. ca create device-ca --for client ==========================================================================
note "section 1 starts at ${SECONDS}s"
expect_exit 0 "ca create device-ca --for client" "$MQTTPKI" --pki "$P" ca create device-ca --for client --no-passphrase
check "device-ca: extendedKeyUsage is TLS Web Client Authentication only (openssl x509)" \
    test "$(ext_value "$DCA" extendedKeyUsage)" = "TLS Web Client Authentication"
check "device-ca: openssl x509 -text shows clientAuth and no serverAuth" bash -c \
    "t=\$(openssl x509 -in '$DCA' -noout -text); grep -q 'TLS Web Client Authentication' <<<\"\$t\" && ! grep -q 'TLS Web Server Authentication' <<<\"\$t\""
check "device-ca: basicConstraints critical CA:TRUE, pathlen:0" ext_is "$DCA" basicConstraints critical "CA:TRUE, pathlen:0"
check "device-ca: keyUsage critical keyCertSign, cRLSign" ext_is "$DCA" keyUsage critical "Certificate Sign, CRL Sign"
check "device-ca: AKI keyid = root SKI" aki_matches "$DCA" "$ROOT"
check "device-ca: issued by the root (openssl verify)" openssl verify -x509_strict -CAfile "$ROOT" "$DCA"
snapshot "$P"
expect_exit 3 "server issue x --ca device-ca is refused" \
    "$MQTTPKI" --pki "$P" server issue x --san x.example.com --ca device-ca
expect_error_prefix "refused server issue: 'mqttpki: error: ' prefix"
expect_stderr_contains "client (device) certificates only" "refusal says the CA issues client certificates only"
expect_stderr_contains "serverAuth" "refusal names the missing serverAuth"
assert_unchanged "$P" "refused server issue --ca device-ca wrote nothing"
check "no folder x/ was made" test ! -e "$P/x"

# === 2. device issue sensor-1 sensor-2 --san 10.0.0.7 (relative --pki, run from $T) ===============================
note "section 2 starts at ${SECONDS}s"
expect_exit 0 "device issue sensor-1 sensor-2 --san 10.0.0.7 (cd \$T; --pki pki)" \
    env -C "$T" "$MQTTPKI" --pki pki device issue sensor-1 sensor-2 --san 10.0.0.7
check "PKI/devices is mode 0700" mode_is "$P/devices" 700
for id in sensor-1 sensor-2; do
    D=$P/devices/$id
    C=$D/$id.cert.pem K=$D/$id.key.pem CH=$D/$id.chain.pem
    check "$id: folder holds exactly key, cert, chain" files_are "$D" "$id.key.pem" "$id.cert.pem" "$id.chain.pem"
    check "$id: folder mode 0700" mode_is "$D" 700
    check "$id: key mode 0400" mode_is "$K" 400
    check "$id: key is PKCS#8 ('BEGIN PRIVATE KEY')" first_line_is "$K" "-----BEGIN PRIVATE KEY-----"
    check "$id: openssl pkey -check" bash -c "openssl pkey -in '$K' -check -noout 2>&1 | grep -q 'Key is valid'"
    check "$id: the key is EC P-256" bash -c "openssl pkey -in '$K' -noout -text | grep -q 'NIST CURVE: P-256'"
    check "$id: key matches the certificate (public keys equal)" pubkeys_match "$C" "$K"
    check "$id: chain = [leaf, device-ca], no root" chain_is "$CH" "$C" "$DCA"
    check "$id: the root is not in the chain" not_in_pem "$ROOT" "$CH"
    check "$id: openssl verify -x509_strict -purpose sslclient" ossl_client_ok "$ROOT" "$DCA" "$C"
    check_fails "$id: openssl verify -purpose sslserver fails" \
        openssl verify -x509_strict -purpose sslserver -CAfile "$ROOT" -untrusted "$DCA" "$C"
    check "$id: CN = $id" test "$(subject_cn "$C")" = "$id"
    check_leaf_profile "$C" "$DCA" client ec "$id"
    check "$id: EKU clientAuth only" ext_is "$C" extendedKeyUsage noncritical "TLS Web Client Authentication"
    check "$id: KU critical digitalSignature only" ext_is "$C" keyUsage critical "Digital Signature"
    check "$id: SANs are DNS:$id and IP:10.0.0.7" san_is "$C" "DNS:$id" "IP Address:10.0.0.7"
    check "$id: validity 365 days" validity_days_is "$C" 365
    check "$id: certtool --verify-chain (chain + root)" certtool_chain_ok "$ROOT" "$CH"
    check "$id: certtool --verify --verify-purpose clientAuth" certtool_client_ok "$ROOT" "$CH"
    check "$id: manifest.csv line has the serial, SHA-256 fingerprint, notAfter (openssl)" \
        manifest_matches "$P/devices/manifest.csv" "$id" "$C"
    check "$id: inventory row: profile client, ca device-ca, status valid" \
        test "$(dbq "$DB" "SELECT profile, ca, status FROM certificates WHERE name='$id'")" = "client|device-ca|valid"
    check "$id: inventory row has the certificate's serial and SHA-256 (openssl)" \
        test "$(row_of "$DB" "$(cert_serial "$C")" "name, upper(sha256)")" = "$id|$(fp_colon "$C")"
    check "$id: inventory cert/key/chain paths (resolved against the PKI directory, like every other row) name its files" \
        row_paths_ok "$P" "$DB" "$id" "$C"
done
check "manifest.csv: header id,serial,sha256,not_after" first_line_is "$P/devices/manifest.csv" "id,serial,sha256,not_after"
check "manifest.csv: exactly sensor-1 and sensor-2" test "$(tail -n +2 "$P/devices/manifest.csv" | cut -d, -f1 | sort | paste -sd' ')" = "sensor-1 sensor-2"
check "manifest.json: valid JSON with the CSV's rows" manifest_json_matches_csv "$P/devices/manifest.json" "$P/devices/manifest.csv"
check "sensor-1 and sensor-2 have different serials and keys" bash -c \
    "[ \"\$(openssl x509 -in '$P/devices/sensor-1/sensor-1.cert.pem' -noout -serial)\" != \"\$(openssl x509 -in '$P/devices/sensor-2/sensor-2.cert.pem' -noout -serial)\" ] && ! cmp -s '$P/devices/sensor-1/sensor-1.key.pem' '$P/devices/sensor-2/sensor-2.key.pem'"

# an archive named by a relative path, from another directory: the inventory must still find it
expect_exit 0 "device issue rel-1 --archive rel.tar (cd \$T; --pki pki)" \
    env -C "$T" "$MQTTPKI" --pki pki device issue rel-1 --archive rel.tar
check "rel.tar was written in \$T" test -f "$T/rel.tar"
check "inventory: rel-1's cert_path names \$T/rel.tar (resolved against the PKI directory)" bash -c '
    c=$(sqlite3 "$1" "SELECT cert_path FROM certificates WHERE name=\"rel-1\""); a=${c%%:*}
    case $a in /*) ;; *) a=$2/$a ;; esac
    [ "$(readlink -f "$a")" = "$(readlink -f "$3")" ] || { echo "cert_path $c -> $a, the archive is $3"; exit 1; }' _ "$DB" "$P" "$T/rel.tar"

# === 3. --der and --c-header ======================================================================================
note "section 3 starts at ${SECONDS}s"
expect_exit 0 "device issue fw-1 --der --c-header" "$MQTTPKI" --pki "$P" device issue fw-1 --der --c-header
F=$P/devices/fw-1
check "fw-1: key, cert, chain, cert.der, key.der, fw-1.h" \
    files_are "$F" fw-1.key.pem fw-1.cert.pem fw-1.chain.pem fw-1.cert.der fw-1.key.der fw-1.h
check "fw-1.cert.der parses (openssl x509 -inform DER)" openssl x509 -inform DER -in "$F/fw-1.cert.der" -noout
check "fw-1.cert.der is the PEM certificate's DER" \
    bash -c "openssl x509 -in '$F/fw-1.cert.pem' -outform DER | cmp -s - '$F/fw-1.cert.der'"
check "fw-1.key.der parses and checks (openssl pkey -inform DER -check)" \
    bash -c "openssl pkey -inform DER -in '$F/fw-1.key.der' -check -noout 2>&1 | grep -q 'Key is valid'"
check "fw-1.key.der is the DER inside fw-1.key.pem (base64 body)" \
    bash -c "grep -v -- '-----' '$F/fw-1.key.pem' | openssl base64 -d | cmp -s - '$F/fw-1.key.der'"
check "fw-1.key.der is PKCS#8 (openssl asn1parse: version 0, id-ecPublicKey, prime256v1)" bash -c \
    "a=\$(openssl asn1parse -inform DER -in '$F/fw-1.key.der'); grep -q 'd=1 .*INTEGER *:00' <<<\"\$a\" && grep -q ':id-ecPublicKey' <<<\"\$a\" && grep -q ':prime256v1' <<<\"\$a\""
check "fw-1.key.der's public key is the certificate's" bash -c \
    "[ \"\$(openssl pkey -inform DER -in '$F/fw-1.key.der' -pubout)\" = \"\$(openssl x509 -in '$F/fw-1.cert.pem' -noout -pubkey)\" ]"
check "fw-1.key.der mode 0400" mode_is "$F/fw-1.key.der" 400
check "fw-1.h (holds the key) mode 0400" mode_is "$F/fw-1.h" 400
cat >"$T/fw.c" <<'EOF'
/* Parses the device header with mbedTLS 2.28: the chain (leaf + device CA), the key, the pair, and verifies the
 * chain against the root given as argv[1]; prints what it found. Exit 0 only when everything holds. */
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include "mbedtls/x509_crt.h"
#include "mbedtls/pk.h"
#include "mbedtls/oid.h"
#include "fw-1.h"
int main(int argc, char **argv) {
    mbedtls_x509_crt chain, root;
    mbedtls_pk_context pk;
    const mbedtls_x509_crt *c;
    uint32_t flags = 0;
    char dn[256];
    int rc, n = 0, bad = 0;
    if (argc < 2) return 2;
    if (strcmp(mqttpki_device_id, "fw-1") != 0) { printf("id %s\n", mqttpki_device_id); bad = 1; }
    if (mqttpki_device_chain_pem_len != strlen(mqttpki_device_chain_pem) + 1) { printf("chain len\n"); bad = 1; }
    if (mqttpki_device_key_pem_len != strlen(mqttpki_device_key_pem) + 1) { printf("key len\n"); bad = 1; }
    mbedtls_x509_crt_init(&chain);
    mbedtls_x509_crt_init(&root);
    mbedtls_pk_init(&pk);
    rc = mbedtls_x509_crt_parse(&chain, (const unsigned char *)mqttpki_device_chain_pem, mqttpki_device_chain_pem_len);
    if (rc != 0) { printf("mbedtls_x509_crt_parse: -0x%04x\n", (unsigned)-rc); return 1; }
    for (c = &chain; c != NULL && c->raw.len > 0; c = c->next) n++;
    printf("chain certificates: %d\n", n);
    mbedtls_x509_dn_gets(dn, sizeof(dn), &chain.subject);
    printf("leaf subject: %s\n", dn);
    rc = mbedtls_pk_parse_key(&pk, (const unsigned char *)mqttpki_device_key_pem, mqttpki_device_key_pem_len, NULL, 0);
    if (rc != 0) { printf("mbedtls_pk_parse_key: -0x%04x\n", (unsigned)-rc); return 1; }
    printf("key: %s\n", mbedtls_pk_get_name(&pk));
    rc = mbedtls_pk_check_pair(&chain.pk, &pk);
    printf("pair: %s\n", rc == 0 ? "ok" : "MISMATCH");
    if (rc != 0) bad = 1;
    if (mbedtls_x509_crt_check_extended_key_usage(&chain, MBEDTLS_OID_CLIENT_AUTH, MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH)) != 0) {
        printf("no clientAuth\n"); bad = 1;
    }
    if (mbedtls_x509_crt_check_extended_key_usage(&chain, MBEDTLS_OID_SERVER_AUTH, MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)) == 0) {
        printf("serverAuth allowed\n"); bad = 1;
    }
    rc = mbedtls_x509_crt_parse_file(&root, argv[1]);
    if (rc != 0) { printf("root: -0x%04x\n", (unsigned)-rc); return 1; }
    rc = mbedtls_x509_crt_verify(&chain, &root, NULL, NULL, &flags, NULL, NULL);
    printf("verify: rc -0x%04x flags 0x%08x\n", (unsigned)-rc, (unsigned)flags);
    if (rc != 0) bad = 1;
    mbedtls_pk_free(&pk);
    mbedtls_x509_crt_free(&chain);
    mbedtls_x509_crt_free(&root);
    return bad || n != 2;
}
EOF
cat >"$T/fwdump.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include "fw-1.h"
int main(int argc, char **argv) {
    (void)mqttpki_device_id;
    if (argc > 1 && strcmp(argv[1], "key") == 0) fwrite(mqttpki_device_key_pem, 1, mqttpki_device_key_pem_len - 1, stdout);
    else fwrite(mqttpki_device_chain_pem, 1, mqttpki_device_chain_pem_len - 1, stdout);
    return 0;
}
EOF
check "fw-1.h compiles with gcc -std=c99 -Wall -Wextra -Werror (dump program)" \
    gcc -std=c99 -Wall -Wextra -Werror -I"$F" -o "$T/fwdump" "$T/fwdump.c"
check "fw-1.h: mqttpki_device_chain_pem is fw-1.chain.pem" bash -c "'$T/fwdump' | cmp - '$F/fw-1.chain.pem'"
check "fw-1.h: mqttpki_device_key_pem is fw-1.key.pem" bash -c "'$T/fwdump' key | cmp - '$F/fw-1.key.pem'"
check "fw-1.h compiles against mbedTLS (-Wall -Wextra -Werror)" \
    gcc -std=c99 -Wall -Wextra -Werror -I"$F" -o "$T/fw" "$T/fw.c" -lmbedtls -lmbedx509 -lmbedcrypto
if [ -x "$T/fw" ]; then
    expect_exit 0 "mbedTLS: chain parses, key parses (mbedtls_pk_parse_key), pair matches, clientAuth, verifies to the root" \
        "$T/fw" "$ROOT"
    expect_out_contains "chain certificates: 2" "mbedTLS: the chain holds 2 certificates"
    expect_out_contains "CN=fw-1" "mbedTLS: the leaf's subject has CN=fw-1"
    expect_out_contains "flags 0x00000000" "mbedTLS: mbedtls_x509_crt_verify flags 0"
fi

# other key types, and --json
for kt in rsa-2048:rsaEncryption ec-p384:id-ecPublicKey; do
    k=${kt%%:*} alg=${kt#*:} id=kt-${kt%%:*}
    expect_exit 0 "device issue $id --key $k" "$MQTTPKI" --pki "$P" device issue "$id" --key "$k" --out "$T/keytypes"
    KD=$T/keytypes/$id
    check "$id: key is PKCS#8 and checks (openssl pkey -check)" bash -c \
        "head -n1 '$KD/$id.key.pem' | grep -qx -- '-----BEGIN PRIVATE KEY-----' && openssl pkey -in '$KD/$id.key.pem' -check -noout 2>&1 | grep -q 'Key is valid'"
    check "$id: certificate key is $alg" test "$(pubkey_alg "$KD/$id.cert.pem")" = "$alg"
    check "$id: key matches certificate" pubkeys_match "$KD/$id.cert.pem" "$KD/$id.key.pem"
    check "$id: verifies -purpose sslclient" ossl_client_ok "$ROOT" "$DCA" "$KD/$id.cert.pem"
    check "$id: KU critical digitalSignature only" ext_is "$KD/$id.cert.pem" keyUsage critical "Digital Signature"
done
check "kt-ec-p384: the key is P-384" test "$(curve_of "$T/keytypes/kt-ec-p384/kt-ec-p384.cert.pem")" = P-384
check "kt-rsa-2048: the key is 2048 bits" test "$(pubkey_bits "$T/keytypes/kt-rsa-2048/kt-rsa-2048.cert.pem")" = 2048
expect_exit 0 "--json device issue json-1" "$MQTTPKI" --pki "$P" --json device issue json-1 --out "$T/keytypes"
check "--json: one JSON object, ok, issued 1, total 1, not interrupted" python3 -c '
import json, sys
j = json.loads(sys.argv[1])
assert j.get("ok") is True and j.get("issued") == 1 and j.get("total") == 1 and j.get("interrupted") is False, j' "$OUT_STDOUT"

# === 4. bulk: --count 10000 --archive =============================================================================
note "section 4 starts at ${SECONDS}s"
BATCH=$T/batch.tar
expect_exit 0 "device issue --count 10000 --prefix dev- --archive batch.tar" \
    "$MQTTPKI" --pki "$P" device issue --count 10000 --prefix dev- --archive "$BATCH"
note "$(head -n1 <<<"$OUT_STDOUT")"
check "batch.tar mode 0400" mode_is "$BATCH" 400
check "no batch.tar.partial* left" bash -c "! ls '$T' | grep -q 'batch.tar.partial'"
check "tar: 10000 folders, each exactly ID.key.pem, ID.cert.pem, ID.chain.pem; manifest.csv and manifest.json" \
    tar_layout_ok "$BATCH" 10000
check "tar: the folders are dev-000001 .. dev-010000" \
    test "$(tar_devices "$BATCH" | sed -n '1p;$p' | paste -sd' ')" = "dev-000001 dev-010000"
check "tar: every key entry is mode 0400" tar_key_modes_ok "$BATCH"
EX=$T/ex
mkdir -p "$EX"
# every certificate (openssl verify wants a file each), the manifests, and the whole folders of the devices used below
check "tar -xf batch.tar: the certificates, the manifests, 5 whole device folders" tar -xf "$BATCH" -C "$EX" --wildcards \
    '*.cert.pem' manifest.csv manifest.json 'dev-00000[123]/*' 'dev-005000/*' 'dev-010000/*' 
check "extracted manifest.csv: header + 10000 rows" test "$(wc -l <"$EX/manifest.csv")" = 10001
check "manifest.json: valid JSON with the CSV's 10000 rows" manifest_json_matches_csv "$EX/manifest.json" "$EX/manifest.csv"
check "openssl verify -purpose sslclient: 10000 OK lines, nothing else" verify_all "$ROOT" "$DCA" "$EX" 10000
tail -n +2 "$EX/manifest.csv" | cut -d, -f2 >"$T/batch-serials"
check "manifest: 10000 serials, all different" bash -c "[ \$(wc -l <'$T/batch-serials') = 10000 ] && ! sort '$T/batch-serials' | uniq -d | grep -q ."
find "$EX" -mindepth 2 -name '*.cert.pem' -print0 | sort -z | xargs -0 cat >"$T/batch-all.pem"
pem_ids_serials "$T/batch-all.pem" >"$T/batch-cert-ids"
check "openssl: 10000 certificates, 10000 different serials" bash -c \
    "[ \$(wc -l <'$T/batch-cert-ids') = 10000 ] && ! cut -d, -f2 '$T/batch-cert-ids' | sort | uniq -d | grep -q ."
check "manifest (id, serial) = the certificates' (CN, serial) as openssl reads them" \
    same_lists manifest "$(manifest_ids_serials "$EX/manifest.csv")" certificates "$(cat "$T/batch-cert-ids")"
check "manifest sha256 = SHA-256 of each certificate's DER (python3 hashlib)" fingerprints_match "$EX" "$EX/manifest.csv"
check "inventory: 10000 valid client rows from device-ca named dev-*" \
    test "$(dbq "$DB" "SELECT count(*) FROM certificates WHERE name LIKE 'dev-%' AND profile='client' AND ca='device-ca' AND status='valid'")" = 10000
check "inventory (name, serial) = manifest (id, serial)" \
    same_lists inventory "$(db_ids_serials "$DB" 'dev-%')" manifest "$(manifest_ids_serials "$EX/manifest.csv")"
for id in dev-000001 dev-005000 dev-010000; do
    check "$id: key matches certificate" pubkeys_match "$EX/$id/$id.cert.pem" "$EX/$id/$id.key.pem"
    check "$id: chain = [leaf, device-ca]" chain_is "$EX/$id/$id.chain.pem" "$EX/$id/$id.cert.pem" "$DCA"
    check "$id: CN = $id, SAN = DNS:$id" bash -c "[ \"\$1\" = '$id' ] && [ \"\$2\" = 'DNS:$id' ]" _ \
        "$(subject_cn "$EX/$id/$id.cert.pem")" "$(san_set "$EX/$id/$id.cert.pem" | paste -sd' ')"
done

# --jobs 1 and --jobs 2
for j in 1 2; do
    expect_exit 0 "device issue --count 300 --prefix j$j- --jobs $j --archive j$j.tar" \
        "$MQTTPKI" --pki "$P" device issue --count 300 --prefix "j$j-" --jobs "$j" --archive "$T/j$j.tar"
    check "--jobs $j: tar holds 300 complete device folders" tar_layout_ok "$T/j$j.tar" 300
    mkdir -p "$T/j$j"
    tar -xf "$T/j$j.tar" -C "$T/j$j" --wildcards '*.cert.pem' '*.key.pem' manifest.csv
    check "--jobs $j: 300 certificates verify -purpose sslclient" verify_all "$ROOT" "$DCA" "$T/j$j" 300
    check "--jobs $j: 300 keys pass openssl pkey -check and each is its certificate's key" keys_ok "$T/j$j" 300
    check "--jobs $j: inventory (name, serial) = manifest" \
        same_lists inventory "$(db_ids_serials "$DB" "j$j-%")" manifest "$(manifest_ids_serials "$T/j$j/manifest.csv")"
    check "--jobs $j: 300 different serials" bash -c "tail -n +2 '$T/j$j/manifest.csv' | cut -d, -f2 | sort | uniq -d | grep -q . && exit 1 || [ \$(tail -n +2 '$T/j$j/manifest.csv' | wc -l) = 300 ]"
done
expect_exit 0 "device issue --count 200 --prefix jf- --jobs 2 --out jf (folders)" \
    "$MQTTPKI" --pki "$P" device issue --count 200 --prefix jf- --jobs 2 --out "$T/jf"
check "--jobs 2 --out: 200 folders + manifests" test "$(ls "$T/jf" | grep -c '^jf-')" = 200
check "--jobs 2 --out: 200 certificates verify" verify_all "$ROOT" "$DCA" "$T/jf" 200

# === 5. interrupted batches: SIGINT and SIGKILL, archive and folders ==============================================
note "section 5 starts at ${SECONDS}s"
BG_PID=""
kill_bg() { [ -n "$BG_PID" ] && kill -9 "$BG_PID" 2>/dev/null; wait "$BG_PID" 2>/dev/null; BG_PID=""; }
at_exit kill_bg
# interrupt SIGNAL DELAY OUTFILE PROBE... -- ARGS...: start mqttpki ARGS in the background, wait (<= 20 s) until
# the command PROBE... succeeds, DELAY seconds more, then send SIGNAL; sets BG_RC (its exit code) and BG_OUT
# (BG_CMD: a prefix for the command, e.g. (env -C DIR) to run it elsewhere; empty by default)
BG_RC=0 BG_OUT="" BG_CMD=()
interrupt() {
    local sig=$1 delay=$2 outf=$3 i probe=(); shift 3
    while [ "$1" != -- ]; do probe+=("$1"); shift; done; shift
    "${BG_CMD[@]}" "$MQTTPKI" "$@" >"$outf" 2>&1 </dev/null &
    BG_PID=$!
    for ((i = 0; i < 400; i++)); do "${probe[@]}" && break; kill -0 "$BG_PID" 2>/dev/null || break; sleep 0.05; done
    sleep "$delay"
    kill "-$sig" "$BG_PID" 2>/dev/null
    wait "$BG_PID" 2>/dev/null; BG_RC=$?
    BG_PID=""
    BG_OUT=$(cat "$outf")
}
# probes: sigint_caught (the process has its SIGINT handler: SigCgt bit 2 in /proc), nonempty FILE, has_entry DIR
# PREFIX (a committed device folder)
sigint_caught() {
    local m; m=$(awk '/^SigCgt:/ { print $2 }' "/proc/$BG_PID/status" 2>/dev/null)
    [ -n "$m" ] && (( (16#$m & 2) != 0 ))
}
nonempty() { [ -s "$1" ]; }
has_entry() { compgen -G "$1/$2*" >/dev/null; }
# archive_consistent TAR PREFIX N: exactly N devices, no duplicates, manifest = certificates (openssl) = inventory
archive_consistent() {
    local tarf=$1 pfx=$2 n=$3 d errs=()
    d=$(mktemp -d "$T/xa.XXXXXX")
    tar -xf "$tarf" -C "$d" manifest.csv && tar -xOf "$tarf" --wildcards '*.cert.pem' >"$d/all.pem" || { echo "tar -x failed"; return 1; }
    local out; out=$(tar_layout_ok "$tarf" "$n") || errs+=("$out")
    local m; m=$(manifest_ids_serials "$d/manifest.csv")
    [ "$(grep -c . <<<"$m")" = "$n" ] || errs+=("manifest has $(grep -c . <<<"$m") rows, expected $n")
    [ -z "$(cut -d, -f1 <<<"$m" | uniq -d)" ] || errs+=("manifest lists an id twice")
    [ -z "$(cut -d, -f2 <<<"$m" | sort | uniq -d)" ] || errs+=("manifest lists a serial twice")
    out=$(same_lists manifest "$m" "certificates (openssl)" "$(pem_ids_serials "$d/all.pem")") || errs+=("$out")
    out=$(same_lists manifest "$m" "inventory (valid $pfx* rows)" "$(db_ids_serials "$DB" "$pfx%")") || errs+=("$out")
    rm -rf "$d"
    [ ${#errs[@]} -eq 0 ] && return 0
    printf '%s\n' "${errs[@]}"; return 1
}
no_partials_near() { # DIR BASENAME
    local l; l=$(ls -A "$1" | grep -F "$2" | grep -vx "$2")
    [ -z "$l" ] && return 0
    echo "left behind: $l"; return 1
}

# SIGINT, archive
NBIG=25000
BIG=$T/big.tar
# Interrupted once the first chunk is in the archive (a fixed delay lets a fast machine finish the batch first).
interrupt INT 0 "$T/int.out" nonempty "$BIG.partial" -- --pki "$P" device issue --count $NBIG --prefix big- --archive "$BIG"
check "SIGINT (archive): exit 130" test "$BG_RC" = 130 || note "output: $BG_OUT"
OUT=$BG_OUT
expect_out_contains "run the same command again" "SIGINT (archive): the output says to run the same command again"
K1=$(num_from "$BG_OUT" '^Interrupted: ([0-9]+) more of.*')
note "interrupted after ${K1:-?} of $NBIG"
check "SIGINT (archive): fewer than $NBIG issued before the interruption" test "${K1:-$NBIG}" -lt $NBIG
check "SIGINT (archive): big.tar.partial left, no big.tar" bash -c "[ -f '$BIG.partial' ] && [ ! -e '$BIG' ]"
check "SIGINT (archive): the inventory has exactly the reported ${K1:-?} devices" \
    test "$(dbq "$DB" "SELECT count(*) FROM certificates WHERE name LIKE 'big-%'")" = "${K1:-x}"
expect_exit 0 "rerun after SIGINT (archive) completes" \
    "$MQTTPKI" --pki "$P" device issue --count $NBIG --prefix big- --archive "$BIG"
note "$(head -n1 <<<"$OUT_STDOUT")"
check "rerun (archive): issued + skipped = $NBIG and skipped = the ${K1:-?} of the first run" bash -c '
    i=$(sed -nE "s/^Issued ([0-9]+) .*/\1/p" <<<"$1" | head -n1); s=$(sed -nE "s/.*; ([0-9]+) already issued, skipped.*/\1/p" <<<"$1" | head -n1)
    [ -n "$i" ] && [ "${s:-0}" = "$2" ] && [ $((i + ${s:-0})) = "$3" ] || { echo "issued=$i skipped=$s: $1"; exit 1; }' _ "$OUT" "${K1:-x}" $NBIG
check "rerun (archive): big.tar mode 0400" mode_is "$BIG" 400
check "rerun (archive): no big.tar.partial* or temporary files left" no_partials_near "$T" big.tar
check "rerun (archive): $NBIG devices, no duplicates; manifest = certificates = inventory" archive_consistent "$BIG" big- $NBIG
# The finished archive moved away and the same command run again: not an archive of no devices, but a refusal.
mv "$BIG" "$T/big-moved.tar"
expect_exit 3 "rerun after the archive was moved is refused" \
    "$MQTTPKI" --pki "$P" device issue --count $NBIG --prefix big- --archive "$BIG"
expect_out_contains "$NBIG device(s) of this batch are recorded in the inventory at $BIG, but neither it nor $BIG.partial exists: nothing was written. If the archive was moved, this batch is done" \
    "archive moved: the message says which devices and what to do"
check "archive moved: nothing written" bash -c '! ls "$1" "$1.partial" "$1.partial-manifest" 2>/dev/null' _ "$BIG"
mv "$T/big-moved.tar" "$BIG"

# SIGINT, then the rerun names the same archive another way (relative from \$T, then absolute)
NSP=12000
SP=$T/spelled.tar
BG_CMD=(env -C "$T")
interrupt INT 0.05 "$T/sp.out" sigint_caught -- --pki "$P" device issue --count $NSP --prefix sp- --jobs 1 --archive spelled.tar
BG_CMD=()
check "SIGINT (archive given as spelled.tar from \$T): exit 130, spelled.tar.partial left" \
    bash -c "[ '$BG_RC' = 130 ] && [ -f '$SP.partial' ]"
note "SIGINT (spelled.tar): $(head -n1 <<<"$BG_OUT")"
expect_exit 0 "rerun with the archive's absolute path completes" \
    "$MQTTPKI" --pki "$P" device issue --count $NSP --prefix sp- --jobs 1 --archive "$SP"
note "$(head -n1 <<<"$OUT_STDOUT")"
check "rerun with the absolute path: $NSP devices in the tar; manifest = certificates = inventory (no device lost)" \
    archive_consistent "$SP" sp- $NSP

# SIGKILL, archive
KBIG=$T/kbig.tar
NKB=12000
interrupt KILL 0.05 "$T/kill.out" nonempty "$KBIG.partial" -- --pki "$P" device issue --count $NKB --prefix kbig- --jobs 1 --archive "$KBIG"
check "SIGKILL (archive): killed (exit 137), kbig.tar.partial left" bash -c "[ '$BG_RC' = 137 ] && [ -f '$KBIG.partial' ] && [ ! -e '$KBIG' ]"
note "SIGKILL (archive): $(dbq "$DB" "SELECT count(*) FROM certificates WHERE name LIKE 'kbig-%'") devices recorded, partial $(stat -c %s "$KBIG.partial" 2>/dev/null) bytes"
expect_exit 0 "rerun after SIGKILL (archive) completes" \
    "$MQTTPKI" --pki "$P" device issue --count $NKB --prefix kbig- --jobs 1 --archive "$KBIG"
check "rerun after SIGKILL (archive): no kbig.tar.partial* left" no_partials_near "$T" kbig.tar
check "rerun after SIGKILL (archive): $NKB devices; manifest = certificates = inventory" archive_consistent "$KBIG" kbig- $NKB

# folders_consistent DIR PREFIX N: N folders, each exactly key/cert/chain, no .partial-*, manifest = inventory,
# every folder's certificate is the manifest's (serial, openssl), and all verify
folders_consistent() {
    local d=$1 pfx=$2 n=$3 errs=() out
    local partial; partial=$(ls -A "$d" | grep '^\.partial-' | head -n 3)
    [ -z "$partial" ] || errs+=(".partial folders left: $partial")
    local dirs; dirs=$(find "$d" -mindepth 1 -maxdepth 1 -type d -name "$pfx*" -printf '%f\n' | sort)
    [ "$(grep -c . <<<"$dirs")" = "$n" ] || errs+=("$(grep -c . <<<"$dirs") folders, expected $n")
    local incomplete; incomplete=$(find "$d" -mindepth 2 -maxdepth 2 -path "$d/$pfx*" -printf '%h %f\n' | awk -v d="$d/" '
        { id = substr($1, length(d) + 1); f = $2; c[id]++
          if (f != id ".key.pem" && f != id ".cert.pem" && f != id ".chain.pem") print id ": unexpected " f }
        END { for (i in c) if (c[i] != 3) print i ": " c[i] " files" }' | head -n 5)
    [ -z "$incomplete" ] || errs+=("incomplete folders: $incomplete")
    local m; m=$(manifest_ids_serials "$d/manifest.csv")
    out=$(same_lists "folders" "$dirs" "manifest ids" "$(cut -d, -f1 <<<"$m")") || errs+=("$out")
    out=$(same_lists manifest "$m" "inventory (valid $pfx* rows)" "$(db_ids_serials "$DB" "$pfx%")") || errs+=("$out")
    find "$d" -mindepth 2 -name '*.cert.pem' -print0 | xargs -0 cat >"$T/fc-all.pem"
    out=$(same_lists manifest "$m" "certificates (openssl)" "$(pem_ids_serials "$T/fc-all.pem")") || errs+=("$out")
    out=$(verify_all "$ROOT" "$DCA" "$d" "$n") || errs+=("$out")
    [ ${#errs[@]} -eq 0 ] && return 0
    printf '%s\n' "${errs[@]}"; return 1
}
pending_empty() {
    local l; l=$(ls -A "$P/.pending" 2>/dev/null | grep -v '^$')
    [ -z "$l" ] && return 0
    echo "PKI/.pending holds: $l"; return 1
}

# SIGINT, folders
NF=6000
FO=$T/fout
# Interrupted once the first devices are committed (a fixed delay lets a fast machine finish the batch first).
interrupt INT 0 "$T/fint.out" has_entry "$FO" f- -- --pki "$P" device issue --count $NF --prefix f- --out "$FO"
check "SIGINT (folders): exit 130" test "$BG_RC" = 130 || note "output: $BG_OUT"
note "SIGINT (folders): $(ls -A "$FO" 2>/dev/null | grep -c '^\.partial-') .partial-* folders left"
OUT=$BG_OUT
expect_out_contains "run the same command again" "SIGINT (folders): the output says to run the same command again"
F1=$(num_from "$BG_OUT" '^Interrupted: ([0-9]+) more of.*')
note "interrupted after ${F1:-?} of $NF"
check "SIGINT (folders): fewer than $NF issued" test "${F1:-$NF}" -lt $NF
check "SIGINT (folders): the folders on disk are the ${F1:-?} recorded devices" bash -c '
    n=$(find "$1" -mindepth 1 -maxdepth 1 -type d -name "f-*" | wc -l); r=$(sqlite3 "$2" "SELECT count(*) FROM certificates WHERE name LIKE \"f-%\"")
    [ "$n" = "$3" ] && [ "$r" = "$3" ] || { echo "folders $n, rows $r, reported $3"; exit 1; }' _ "$FO" "$DB" "${F1:-x}"
expect_exit 0 "rerun after SIGINT (folders) completes" "$MQTTPKI" --pki "$P" device issue --count $NF --prefix f- --out "$FO"
expect_out_contains "already issued, skipped" "rerun (folders): the finished devices are skipped"
check "rerun (folders): skipped = the ${F1:-?} of the first run" \
    test "$(num_from "$OUT" '.*; ([0-9]+) already issued, skipped.*')" = "${F1:-x}"
check "rerun (folders): $NF complete folders, no .partial-*, manifest = inventory = certificates, all verify" \
    folders_consistent "$FO" f- $NF
check "rerun (folders): PKI/.pending is empty" pending_empty

# SIGKILL, folders
FK=$T/fkill
interrupt KILL 0.1 "$T/fkill.out" has_entry "$FK" fk- -- --pki "$P" device issue --count $NF --prefix fk- --out "$FK"
check "SIGKILL (folders): killed (exit 137)" test "$BG_RC" = 137
note "SIGKILL (folders): $(find "$FK" -mindepth 1 -maxdepth 1 -name 'fk-*' | wc -l) folders, $(ls -A "$FK" | grep -c '^\.partial-') .partial-*, $(ls -A "$P/.pending" 2>/dev/null | wc -l) journal(s)"
expect_exit 0 "rerun after SIGKILL (folders) completes" "$MQTTPKI" --pki "$P" device issue --count $NF --prefix fk- --out "$FK"
check "rerun after SIGKILL (folders): $NF complete folders, no .partial-*, manifest = inventory = certificates, all verify" \
    folders_consistent "$FK" fk- $NF
check "rerun after SIGKILL (folders): PKI/.pending is empty" pending_empty
check "sqlite3: integrity_check ok after the interruptions" test "$(dbq "$DB" 'PRAGMA integrity_check')" = ok

# the same batch started twice at once (two terminals, a retried cron job): whatever each run says, afterwards (and
# after one more run to finish) every device has exactly one valid certificate, and the output is that one
# one_valid_each DB PREFIX N: N valid rows for N different ids
one_valid_each() {
    local r; r=$(dbq "$1" "SELECT count(*) || ' rows, ' || count(DISTINCT name) || ' ids' FROM certificates WHERE name LIKE '$2%' AND status = 'valid'")
    [ "$r" = "$3 rows, $3 ids" ] && return 0
    echo "valid inventory rows for $2*: $r (expected $3 rows, $3 ids)"; return 1
}
# concurrent OUTA OUTB ARGS...: two mqttpki ARGS at the same time; their exit codes in CC_RC ("A B")
concurrent() {
    local oa=$1 ob=$2 pa pb ra rb; shift 2
    "$MQTTPKI" "$@" >"$oa" 2>&1 </dev/null & pa=$!
    "$MQTTPKI" "$@" >"$ob" 2>&1 </dev/null & pb=$!
    wait "$pa"; ra=$?; wait "$pb"; rb=$?
    CC_RC="$ra $rb"
}
NR=3000
RA=$T/race.tar
concurrent "$T/race-a.out" "$T/race-b.out" --pki "$P" device issue --count $NR --prefix race- --archive "$RA"
note "two concurrent archive batches: exit codes $CC_RC; $(cat "$T/race-a.out" "$T/race-b.out" | grep -E '^(Issued|mqttpki: error)' | paste -sd'|')"
expect_exit 0 "after two concurrent archive batches, the same command completes" \
    "$MQTTPKI" --pki "$P" device issue --count $NR --prefix race- --archive "$RA"
check "concurrent archive batches: every device has exactly one valid certificate in the inventory" one_valid_each "$DB" race- $NR
check "concurrent archive batches: race.tar = inventory = certificates ($NR devices)" archive_consistent "$RA" race- $NR
check "concurrent archive batches: no race.tar.partial* left" no_partials_near "$T" race.tar
NRF=1000
RF=$T/racef
concurrent "$T/racef-a.out" "$T/racef-b.out" --pki "$P" device issue --count $NRF --prefix racef- --out "$RF"
note "two concurrent folder batches: exit codes $CC_RC; $(cat "$T/racef-a.out" "$T/racef-b.out" | grep -E '^(Issued|mqttpki: error)' | paste -sd'|')"
expect_exit 0 "after two concurrent folder batches, the same command completes" \
    "$MQTTPKI" --pki "$P" device issue --count $NRF --prefix racef- --out "$RF"
check "concurrent folder batches: every device has exactly one valid certificate in the inventory" one_valid_each "$DB" racef- $NRF
check "concurrent folder batches: $NRF complete folders = manifest = inventory, all verify" folders_consistent "$RF" racef- $NRF
# A batch that finds the PKI's batch lock held (here by flock(1), as another batch holds it) says so and waits.
flock "$P" sleep 3 & HOLDER=$!
for _ in $(seq 100); do flock -n "$P" true || break; sleep 0.05; done
expect_exit 0 "a batch while another holds the batch lock: it waits, then completes" \
    "$MQTTPKI" --pki "$P" device issue waiter-1 --out "$T/waiters"
expect_out_contains "mqttpki: another device batch is running in $P; waiting for it to finish" \
    "a waiting batch says what it waits for"
wait "$HOLDER"
check "the waiting batch wrote its device" test -s "$T/waiters/waiter-1/waiter-1.chain.pem"

# === 6. reruns, reserved ids, devices files =======================================================================
note "section 6 starts at ${SECONDS}s"
snapshot "$T/batch.tar"
expect_exit 0 "rerun of the finished 10000 batch" \
    "$MQTTPKI" --pki "$P" device issue --count 10000 --prefix dev- --archive "$BATCH"
expect_out_contains "10000 already issued, skipped" "finished batch: all 10000 skipped"
expect_out_contains "Issued 0 " "finished batch: nothing issued"
assert_unchanged "$T/batch.tar" "finished batch: batch.tar unchanged"
check "finished batch: still 10000 dev-* rows" test "$(dbq "$DB" "SELECT count(*) FROM certificates WHERE name LIKE 'dev-%'")" = 10000
snapshot "$P/devices/sensor-1"
expect_exit 0 "rerun of device issue sensor-1 sensor-2" "$MQTTPKI" --pki "$P" device issue sensor-1 sensor-2 --san 10.0.0.7
expect_out_contains "2 already issued, skipped" "sensor rerun: both skipped"
assert_unchanged "$P/devices/sensor-1" "sensor rerun: sensor-1's files unchanged"
check "sensor rerun (absolute --pki this time): manifest.csv lists every device folder (fw-1, sensor-1, sensor-2)" \
    test "$(tail -n +2 "$P/devices/manifest.csv" | cut -d, -f1 | sort | paste -sd' ')" = "$(cd "$P/devices" && ls -d */ | tr -d / | sort | paste -sd' ')"
check "sensor rerun: still one row each" test "$(dbq "$DB" "SELECT count(*) FROM certificates WHERE name IN ('sensor-1','sensor-2')")" = 2

snapshot "$P"
for id in server-ca mqtt-server-1 root-ca device-ca; do
    expect_exit 3 "device issue $id (a CA's or server's name) is refused" "$MQTTPKI" --pki "$P" device issue "$id"
    expect_error_prefix "device issue $id: 'mqttpki: error: ' prefix"
    expect_stderr_contains "'$id' is the name of" "device issue $id: the message says the name is taken"
done
printf 'dup-1\ndup-2\n# a comment\ndup-3\ndup-2\n' >"$T/dup.csv"
expect_exit 3 "devices file with dup-2 twice is refused" "$MQTTPKI" --pki "$P" device issue --from "$T/dup.csv"
expect_stderr_contains "line 5" "duplicate: the message names line 5 (the second dup-2)"
expect_stderr_contains "'dup-2'" "duplicate: the message names the id"
expect_stderr_contains "dup.csv" "duplicate: the message names the file"
printf 'ok-1\nbad/2\n' >"$T/slash.csv"
expect_exit 3 "devices file with an id containing '/' is refused" "$MQTTPKI" --pki "$P" device issue --from "$T/slash.csv"
expect_stderr_contains "slash.csv line 2" "'/': the message names the file and line 2"
expect_stderr_contains "bad/2" "'/': the message names the id"
printf 'ok-1\n\nok-2\nbad\001x\n' >"$T/ctrl.csv"
expect_exit 3 "devices file with a control character in an id is refused" "$MQTTPKI" --pki "$P" device issue --from "$T/ctrl.csv"
expect_stderr_contains "ctrl.csv line 4" "control character: the message names the file and line 4"
check "control character: not printed raw (tests/e2e/test_bad_corpus.sh's rule)" no_raw_control "$OUT"
printf 'wild-1,*.example.com\n' >"$T/wild.csv"
expect_exit 3 "devices file with a wildcard SAN is refused" "$MQTTPKI" --pki "$P" device issue --from "$T/wild.csv"
expect_stderr_contains "wild.csv line 1" "wildcard: the message names the file and line"
expect_exit 3 "an empty devices file is refused" "$MQTTPKI" --pki "$P" device issue --from /dev/null
expect_exit 2 "device issue a/b is a usage error" "$MQTTPKI" --pki "$P" device issue a/b
assert_unchanged "$P" "refused device issues wrote nothing"

cat >"$T/devices.csv" <<'EOF'
id,san
# the first two carry extra names
csv-1, csv-1.plant.example.com ,10.1.2.3
csv-2,fd00::7,csv-2.plant.example.com

  # an indented comment
csv-3
EOF
expect_exit 0 "devices file: header, comments, blank lines, extra SANs" "$MQTTPKI" --pki "$P" device issue --from "$T/devices.csv"
check "csv-1: SANs DNS:csv-1, DNS:csv-1.plant.example.com, IP:10.1.2.3" \
    san_is "$P/devices/csv-1/csv-1.cert.pem" "DNS:csv-1" "DNS:csv-1.plant.example.com" "IP Address:10.1.2.3"
check "csv-2: SANs DNS:csv-2, DNS:csv-2.plant.example.com, IP:fd00::7" \
    san_is "$P/devices/csv-2/csv-2.cert.pem" "DNS:csv-2" "DNS:csv-2.plant.example.com" "IP Address:FD00:0:0:0:0:0:0:7"
check "csv-3: SAN DNS:csv-3 only" san_is "$P/devices/csv-3/csv-3.cert.pem" "DNS:csv-3"
check "no device named 'id' (the header) was issued" test ! -e "$P/devices/id"
for id in csv-1 csv-2 csv-3; do
    check "devices file: manifest.csv has $id with its serial and fingerprint" \
        manifest_matches "$P/devices/manifest.csv" "$id" "$P/devices/$id/$id.cert.pem"
done
for id in csv-1 csv-2 csv-3; do
    check "$id: verifies -purpose sslclient" ossl_client_ok "$ROOT" "$DCA" "$P/devices/$id/$id.cert.pem"
done

# === 7. device sign --csr-dir =====================================================================================
note "section 7 starts at ${SECONDS}s"
CSRS=$T/csrs
mkdir -p "$CSRS"
mkcsr() { # DIR NAME CN [openssl req args...]
    local d=$1 n=$2 cn=$3; shift 3
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/$n.key" -subj "/CN=$cn" "$@" \
        -out "$d/$n.csr.pem" 2>/dev/null
}
mkcsr "$CSRS" dev-a dev-a -addext "subjectAltName=DNS:dev-a.local"
mkcsr "$CSRS" dev-b dev-b
mkcsr "$CSRS" dev-c dev-c
mkdir -p "$T/csr-keys"; mv "$CSRS"/*.key "$T/csr-keys/"
expect_exit 0 "device sign --csr-dir (dev-a, dev-b, dev-c)" "$MQTTPKI" --pki "$P" device sign --csr-dir "$CSRS"
for id in dev-a dev-b dev-c; do
    C=$P/devices/$id/$id.cert.pem
    check "$id: folder holds cert and chain, no key" files_are "$P/devices/$id" "$id.cert.pem" "$id.chain.pem"
    check "$id: verifies -purpose sslclient" ossl_client_ok "$ROOT" "$DCA" "$C"
    check "$id: certificate key = the CSR's key" csr_pubkey_matches "$C" "$CSRS/$id.csr.pem"
    check "$id: CN kept" test "$(subject_cn "$C")" = "$id"
    check "$id: EKU clientAuth only" ext_is "$C" extendedKeyUsage noncritical "TLS Web Client Authentication"
    check "$id: chain = [leaf, device-ca]" chain_is "$P/devices/$id/$id.chain.pem" "$C" "$DCA"
    check "$id: inventory row client/device-ca/valid" \
        test "$(dbq "$DB" "SELECT profile, ca, status FROM certificates WHERE name='$id'")" = "client|device-ca|valid"
done
check "dev-a: the CSR's SAN DNS:dev-a.local is kept (with DNS:dev-a)" \
    san_is "$P/devices/dev-a/dev-a.cert.pem" "DNS:dev-a" "DNS:dev-a.local"
check "dev-a: key from the device matches (pubkey)" pubkeys_match "$P/devices/dev-a/dev-a.cert.pem" "$T/csr-keys/dev-a.key"
# docs/cli.md: devices/manifest.csv lists "every device in the folder", not only the last batch's
check "PKI/devices/manifest.csv lists every device folder of PKI/devices (sensor-*, fw-1, csv-*, dev-a..c)" bash -c '
    f=$(find "$1" -mindepth 1 -maxdepth 1 -type d ! -name ".*" -printf "%f\n" | sort)
    m=$(tail -n +2 "$1/manifest.csv" | cut -d, -f1 | sort)
    [ "$f" = "$m" ] || { echo "folders: $(paste -sd" " <<<"$f")"; echo "manifest: $(paste -sd" " <<<"$m")"; exit 1; }' _ "$P/devices"
check "PKI/devices/manifest.json has the same entries as manifest.csv" \
    manifest_json_matches_csv "$P/devices/manifest.json" "$P/devices/manifest.csv"

# a corrupted signature among good CSRs: nothing is signed
BADC=$T/csrs-bad
mkdir -p "$BADC"
mkcsr "$BADC" dev-g dev-g; mkcsr "$BADC" dev-h dev-h; mkcsr "$BADC" dev-t dev-t
rm -f "$BADC"/*.key
openssl req -in "$BADC/dev-t.csr.pem" -outform DER -out "$T/dev-t.der"
python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[-6] ^= 0x01; open(sys.argv[1], "wb").write(b)' "$T/dev-t.der"
openssl req -inform DER -in "$T/dev-t.der" -out "$BADC/dev-t.csr.pem" 2>/dev/null
check "the tampered CSR parses (openssl req)" openssl req -in "$BADC/dev-t.csr.pem" -noout
check_fails "the tampered CSR's signature does not verify (openssl req -verify)" csr_sig_ok "$BADC/dev-t.csr.pem"
snapshot "$P"
expect_exit 3 "device sign with a tampered CSR in the folder fails" "$MQTTPKI" --pki "$P" device sign --csr-dir "$BADC"
expect_error_prefix "tampered CSR: 'mqttpki: error: ' prefix"
expect_stderr_contains "dev-t.csr.pem" "tampered CSR: the message names the file"
expect_stderr_contains_i "signature" "tampered CSR: the message says the signature is the problem"
assert_unchanged "$P" "tampered CSR: nothing written (dev-g, dev-h not signed either)"

WILD=$T/csrs-wild
mkdir -p "$WILD"
mkcsr "$WILD" dev-k dev-k; mkcsr "$WILD" dev-w dev-w -addext "subjectAltName=DNS:*.example.com"
rm -f "$WILD"/*.key
expect_exit 3 "device sign: a CSR asking for a wildcard SAN is refused" "$MQTTPKI" --pki "$P" device sign --csr-dir "$WILD"
expect_stderr_contains "dev-w.csr.pem" "wildcard CSR: the message names the file"
expect_stderr_contains "*.example.com" "wildcard CSR: the message names the wildcard"
TW=$T/csrs-twins
mkdir -p "$TW"
mkcsr "$TW" one twin-1; mkcsr "$TW" two twin-1
rm -f "$TW"/*.key
expect_exit 3 "device sign: two CSRs with the same CN are refused" "$MQTTPKI" --pki "$P" device sign --csr-dir "$TW"
expect_stderr_contains "'twin-1' is listed twice" "twin CSRs: the message names the id"
expect_stderr_contains "two.csr.pem" "twin CSRs: the message names the second file"
SL=$T/csrs-slash
mkdir -p "$SL"
mkcsr "$SL" s1 'a\/b'
rm -f "$SL"/*.key
check "openssl made a CSR with CN 'a/b'" test "$(openssl req -in "$SL/s1.csr.pem" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')" = "CN=a/b"
expect_exit 3 "device sign: a CSR whose CN is 'a/b' is refused" "$MQTTPKI" --pki "$P" device sign --csr-dir "$SL"
expect_stderr_contains "s1.csr.pem" "CN a/b: the message names the file"
assert_unchanged "$P" "refused device signs wrote nothing"

# === 8. a real Mosquitto: mutual TLS with the device identities ====================================================
note "section 8 starts at ${SECONDS}s"
BROKER_PID=""
stop_broker() { [ -n "$BROKER_PID" ] && stop_pid "$BROKER_PID"; BROKER_PID=""; }
at_exit stop_broker
PORT=""
# start_broker NAME [EXTRA_LINE...]: the quickstart server certificate, client certificates required, the CN as
# user name, no anonymous clients, the ACL (each device only under fleet/<its user name>/); EXTRA_LINEs go after
# the listener line (listener options before it would configure a default listener on port 1883)
printf 'pattern readwrite fleet/%%u/#\n' >"$T/acl"
start_broker() {
    local name=$1; shift
    PORT=$(free_port)
    {
        echo "user root"
        echo "per_listener_settings false"
        echo "allow_anonymous false"
        echo "acl_file $T/acl"
        echo "log_dest stderr"
        echo "log_type all"
        echo "connection_messages true"
        echo "listener $PORT 127.0.0.1"
        echo "cafile $BUNDLE"
        echo "certfile $P/mqtt-server-1/mqtt-server-1.chain.pem"
        echo "keyfile $P/mqtt-server-1/private/mqtt-server-1.key.pem"
        echo "require_certificate true"
        echo "use_identity_as_username true"
        printf '%s\n' "$@"
    } >"$T/$name.conf"
    mosquitto -c "$T/$name.conf" >"$T/$name.log" 2>&1 </dev/null &
    BROKER_PID=$!
    local w; w=$(wait_port 127.0.0.1 "$PORT" 5)
    if kill -0 "$BROKER_PID" 2>/dev/null && [ -z "$w" ]; then _pass "mosquitto '$name' is up (cafile = root only)"; return 0; fi
    _fail "mosquitto '$name' is up (cafile = root only)" "$w
$(cat "$T/$name.conf")
--- log
$(cat "$T/$name.log")"
    return 1
}
# pub_as CERT KEY TOPIC MSG: one mosquitto_pub with that identity
pub_as() {
    timeout -k 2 10 mosquitto_pub -h localhost -p "$PORT" --cafile "$BUNDLE" --cert "$1" --key "$2" -t "$3" -m "$4" </dev/null 2>&1
}
pub_dev() { pub_as "$EX/$1/$1.chain.pem" "$EX/$1/$1.key.pem" "fleet/$1/hello" "hello from $1"; }
# acl_roundtrip: dev-000001 subscribes to fleet/dev-000001/t; dev-000003 publishes there (denied by the ACL),
# then dev-000001 does; the subscriber's one message must be dev-000001's
acl_roundtrip() {
    local sub_out sub_pid rc_sub
    sub_out=$(mktemp "$T/sub.XXXXXX")
    start_sub "$sub_out" timeout -k 2 15 stdbuf -oL mosquitto_sub -d -h localhost -p "$PORT" --cafile "$BUNDLE" \
        --cert "$EX/dev-000001/dev-000001.chain.pem" --key "$EX/dev-000001/dev-000001.key.pem" \
        -t fleet/dev-000001/t -C 1 -W 8
    sub_pid=$SUB_PID
    pub_as "$EX/dev-000003/dev-000003.chain.pem" "$EX/dev-000003/dev-000003.key.pem" fleet/dev-000001/t "intruder dev-000003" >/dev/null
    pub_as "$EX/dev-000001/dev-000001.chain.pem" "$EX/dev-000001/dev-000001.key.pem" fleet/dev-000001/t "owner dev-000001" >/dev/null
    wait "$sub_pid"; rc_sub=$?
    if [ $rc_sub -eq 0 ] && grep -qx "owner dev-000001" "$sub_out" && ! grep -q "intruder" "$sub_out"; then return 0; fi
    echo "mosquitto_sub exit $rc_sub, output:"; cat "$sub_out"; return 1
}

# a device of another PKI, with the same id dev-000001
OTHER=$T/other
expect_exit 0 "another PKI (quickstart)" "$MQTTPKI" --pki "$OTHER" quickstart --san localhost --no-passphrase
expect_exit 0 "another PKI: ca create device-ca --for client" "$MQTTPKI" --pki "$OTHER" ca create device-ca --for client --no-passphrase
expect_exit 0 "another PKI: device issue dev-000001" "$MQTTPKI" --pki "$OTHER" device issue dev-000001 --out "$T/other-devices"
OD=$T/other-devices/dev-000001

if start_broker mtls; then
    check "dev-000001 (chain file: leaf + device-ca) is accepted" pub_dev dev-000001
    check "dev-000002 is accepted" pub_dev dev-000002
    check "the broker took the device id as user name (log: u'dev-000001')" grep -qF "u'dev-000001'" "$T/mtls.log"
    check "the broker took the device id as user name (log: u'dev-000002')" grep -qF "u'dev-000002'" "$T/mtls.log"
    check "ACL by user name: dev-000001 receives its own message, dev-000003's publish to fleet/dev-000001 is dropped" acl_roundtrip
    check "the broker log shows the denied PUBLISH to fleet/dev-000001/t" grep -q "Denied PUBLISH .*'fleet/dev-000001/t'" "$T/mtls.log"
    check_fails "the leaf alone (no device-ca in --cert) is refused: the broker trusts the root only" \
        pub_as "$EX/dev-000001/dev-000001.cert.pem" "$EX/dev-000001/dev-000001.key.pem" fleet/dev-000001/x x
    check_fails "a client certificate of another PKI's device CA (same id) is refused" \
        pub_as "$OD/dev-000001.chain.pem" "$OD/dev-000001.key.pem" fleet/dev-000001/x x
    check_fails "no client certificate is refused" \
        timeout -k 2 10 mosquitto_pub -h localhost -p "$PORT" --cafile "$BUNDLE" -t fleet/x -m x
    check_fails "the server's own certificate as a client is refused (no clientAuth)" \
        pub_as "$P/mqtt-server-1/mqtt-server-1.chain.pem" "$P/mqtt-server-1/private/mqtt-server-1.key.pem" fleet/x/y x
    stop_broker
fi

expect_exit 0 "revoke dev-000002" "$MQTTPKI" --pki "$P" revoke dev-000002
check "inventory: dev-000002 revoked" test "$(dbq "$DB" "SELECT status FROM certificates WHERE name='dev-000002'")" = revoked
expect_exit 0 "crl" "$MQTTPKI" --pki "$P" crl
check "crl.pem has device-ca's CRL, listing dev-000002 (openssl crl)" bash -c '
    d=$(mktemp -d); awk -v d="$d" "/BEGIN X509 CRL/{n++} {print > (d \"/\" n)}" "$1"; s=$(openssl x509 -in "$2" -noout -serial | sed "s/.*=//")
    for f in "$d"/*; do
        if openssl crl -in "$f" -noout -issuer -nameopt RFC2253 | grep -q "CN=mqttpki Device CA"; then
            openssl crl -in "$f" -noout -CAfile "$3" 2>&1 | grep -qx "verify OK" || { echo "bad CRL signature"; exit 1; }
            openssl crl -in "$f" -noout -text | tr -d " :" | grep -qi "SerialNumber$s" && { rm -rf "$d"; exit 0; }
        fi
    done; rm -rf "$d"; echo "no device-ca CRL listing $s"; exit 1' _ "$P/crl.pem" "$EX/dev-000002/dev-000002.cert.pem" "$DCA"
check "openssl verify -crl_check: dev-000002 is revoked" bash -c \
    "openssl verify -crl_check -CAfile '$ROOT' -untrusted '$DCA' -CRLfile '$P/crl.pem' '$EX/dev-000002/dev-000002.cert.pem' 2>&1 | grep -q 'certificate revoked'"
check "openssl verify -crl_check: dev-000001 is fine" \
    openssl verify -crl_check -CAfile "$ROOT" -untrusted "$DCA" -CRLfile "$P/crl.pem" "$EX/dev-000001/dev-000001.cert.pem"
if start_broker crl "crlfile $P/crl.pem"; then
    check_fails "with crlfile: the revoked dev-000002 is refused" pub_dev dev-000002
    check "with crlfile: dev-000001 is still accepted" pub_dev dev-000001
    check "with crlfile: dev-000003 is still accepted" pub_dev dev-000003
    stop_broker
fi

# === 9. the 4 KB warning ==========================================================================================
note "section 9 starts at ${SECONDS}s"
expect_exit 0 "ca create big-ca --for client --key rsa-4096" \
    "$MQTTPKI" --pki "$P" ca create big-ca --for client --key rsa-4096 --no-passphrase
line=big-1
for i in $(seq 1 40); do line="$line,host-$i.a-rather-long-subdomain-name-for-testing.devices.example.com"; done
printf 'id,san\n%s\n' "$line" >"$T/big.csv"
expect_exit 0 "device issue --from big.csv --ca big-ca (40 long SANs)" \
    "$MQTTPKI" --pki "$P" device issue --from "$T/big.csv" --ca big-ca --out "$T/bigdev"
BC=$T/bigdev/big-1/big-1.cert.pem
BCA=$P/big-ca/certs/big-ca.cert.pem
check "big-1: certificate + big-ca DER over 4096 bytes (openssl)" bash -c \
    "[ \$(( \$(openssl x509 -in '$BC' -outform DER | wc -c) + \$(openssl x509 -in '$BCA' -outform DER | wc -c) )) -gt 4096 ]"
check "big-1: verifies -purpose sslclient under big-ca" ossl_client_ok "$ROOT" "$BCA" "$BC"
expect_stderr_contains "warning:" "big-1: a warning on stderr"
expect_stderr_contains "4096" "big-1: the warning mentions 4096"
expect_stderr_contains "mbedTLS" "big-1: the warning mentions mbedTLS"
expect_exit 0 "device issue small-1 under device-ca (EC)" "$MQTTPKI" --pki "$P" device issue small-1 --out "$T/smalldev"
expect_out_not_contains "4096" "small-1 (EC): no 4096 warning"
check "small-1: certificate + device-ca DER under 4096 bytes (openssl)" bash -c \
    "[ \$(( \$(openssl x509 -in '$T/smalldev/small-1/small-1.cert.pem' -outform DER | wc -c) + \$(openssl x509 -in '$DCA' -outform DER | wc -c) )) -lt 4096 ]"
expect_exit 0 "device issue small-2 under big-ca (no extra SANs)" "$MQTTPKI" --pki "$P" device issue small-2 --ca big-ca --out "$T/smalldev"
expect_out_not_contains "4096" "small-2 (RSA-4096 CA, short name): no 4096 warning"

note "total ${SECONDS}s"
finish

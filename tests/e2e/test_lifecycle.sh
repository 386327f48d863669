#!/usr/bin/env bash
# lifecycle: inventory (list/show), revocation and CRLs (revoke/crl), renewal (renew/needs-renewal), intermediate
# rotation (rotate), and the inventory's behaviour under corruption, concurrency and a crash.
# Judged by the openssl CLI, GnuTLS certtool, the sqlite3 CLI (the inventory is read directly) and a real Mosquitto.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "Bail out! required tool missing: sqlite3"; echo "0 passed, 1 failed"; exit 1; }
HAVE_MOSQUITTO=1
for _tool in mosquitto mosquitto_pub; do command -v "$_tool" >/dev/null 2>&1 || HAVE_MOSQUITTO=0; done

# --- helpers (openssl / sqlite3 only) -------------------------------------------------------------------------
# norm_serial HEX: upper case, no "serial=", no leading zeros
# fp_colon FILE: SHA-256 fingerprint as openssl prints it (upper case, colons)
# dbq DB SQL: one sqlite3 query, '|' separated, no header
# row_of DB SERIAL COLUMNS: the row of that serial (compared without leading zeros)
# abs_path P PATH: a cert_path from the inventory as a file name (absolute, or relative to the PKI dir's parent or
# the PKI dir itself)
abs_path() {
    case $2 in /*) echo "$2"; return ;; esac
    if [ -e "$(dirname "$1")/$2" ]; then echo "$(dirname "$1")/$2"; else echo "$1/$2"; fi
}
# inventory_row_is DB P CERT NAME CA PROFILE STATUS: the inventory row of CERT's serial agrees with openssl
inventory_row_is() {
    local db=$1 p=$2 c=$3 name=$4 ca=$5 prof=$6 st=$7 n errs=()
    local r_name r_ca r_prof r_status r_sha r_na r_nb r_cert r_subj r_iss r_sans
    n=$(row_of "$db" "$(cert_serial "$c")" 'count(*)')
    if [ "$n" != 1 ]; then echo "$n rows for serial $(cert_serial "$c") of $c"; return 1; fi
    IFS='|' read -r r_name r_ca r_prof r_status r_sha r_na r_nb r_cert r_subj r_iss r_sans \
        <<<"$(row_of "$db" "$(cert_serial "$c")" 'name,ca,profile,status,sha256,not_after,not_before,cert_path,subject,issuer,sans')"
    [ "$r_name" = "$name" ] || errs+=("name '$r_name' != '$name'")
    [ "$r_ca" = "$ca" ] || errs+=("ca '$r_ca' != '$ca'")
    [ "$r_prof" = "$prof" ] || errs+=("profile '$r_prof' != '$prof'")
    [ "$r_status" = "$st" ] || errs+=("status '$r_status' != '$st'")
    [ "${r_sha^^}" = "$(fp_colon "$c")" ] || errs+=("sha256 '$r_sha' != openssl '$(fp_colon "$c")'")
    [ "$r_na" = "$(not_after_epoch "$c")" ] || errs+=("not_after $r_na != openssl $(not_after_epoch "$c")")
    [ "$r_nb" = "$(not_before_epoch "$c")" ] || errs+=("not_before $r_nb != openssl $(not_before_epoch "$c")")
    local want_subj want_iss want_sans
    want_subj=$(openssl x509 -in "$c" -noout -subject | sed 's/^subject=//; s/ = /=/g')
    want_iss=$(openssl x509 -in "$c" -noout -issuer | sed 's/^issuer=//; s/ = /=/g')
    want_sans=$(ext_value "$c" subjectAltName | sed 's/IP Address:/IP:/g')
    [ "$r_subj" = "$want_subj" ] || errs+=("subject '$r_subj' != openssl '$want_subj'")
    [ "$r_iss" = "$want_iss" ] || errs+=("issuer '$r_iss' != openssl '$want_iss'")
    [ "$r_sans" = "$want_sans" ] || errs+=("sans '$r_sans' != openssl '$want_sans'")
    if [ "$st" = valid ]; then
        local f; f=$(abs_path "$p" "$r_cert")
        same_cert "$f" "$c" || errs+=("cert_path '$r_cert' is not this certificate")
    fi
    [ ${#errs[@]} -eq 0 ] && return 0
    printf '%s\n' "${errs[@]}"; return 1
}
crl_field() { openssl crl -in "$1" -noout "-$2" 2>/dev/null | sed 's/^[^=]*=//'; }
crl_number() { printf '%d' "$(crl_field "$1" crlnumber)"; }
crl_aki() { openssl crl -in "$1" -noout -text 2>/dev/null | sed -n '/Authority Key Identifier/{n;p;q}' | sed 's/^[[:space:]]*//; s/^keyid://'; }
crl_count() { grep -c -- '-----BEGIN X509 CRL-----' "$1" 2>/dev/null || true; }
# crl_sig_ok CRL CA: openssl and certtool both verify the CRL's signature with CA
crl_sig_ok() {
    local o; o=$(openssl crl -in "$1" -noout -CAfile "$2" 2>&1)
    grep -qx 'verify OK' <<<"$o" || { echo "openssl crl: $o"; return 1; }
    o=$(certtool --verify-crl --load-ca-certificate "$2" --infile "$1" 2>&1) ||
        { echo "certtool --verify-crl:"; tail -n 3 <<<"$o"; return 1; }
    grep -q 'Verification output: Verified' <<<"$o" || { tail -n 3 <<<"$o"; return 1; }
}
# crl_lists CRL SERIAL [REASON_TEXT]: the CRL revokes SERIAL (with that reason, as openssl prints it)
crl_lists() {
    local txt s; txt=$(openssl crl -in "$1" -noout -text 2>/dev/null); s=$(norm_serial "$2")
    local entry; entry=$(awk -v s="$s" '
        /Serial Number:/ { v = toupper($3); sub(/^0+/, "", v); inside = (v == s) }
        inside { print }' <<<"$txt")
    [ -n "$entry" ] || { echo "serial $s not in $1"; return 1; }
    if [ -n "${3:-}" ] && ! grep -qF -- "$3" <<<"$entry"; then echo "entry has no reason '$3':"; echo "$entry"; return 1; fi
    return 0
}
not_in_crl() { ! crl_lists "$@" >/dev/null; }
# near EPOCH WANT SLACK: |EPOCH - WANT| <= SLACK
near() { local d=$(($1 - $2)); [ ${d#-} -le "$3" ] && return 0; echo "$1 is $d s away from $2"; return 1; }
# ossl_crl_verify CAFILE CRLFILE FLAG CHAIN: openssl verify with a CRL check; prints the output, keeps the exit code
ossl_crl_verify() { openssl verify "$3" -CAfile "$1" -CRLfile "$2" -untrusted "$4" "$4" 2>&1; }
# ossl_revoked CAFILE CRLFILE FLAG CHAIN: rejected with error 23 'certificate revoked'
ossl_revoked() {
    local o rc; o=$(ossl_crl_verify "$@"); rc=$?
    if [ $rc -ne 0 ] && grep -q 'error 23 at' <<<"$o" && grep -q 'certificate revoked' <<<"$o"; then return 0; fi
    echo "exit $rc: $o"; return 1
}
ossl_good() {
    local o rc; o=$(ossl_crl_verify "$@"); rc=$?
    if [ $rc -eq 0 ] && grep -q ': OK$' <<<"$o"; then return 0; fi
    echo "exit $rc: $o"; return 1
}
# certtool_crl BUNDLE CRL CHAIN -> prints certtool's output, keeps its exit code
certtool_crl() { certtool --verify --load-ca-certificate "$1" --load-crl "$2" --infile "$3" 2>&1; }
certtool_crl_revoked() {
    local o rc; o=$(certtool_crl "$@"); rc=$?
    if [ $rc -ne 0 ] && grep -q 'Chain verification output: Not verified' <<<"$o" && grep -qi 'revoked' <<<"$o"; then return 0; fi
    echo "certtool exit $rc:"; tail -n 6 <<<"$o"; return 1
}
certtool_crl_good() {
    local o rc; o=$(certtool_crl "$@"); rc=$?
    if [ $rc -eq 0 ] && grep -q 'Chain verification output: Verified' <<<"$o"; then return 0; fi
    echo "certtool exit $rc:"; tail -n 6 <<<"$o"; return 1
}

# --- the PKI ---------------------------------------------------------------------------------------------------
P=$T/pki
DB=$P/inventory.db
ROOT=$P/root-ca/certs/root-ca.cert.pem
CA=$P/server-ca/certs/server-ca.cert.pem
BUNDLE=$P/ca-bundle.pem
cert() { echo "$P/$1/certs/$1.cert.pem"; }
chain() { echo "$P/$1/$1.chain.pem"; }
key() { echo "$P/$1/private/$1.key.pem"; }

expect_exit 0 "quickstart (mqtt.example.com, localhost, 127.0.0.1)" \
    "$MQTTPKI" --pki "$P" quickstart --san mqtt.example.com --san localhost --san 127.0.0.1 --no-passphrase
expect_exit 0 "server issue good" "$MQTTPKI" --pki "$P" server issue good --san good.example.com --san 10.0.0.7
expect_exit 0 "server issue bad (to be revoked)" "$MQTTPKI" --pki "$P" server issue bad --san bad.example.com
for d in dev1 dev2; do
    expect_exit 0 "csr create $d --profile client" "$MQTTPKI" --pki "$P" csr create "$d" --profile client
    expect_exit 0 "csr sign $d --profile client" "$MQTTPKI" --pki "$P" csr sign "$P/$d/csr/$d.csr.pem" --profile client
done
check "dev1 client chain verifies (openssl -purpose sslclient)" \
    openssl verify -x509_strict -purpose sslclient -CAfile "$BUNDLE" -untrusted "$(chain dev1)" "$(chain dev1)"

# === inventory ================================================================================================
check "inventory.db exists" test -f "$DB"
check "sqlite3: PRAGMA integrity_check is ok" test "$(dbq "$DB" 'PRAGMA integrity_check')" = ok
cols=$(dbq "$DB" "SELECT group_concat(name, ',') FROM pragma_table_info('certificates')")
for c in serial name ca profile subject issuer sans not_before not_after status revoked_at reason sha256 cert_path key_path chain_path recorded_at; do
    check "table certificates has column $c" bash -c 'tr , "\n" <<<"$1" | grep -qx "$2"' _ "$cols" "$c"
done
cols=$(dbq "$DB" "SELECT group_concat(name, ',') FROM pragma_table_info('crls')")
for c in ca number this_update next_update; do
    check "table crls has column $c" bash -c 'tr , "\n" <<<"$1" | grep -qx "$2"' _ "$cols" "$c"
done
check "inventory: 7 certificates (root, server-ca, mqtt-server-1, good, bad, dev1, dev2)" \
    test "$(dbq "$DB" 'SELECT count(*) FROM certificates')" = 7
check "inventory: every serial is upper-case hex" \
    test "$(dbq "$DB" "SELECT count(*) FROM certificates WHERE serial GLOB '*[^0-9A-F]*' OR serial = ''")" = 0
check "row of root-ca matches openssl" inventory_row_is "$DB" "$P" "$ROOT" root-ca root-ca root valid
check "row of server-ca matches openssl" inventory_row_is "$DB" "$P" "$CA" server-ca root-ca intermediate valid
for n in mqtt-server-1 good bad; do
    check "row of $n matches openssl (serial, sha256, dates, subject, issuer, SANs, cert_path)" \
        inventory_row_is "$DB" "$P" "$(cert "$n")" "$n" server-ca server valid
done
for n in dev1 dev2; do
    check "row of client $n matches openssl" inventory_row_is "$DB" "$P" "$(cert "$n")" "$n" server-ca client valid
done
check "recorded_at is now (+-10 min)" near "$(dbq "$DB" "SELECT max(recorded_at) FROM certificates")" "$(date +%s)" 600
check "key_path of good is its key" test "$(abs_path "$P" "$(row_of "$DB" "$(cert_serial "$(cert good)")" key_path)")" -ef "$(key good)"
check "chain_path of good is its chain" test "$(abs_path "$P" "$(row_of "$DB" "$(cert_serial "$(cert good)")" chain_path)")" -ef "$(chain good)"

expect_exit 0 "list" "$MQTTPKI" --pki "$P" list
for n in root-ca server-ca mqtt-server-1 good bad dev1 dev2; do expect_stdout_contains "$n" "list shows $n"; done
expect_exit 0 "list --json" "$MQTTPKI" --pki "$P" --json list
check "list --json is JSON" is_json "$OUT_STDOUT"
LIST_JSON=$OUT_STDOUT
check "list --json: the serials are exactly the inventory's" bash -c '
    a=$(python3 -c "import json,sys; [print(c[\"serial\"].upper().lstrip(\"0\")) for c in json.load(sys.stdin)[\"certificates\"]]" <<<"$1" | sort)
    b=$(sqlite3 "$2" "SELECT ltrim(upper(serial),\"0\") FROM certificates" | sort)
    [ -n "$a" ] && [ "$a" = "$b" ] || { echo "json: $a"; echo "db: $b"; exit 1; }' _ "$LIST_JSON" "$DB"
expect_exit 0 "list --ca root-ca" "$MQTTPKI" --pki "$P" --json list --ca root-ca
check "list --ca root-ca: root-ca and server-ca only" bash -c '
    python3 -c "import json,sys; print(\" \".join(sorted(c[\"name\"] for c in json.load(sys.stdin)[\"certificates\"])))" <<<"$1" | grep -qx "root-ca server-ca"' _ "$OUT_STDOUT"
expect_exit 0 "list --name good" "$MQTTPKI" --pki "$P" --json list --name good
check "list --name good: exactly good's serial" bash -c '
    python3 -c "import json,sys; print(\" \".join(c[\"serial\"].upper().lstrip(\"0\") for c in json.load(sys.stdin)[\"certificates\"]))" <<<"$1" | grep -qx "$2"' _ "$OUT_STDOUT" "$(cert_serial "$(cert good)")"
expect_exit 0 "server issue short --days 10" "$MQTTPKI" --pki "$P" server issue short --san short.example.com --days 10
check "short: 10 days (openssl)" validity_days_is "$(cert short)" 10
expect_exit 0 "list --expiring 30d" "$MQTTPKI" --pki "$P" list --expiring 30d
expect_stdout_contains "short" "list --expiring 30d shows short (10 days)"
check "list --expiring 30d does not show good (365 days)" bash -c '! grep -qw good <<<"$1"' _ "$OUT_STDOUT"
expect_exit 2 "list --expiring xx" "$MQTTPKI" --pki "$P" list --expiring xx
expect_exit 2 "list --status bogus" "$MQTTPKI" --pki "$P" list --status bogus

expect_exit 0 "show good" "$MQTTPKI" --pki "$P" show good
expect_out_contains "$(openssl x509 -in "$(cert good)" -noout -serial | sed 's/serial=//')" "show good prints good's serial (as openssl prints it)"
expect_out_contains "$(fp_colon "$(cert good)")" "show good prints the SHA-256 fingerprint openssl computes"
expect_out_not_contains "MISSING" "show good: files are found"
lc=$(cert_serial "$(cert good)" | tr 'A-F' 'a-f')
expect_exit 0 "show SERIAL (lower case)" "$MQTTPKI" --pki "$P" --json show "$lc"
check "show --json SERIAL: JSON with name good and its serial and sha256" bash -c '
    python3 -c "
import json,sys
j=json.load(sys.stdin)
assert j[\"name\"]==\"good\", j
assert j[\"serial\"].upper().lstrip(\"0\")==sys.argv[1], j
assert j[\"sha256\"].upper()==sys.argv[2], j" "$2" "$3" <<<"$1"' _ "$OUT_STDOUT" "$(cert_serial "$(cert good)")" "$(fp_colon "$(cert good)")"
expect_exit 3 "show nosuch" "$MQTTPKI" --pki "$P" show nosuch
expect_error_prefix

# paths in the inventory must not depend on the working directory of the command that wrote them
mkdir -p "$T/cwd-a" "$T/cwd-b"
expect_exit 0 "quickstart with a relative --pki (from cwd-a)" \
    bash -c 'cd "$1" && exec "$2" --pki rel quickstart --san rel.example.com --no-passphrase' _ "$T/cwd-a" "$MQTTPKI"
expect_exit 0 "show mqtt-server-1 from another directory (absolute --pki)" \
    bash -c 'cd "$1" && exec "$2" --pki "$3" show mqtt-server-1' _ "$T/cwd-b" "$MQTTPKI" "$T/cwd-a/rel"
expect_out_not_contains "MISSING" "show from another working directory still finds the certificate, key and chain"

# === revocation and CRLs ======================================================================================
CAS=$T/root+server-ca.pem
cat "$ROOT" "$CA" >"$CAS"
expect_exit 0 "crl (no revocations yet)" "$MQTTPKI" --pki "$P" crl
for c in root-ca server-ca; do
    for e in pem der; do check "$c/crl/$c.crl.$e exists" test -f "$P/$c/crl/$c.crl.$e"; done
done
check "crl.pem holds 2 CRLs" test "$(crl_count "$P/crl.pem")" = 2
N_ROOT=$(crl_number "$P/root-ca/crl/root-ca.crl.pem")
N_SCA=$(crl_number "$P/server-ca/crl/server-ca.crl.pem")
check "first CRLs have crlNumber >= 1" test "$N_ROOT" -ge 1 -a "$N_SCA" -ge 1

# a broker with crlfile and client certificates, before any revocation
BROKER_PID=""
stop_broker() { [ -n "$BROKER_PID" ] && stop_pid "$BROKER_PID"; BROKER_PID=""; }
at_exit stop_broker
PORT=""
start_broker() { # NAME
    PORT=$(free_port)
    cat >"$T/$1.conf" <<EOF
user root
per_listener_settings false
listener $PORT 127.0.0.1
cafile $BUNDLE
certfile $(chain mqtt-server-1)
keyfile $(key mqtt-server-1)
require_certificate true
use_identity_as_username true
crlfile $P/crl.pem
EOF
    mosquitto -c "$T/$1.conf" >"$T/$1.log" 2>&1 </dev/null &
    BROKER_PID=$!
    local w; w=$(wait_port 127.0.0.1 "$PORT" 5)
    if kill -0 "$BROKER_PID" 2>/dev/null && [ -z "$w" ]; then _pass "mosquitto '$1' (crlfile, require_certificate) is up"; return 0; fi
    _fail "mosquitto '$1' (crlfile, require_certificate) is up" "$w
$(cat "$T/$1.log")"
    return 1
}
pub_as() { # CLIENT
    timeout -k 2 10 mosquitto_pub -h localhost -p "$PORT" --cafile "$BUNDLE" --cert "$(chain "$1")" --key "$(key "$1")" \
        -t e2e/crl -m "hello from $1" </dev/null 2>&1
}
if [ "$HAVE_MOSQUITTO" = 1 ]; then
    if start_broker before-revoke; then
        check "mosquitto: dev1 connects before revocation" pub_as dev1
        check "mosquitto: dev2 connects before revocation" pub_as dev2
    fi
    stop_broker
else
    note "mosquitto not installed: broker checks skipped"
fi

BAD_SERIAL=$(cert_serial "$(cert bad)")
expect_exit 0 "revoke bad --reason keyCompromise" "$MQTTPKI" --pki "$P" revoke bad --reason keyCompromise
check "inventory: bad is revoked, reason 1 (keyCompromise), revoked_at now" bash -c '
    r=$(sqlite3 -separator "|" "$1" "SELECT status, reason, revoked_at FROM certificates WHERE ltrim(serial,\"0\")=\"$2\"")
    IFS="|" read -r s why at <<<"$r"; now=$(date +%s)
    [ "$s" = revoked ] && [ "$why" = 1 ] && [ $((now - at)) -le 600 ] && [ $((at - now)) -le 600 ] || { echo "row: $r"; exit 1; }' _ "$DB" "$BAD_SERIAL"
check "inventory: the other rows are still valid" test "$(dbq "$DB" "SELECT count(*) FROM certificates WHERE status='valid'")" = 7
expect_exit 0 "revoke dev1 (by serial, lower case) --reason affiliationChanged" \
    "$MQTTPKI" --pki "$P" revoke "$(cert_serial "$(cert dev1)" | tr 'A-F' 'a-f')" --reason affiliationChanged
expect_exit 0 "list --status revoked" "$MQTTPKI" --pki "$P" --json list --status revoked
check "list --status revoked: exactly bad and dev1" bash -c '
    python3 -c "import json,sys; print(\" \".join(sorted(c[\"name\"] for c in json.load(sys.stdin)[\"certificates\"])))" <<<"$1" | grep -qx "bad dev1"' _ "$OUT_STDOUT"
snapshot "$P"
expect_exit 3 "revoke bad a second time" "$MQTTPKI" --pki "$P" revoke bad
expect_error_prefix
expect_exit 3 "revoke bad's serial a second time" "$MQTTPKI" --pki "$P" revoke "$BAD_SERIAL"
expect_out_contains_i "already revoked"
expect_exit 3 "revoke root-ca is refused" "$MQTTPKI" --pki "$P" revoke root-ca
expect_error_prefix
expect_exit 3 "revoke the root by serial is refused" "$MQTTPKI" --pki "$P" revoke "$(cert_serial "$ROOT")"
expect_exit 2 "revoke --reason bogus" "$MQTTPKI" --pki "$P" revoke good --reason bogus
expect_exit 3 "revoke nosuch" "$MQTTPKI" --pki "$P" revoke nosuch
assert_unchanged "$P" "refused revocations changed nothing (files and inventory)"
check "root-ca still valid in the inventory" test "$(row_of "$DB" "$(cert_serial "$ROOT")" status)" = valid

expect_exit 0 "crl --days 30" "$MQTTPKI" --pki "$P" crl --days 30
NOW=$(date +%s)
RCRL=$P/root-ca/crl/root-ca.crl.pem
SCRL=$P/server-ca/crl/server-ca.crl.pem
check "root-ca crlNumber is the previous + 1" test "$(crl_number "$RCRL")" = $((N_ROOT + 1))
check "server-ca crlNumber is the previous + 1" test "$(crl_number "$SCRL")" = $((N_SCA + 1))
check "root-ca CRL: issuer is the root's subject" test "$(openssl crl -in "$RCRL" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')" = "$(subject_of "$ROOT")"
check "server-ca CRL: issuer is server-ca's subject" test "$(openssl crl -in "$SCRL" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')" = "$(subject_of "$CA")"
check "root-ca CRL: AKI = root SKI" test "$(crl_aki "$RCRL")" = "$(ski_of "$ROOT")"
check "server-ca CRL: AKI = server-ca SKI" test "$(crl_aki "$SCRL")" = "$(ski_of "$CA")"
check "root-ca CRL: v2" bash -c "openssl crl -in '$RCRL' -noout -text | grep -q 'Version 2 (0x1)'"
check "root-ca CRL signature verifies with the root (openssl, certtool)" crl_sig_ok "$RCRL" "$ROOT"
check "server-ca CRL signature verifies with server-ca (openssl, certtool)" crl_sig_ok "$SCRL" "$CA"
check "server-ca CRL: nextUpdate = now + 30 days (+-1 h)" near "$(_epoch "$(crl_field "$SCRL" nextupdate)")" $((NOW + 30 * 86400)) 3600
check "server-ca CRL: lastUpdate = now (+-1 h)" near "$(_epoch "$(crl_field "$SCRL" lastupdate)")" "$NOW" 3600
check "root-ca CRL: nextUpdate = now + 30 days (+-1 h)" near "$(_epoch "$(crl_field "$RCRL" nextupdate)")" $((NOW + 30 * 86400)) 3600
check "server-ca CRL lists bad with reason Key Compromise" crl_lists "$SCRL" "$BAD_SERIAL" "Key Compromise"
check "server-ca CRL lists dev1 with reason Affiliation Changed" crl_lists "$SCRL" "$(cert_serial "$(cert dev1)")" "Affiliation Changed"
check "server-ca CRL does not list good" not_in_crl "$SCRL" "$(cert_serial "$(cert good)")"
check "root-ca CRL lists nothing" bash -c "openssl crl -in '$RCRL' -noout -text | grep -q 'No Revoked Certificates'"
for c in root-ca server-ca; do
    check "$c.crl.der is the DER of $c.crl.pem" cmp -s "$P/$c/crl/$c.crl.der" <(openssl crl -in "$P/$c/crl/$c.crl.pem" -outform DER)
done
check "crl.pem = the two CRLs" bash -c '
    d=$(mktemp -d); awk -v d="$d" "/BEGIN X509 CRL/{n++} {print > (d \"/\" n)}" "$1"
    a=$(for f in "$d"/*; do openssl crl -in "$f" -outform DER | sha256sum; done | sort)
    b=$(for f in "$2" "$3"; do openssl crl -in "$f" -outform DER | sha256sum; done | sort); rm -rf "$d"
    [ "$a" = "$b" ]' _ "$P/crl.pem" "$RCRL" "$SCRL"
check "inventory crls: root-ca and server-ca rows match the CRLs (number, nextUpdate)" bash -c '
    for c in root-ca server-ca; do
        f=$2/$c/crl/$c.crl.pem
        want="$(printf %d "$(openssl crl -in "$f" -noout -crlnumber | sed s/.*=//)")|$(date -u -d "$(openssl crl -in "$f" -noout -nextupdate | sed s/.*=//)" +%s)"
        got=$(sqlite3 -separator "|" "$1" "SELECT number, next_update FROM crls WHERE ca=\"$c\"")
        [ "$got" = "$want" ] || { echo "$c: inventory $got, CRL $want"; exit 1; }
    done' _ "$DB" "$P"

check "openssl verify -crl_check rejects bad: error 23 certificate revoked" ossl_revoked "$CAS" "$P/crl.pem" -crl_check "$(chain bad)"
check "openssl verify -crl_check_all rejects bad: error 23" ossl_revoked "$CAS" "$P/crl.pem" -crl_check_all "$(chain bad)"
check "openssl verify -crl_check accepts good" ossl_good "$CAS" "$P/crl.pem" -crl_check "$(chain good)"
check "openssl verify -crl_check_all accepts good" ossl_good "$CAS" "$P/crl.pem" -crl_check_all "$(chain good)"
check "openssl verify -crl_check_all (bundle only, chain untrusted) accepts good" ossl_good "$BUNDLE" "$P/crl.pem" -crl_check_all "$(chain good)"
check "openssl verify -crl_check_all rejects the revoked client dev1" ossl_revoked "$CAS" "$P/crl.pem" -crl_check_all "$(chain dev1)"
check "certtool --load-crl rejects bad (revoked)" certtool_crl_revoked "$BUNDLE" "$P/crl.pem" "$(chain bad)"
check "certtool --load-crl accepts good" certtool_crl_good "$BUNDLE" "$P/crl.pem" "$(chain good)"

if [ "$HAVE_MOSQUITTO" = 1 ]; then
    if start_broker after-revoke; then
        check_fails "mosquitto: the revoked dev1 is refused after revoke + crl + restart" pub_as dev1
        check "mosquitto: dev2 (not revoked) still connects" pub_as dev2
    fi
    stop_broker
fi

# nextUpdate warnings
expect_exit 0 "crl --days 3" "$MQTTPKI" --pki "$P" crl --days 3
check "crl --days 3: nextUpdate = now + 3 days (+-1 h)" near "$(_epoch "$(crl_field "$SCRL" nextupdate)")" $(($(date +%s) + 3 * 86400)) 3600
check "crl --days 3: crlNumber increased again" test "$(crl_number "$SCRL")" = $((N_SCA + 2))
expect_exit 0 "list with CRLs due within 7 days" "$MQTTPKI" --pki "$P" list
expect_stderr_contains "server-ca" "list warns on stderr about server-ca's CRL"
expect_stderr_contains_i "crl" "the warning is about the CRL"
check "list: no CRL warning on stdout" bash -c '! grep -qi "warning" <<<"$1"' _ "$OUT_STDOUT"
dbq "$DB" "UPDATE crls SET next_update = strftime('%s','now') - 3600 WHERE ca = 'server-ca'"
expect_exit 0 "list with a lapsed server-ca CRL (next_update set in the past with sqlite3)" "$MQTTPKI" --pki "$P" list
expect_stderr_contains "EXPIRED" "list says EXPIRED on stderr"
check "the EXPIRED line names server-ca" bash -c 'grep "EXPIRED" <<<"$1" | grep -q server-ca' _ "$OUT_STDERR"
expect_exit 0 "crl --days 30 again" "$MQTTPKI" --pki "$P" crl --days 30
expect_exit 0 "list after a fresh CRL" "$MQTTPKI" --pki "$P" list
check "no CRL warning any more" bash -c '! grep -qiE "crl.*(expire|EXPIRED)" <<<"$1"' _ "$OUT_STDERR"
N_ROOT=$(crl_number "$RCRL"); N_SCA=$(crl_number "$SCRL")
expect_exit 0 "crl --ca server-ca" "$MQTTPKI" --pki "$P" crl --ca server-ca
check "crl --ca server-ca: server-ca crlNumber + 1" test "$(crl_number "$SCRL")" = $((N_SCA + 1))
check "crl --ca server-ca: root-ca CRL untouched (same crlNumber)" test "$(crl_number "$RCRL")" = "$N_ROOT"
check "crl --ca server-ca: crl.pem still holds both CRLs" test "$(crl_count "$P/crl.pem")" = 2
check "crl --ca server-ca: crl.pem has the new server-ca CRL" bash -c \
    'grep -qF "$(sed -n 2p "$2")" "$1"' _ "$P/crl.pem" "$SCRL"
expect_exit 2 "crl --days 0" "$MQTTPKI" --pki "$P" crl --days 0
expect_exit 3 "crl --ca nosuch" "$MQTTPKI" --pki "$P" crl --ca nosuch

# revoking an intermediate: in a PKI of its own
P2=$T/pki2
expect_exit 0 "pki2: quickstart" "$MQTTPKI" --pki "$P2" quickstart --san two.example.com --no-passphrase
SCA2=$(cert_serial "$P2/server-ca/certs/server-ca.cert.pem")
expect_exit 0 "pki2: revoke server-ca --reason cACompromise" "$MQTTPKI" --pki "$P2" revoke server-ca --reason cACompromise
expect_exit 0 "pki2: crl" "$MQTTPKI" --pki "$P2" crl
check "pki2: root-ca's CRL lists server-ca (CA Compromise)" crl_lists "$P2/root-ca/crl/root-ca.crl.pem" "$SCA2" "CA Compromise"
check "pki2: openssl -crl_check rejects server-ca itself: error 23 certificate revoked" \
    ossl_revoked "$P2/ca-bundle.pem" "$P2/crl.pem" -crl_check "$P2/server-ca/certs/server-ca.cert.pem"
check_fails "pki2: openssl -crl_check_all rejects the server chain under the revoked server-ca" \
    ossl_good "$P2/ca-bundle.pem" "$P2/crl.pem" -crl_check_all "$P2/mqtt-server-1/mqtt-server-1.chain.pem"
check "pki2: certtool --load-crl rejects the server chain" \
    certtool_crl_revoked "$P2/ca-bundle.pem" "$P2/crl.pem" "$P2/mqtt-server-1/mqtt-server-1.chain.pem"
# Issuing under a revoked intermediate makes certificates nobody accepts: mqttpki should refuse or at least warn.
run_mq --pki "$P2" server issue late --san late.example.com
check "pki2: server issue under the revoked server-ca refuses, or warns that server-ca is revoked" \
    bash -c '[ "$1" -ne 0 ] || grep -qi "revoked" <<<"$2"' _ "$RC" "$OUT_STDERR"

# === renewal ==================================================================================================
GOOD_OLD=$T/good-old.cert.pem; cp "$(cert good)" "$GOOD_OLD"
GOOD_KEY_SHA=$(sha_of "$(key good)")
expect_exit 0 "renew good" "$MQTTPKI" --pki "$P" renew good
check "renew: new serial" test "$(cert_serial "$(cert good)")" != "$(cert_serial "$GOOD_OLD")"
check "renew: same subject" test "$(subject_of "$(cert good)")" = "$(subject_of "$GOOD_OLD")"
check "renew: same SANs" test "$(san_set "$(cert good)")" = "$(san_set "$GOOD_OLD")"
check "renew: same public key (no --rekey)" test "$(pubkey_of "$(cert good)")" = "$(pubkey_of "$GOOD_OLD")"
check "renew: key file untouched" test "$(sha_of "$(key good)")" = "$GOOD_KEY_SHA"
check "renew: 365 days" validity_days_is "$(cert good)" 365
check "renew: old row superseded" test "$(row_of "$DB" "$(cert_serial "$GOOD_OLD")" status)" = superseded
check "renew: new row valid and matches openssl" inventory_row_is "$DB" "$P" "$(cert good)" good server-ca server valid
check "renew: exactly one valid row for good" test "$(dbq "$DB" "SELECT count(*) FROM certificates WHERE name='good' AND status='valid'")" = 1
check "renew: chain verifies (openssl -x509_strict sslserver good.example.com)" ossl_verify "$BUNDLE" "$(chain good)" -verify_hostname good.example.com
check "renew: chain verifies for 10.0.0.7" ossl_verify "$BUNDLE" "$(chain good)" -verify_ip 10.0.0.7
check "renew: chain's first certificate is the new cert" same_cert "$(chain good)" "$(cert good)"
check "renew: certtool accepts the chain" certtool_verify "$BUNDLE" "$(chain good)" good.example.com
check_leaf_profile "$(cert good)" "$CA" server ec "renewed good"
expect_exit 0 "list --status superseded" "$MQTTPKI" --pki "$P" --json list --status superseded
check "list --status superseded has the old good serial" bash -c 'grep -qi "$2" <<<"$1"' _ "$OUT_STDOUT" "$(cert_serial "$GOOD_OLD")"

GOOD2=$T/good-2.cert.pem; cp "$(cert good)" "$GOOD2"
expect_exit 0 "renew good --rekey" "$MQTTPKI" --pki "$P" renew good --rekey
check "--rekey: new public key" test "$(pubkey_of "$(cert good)")" != "$(pubkey_of "$GOOD2")"
check "--rekey: new key file matches the new cert" pubkeys_match "$(cert good)" "$(key good)"
check "--rekey: key is 0400" mode_is "$(key good)" 400
check "--rekey: same SANs and subject" bash -c '[ "$1" = "$2" ] && [ "$3" = "$4" ]' _ \
    "$(san_set "$(cert good)")" "$(san_set "$GOOD2")" "$(subject_of "$(cert good)")" "$(subject_of "$GOOD2")"
check "--rekey: previous row superseded" test "$(row_of "$DB" "$(cert_serial "$GOOD2")" status)" = superseded
check "--rekey: chain verifies" ossl_verify "$BUNDLE" "$(chain good)" -verify_hostname good.example.com
expect_exit 0 "renew good --rekey --key rsa-2048 --days 10" "$MQTTPKI" --pki "$P" renew good --rekey --key rsa-2048 --days 10
check "--key rsa-2048: RSA 2048" test "$(pubkey_bits "$(cert good)")" = 2048
check "--key rsa-2048: key matches" pubkeys_match "$(cert good)" "$(key good)"
check "--days 10: 10 days" validity_days_is "$(cert good)" 10
check "--key rsa-2048: RSA server profile (digitalSignature, keyEncipherment)" ext_is "$(cert good)" keyUsage critical "Digital Signature, Key Encipherment"
check "--key rsa-2048: chain verifies" ossl_verify "$BUNDLE" "$(chain good)" -verify_hostname good.example.com
expect_exit 0 "renew good (back to 365 days)" "$MQTTPKI" --pki "$P" renew good
DEV2_OLD=$T/dev2-old.cert.pem; cp "$(cert dev2)" "$DEV2_OLD"
expect_exit 0 "renew dev2 (client)" "$MQTTPKI" --pki "$P" renew dev2
check "renewed dev2 keeps the client profile (clientAuth only)" ext_is "$(cert dev2)" extendedKeyUsage noncritical "TLS Web Client Authentication"
check "renewed dev2 verifies as sslclient" openssl verify -x509_strict -purpose sslclient -CAfile "$BUNDLE" -untrusted "$(chain dev2)" "$(chain dev2)"
snapshot "$P"
expect_exit 3 "renew bad (revoked) is refused" "$MQTTPKI" --pki "$P" renew bad
expect_exit 3 "renew server-ca is refused (use rotate)" "$MQTTPKI" --pki "$P" renew server-ca
expect_exit 3 "renew nosuch" "$MQTTPKI" --pki "$P" renew nosuch
expect_exit 2 "renew good --days 0" "$MQTTPKI" --pki "$P" renew good --days 0
assert_unchanged "$P" "refused renewals changed nothing"

# needs-renewal
expect_exit 0 "needs-renewal good (365 days, default 66%)" "$MQTTPKI" --pki "$P" needs-renewal good
expect_exit 0 "needs-renewal good --expires-in 30d" "$MQTTPKI" --pki "$P" needs-renewal good --expires-in 30d
expect_exit 1 "needs-renewal good --expires-in 400d" "$MQTTPKI" --pki "$P" needs-renewal good --expires-in 400d
expect_exit 0 "needs-renewal FILE (good's cert)" "$MQTTPKI" --pki "$P" needs-renewal "$(cert good)"
expect_exit 1 "needs-renewal FILE --expires-in 400d" "$MQTTPKI" --pki "$P" needs-renewal "$(cert good)" --expires-in 400d
expect_exit 0 "server issue oneday --days 1" "$MQTTPKI" --pki "$P" server issue oneday --san oneday.example.com --days 1
expect_exit 1 "needs-renewal oneday --expires-in 2d" "$MQTTPKI" --pki "$P" needs-renewal oneday --expires-in 2d
expect_exit 0 "needs-renewal oneday --expires-in 1h" "$MQTTPKI" --pki "$P" needs-renewal oneday --expires-in 1h
expect_exit 1 "needs-renewal short (10 days) --expires-in 2w" "$MQTTPKI" --pki "$P" needs-renewal short --expires-in 2w
expect_exit 1 "needs-renewal good --expires-in 0% (always due)" "$MQTTPKI" --pki "$P" needs-renewal good --expires-in 0%
# a certificate mqttpki never saw (openssl self-signed, 5 days)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/foreign.key" -out "$T/foreign.pem" \
    -days 5 -subj /CN=foreign >/dev/null 2>&1
expect_exit 1 "needs-renewal on a foreign 5-day cert file --expires-in 30d" "$MQTTPKI" --pki "$P" needs-renewal "$T/foreign.pem" --expires-in 30d
expect_exit 0 "needs-renewal on a foreign 5-day cert file --expires-in 1d" "$MQTTPKI" --pki "$P" needs-renewal "$T/foreign.pem" --expires-in 1d
expect_exit 3 "needs-renewal on a missing file (absolute path)" "$MQTTPKI" --pki "$P" needs-renewal "$T/no-such-cert.pem"
expect_error_prefix
expect_exit 3 "needs-renewal on an unknown name" "$MQTTPKI" --pki "$P" needs-renewal nosuch
for bad in xx 120% -3d d 30x; do
    expect_exit 2 "needs-renewal --expires-in '$bad'" "$MQTTPKI" --pki "$P" needs-renewal good --expires-in "$bad"
done

# === rotation of server-ca ====================================================================================
OLD_CA=$T/server-ca-old.cert.pem; cp "$CA" "$OLD_CA"
OLD_CA_SERIAL=$(cert_serial "$OLD_CA")
OLD_CA_SERIAL_OSSL=$(openssl x509 -in "$OLD_CA" -noout -serial | sed 's/serial=//')
OLD_CA_KEY_SHA=$(sha_of "$P/server-ca/private/server-ca.key.pem")
OLD_GOOD_CHAIN=$T/good-prerotation.chain.pem; cp "$(chain good)" "$OLD_GOOD_CHAIN"
OLD_GOOD=$T/good-prerotation.cert.pem; cp "$(cert good)" "$OLD_GOOD"
OLD_DEV2_CHAIN=$T/dev2-prerotation.chain.pem; cp "$(chain dev2)" "$OLD_DEV2_CHAIN"
OLD_BAD_CHAIN=$T/bad-prerotation.chain.pem; cp "$(chain bad)" "$OLD_BAD_CHAIN"
BUNDLE_SHA=$(sha_of "$BUNDLE")
ROOT_SHA=$(sha_of "$ROOT")
# the servers issued by server-ca with a valid certificate: all must be re-issued
SERVERS=$(dbq "$DB" "SELECT name FROM certificates WHERE ca='server-ca' AND profile='server' AND status='valid' ORDER BY name")
note "valid servers under server-ca: $(paste -sd' ' <<<"$SERVERS")"

expect_exit 0 "rotate server-ca" "$MQTTPKI" --pki "$P" rotate server-ca
check "rotate: new server-ca serial" test "$(cert_serial "$CA")" != "$OLD_CA_SERIAL"
check "rotate: new server-ca key" test "$(pubkey_of "$CA")" != "$(pubkey_of "$OLD_CA")"
check "rotate: new key matches new cert" pubkeys_match "$CA" "$P/server-ca/private/server-ca.key.pem"
check "rotate: same subject" test "$(subject_of "$CA")" = "$(subject_of "$OLD_CA")"
check_intermediate_profile "$CA" "$ROOT" "rotated server-ca"
check "rotate: 1825 days" validity_days_is "$CA" 1825
ARCH=$P/server-ca/archive/$OLD_CA_SERIAL_OSSL
check "rotate: archive/<old serial>/ exists" test -d "$ARCH"
check "rotate: archived cert is the old server-ca" same_cert "$ARCH/server-ca.cert.pem" "$OLD_CA"
check "rotate: archived key is the old key (byte-identical)" test "$(sha_of "$ARCH/private/server-ca.key.pem")" = "$OLD_CA_KEY_SHA"
check "rotate: archived key is 0400" mode_is "$ARCH/private/server-ca.key.pem" 400
check "rotate: ca-bundle.pem unchanged (sha256)" test "$(sha_of "$BUNDLE")" = "$BUNDLE_SHA"
check "rotate: root cert unchanged (sha256)" test "$(sha_of "$ROOT")" = "$ROOT_SHA"
check "rotate: inventory: old server-ca superseded" test "$(row_of "$DB" "$OLD_CA_SERIAL" status)" = superseded
check "rotate: inventory: new server-ca row valid, matches openssl" inventory_row_is "$DB" "$P" "$CA" server-ca root-ca intermediate valid
for n in $SERVERS; do
    check "rotate: $n re-issued by the new server-ca (AKI = new SKI)" aki_matches "$(cert "$n")" "$CA"
    check "rotate: $n chain is [leaf, new server-ca]" chain_is "$(chain "$n")" "$(cert "$n")" "$CA"
    check "rotate: $n valid row matches openssl" inventory_row_is "$DB" "$P" "$(cert "$n")" "$n" server-ca server valid
done
check "rotate: good's pre-rotation cert is superseded" test "$(row_of "$DB" "$(cert_serial "$OLD_GOOD")" status)" = superseded
check "rotate: good keeps its SANs" test "$(san_set "$(cert good)")" = "$(san_set "$OLD_GOOD")"
check "rotate: new good chain verifies against the unchanged bundle (openssl -x509_strict)" \
    ossl_verify "$BUNDLE" "$(chain good)" -verify_hostname good.example.com
check "rotate: new mqtt-server-1 chain verifies (openssl -x509_strict, localhost)" \
    ossl_verify "$BUNDLE" "$(chain mqtt-server-1)" -verify_hostname localhost
check "rotate: certtool accepts the new good chain" certtool_verify "$BUNDLE" "$(chain good)" good.example.com
check "rotate: pre-rotation good chain still verifies against the same bundle (openssl)" \
    ossl_verify "$BUNDLE" "$OLD_GOOD_CHAIN" -verify_hostname good.example.com
check "rotate: pre-rotation good cert verifies with the archived intermediate" \
    openssl verify -x509_strict -purpose sslserver -CAfile "$BUNDLE" -untrusted "$ARCH/server-ca.cert.pem" "$OLD_GOOD"
check "rotate: certtool accepts the pre-rotation good chain" certtool_verify "$BUNDLE" "$OLD_GOOD_CHAIN" good.example.com
check_fails "rotate: the new good cert does not verify with the archived intermediate" \
    openssl verify -CAfile "$BUNDLE" -untrusted "$ARCH/server-ca.cert.pem" "$(cert good)"
snapshot "$P"
run_mq --pki "$P" rotate root-ca
check "rotate root-ca is refused (non-zero exit)" test "$RC" -ne 0
expect_exit 3 "rotate nosuch" "$MQTTPKI" --pki "$P" rotate nosuch
assert_unchanged "$P" "refused rotations changed nothing"

# CRLs after the rotation
expect_exit 0 "crl after the rotation" "$MQTTPKI" --pki "$P" crl
check "post-rotation server-ca CRL: AKI = the new server-ca SKI" test "$(crl_aki "$SCRL")" = "$(ski_of "$CA")"
check "post-rotation server-ca CRL verifies with the new server-ca" crl_sig_ok "$SCRL" "$CA"
check "post-rotation: the new good chain passes -crl_check_all" ossl_good "$BUNDLE" "$P/crl.pem" -crl_check_all "$(chain good)"
# Certificates issued by the old intermediate key (clients are not re-issued) stay valid until they expire, so a
# broker with crlfile still needs a CRL signed by the old key; without one OpenSSL fails with
# "unable to get certificate CRL" (error 3) and refuses every such client.
check "post-rotation: a pre-rotation client (dev2, not revoked) still passes openssl -crl_check with crl.pem" \
    ossl_good "$BUNDLE" "$P/crl.pem" -crl_check "$OLD_DEV2_CHAIN"
check_fails "post-rotation: the pre-rotation revoked bad is still rejected (openssl -crl_check)" \
    ossl_good "$BUNDLE" "$P/crl.pem" -crl_check "$OLD_BAD_CHAIN"

# === the inventory under corruption, concurrency and a crash ==================================================
# copy_pki SRC DST: a copy of the PKI without SQLite's -shm file (and the -wal when empty), so that a command
# that opens and closes the database cleanly leaves the directory listing as it found it
copy_pki() {
    cp -a "$1" "$2"
    rm -f "$2/inventory.db-shm"
    [ -s "$2/inventory.db-wal" ] || rm -f "$2/inventory.db-wal"
}
# random bytes instead of inventory.db
C1=$T/corrupt1
copy_pki "$P" "$C1"
head -c 32768 /dev/urandom >"$C1/inventory.db"
snapshot "$C1"
expect_exit 3 "corrupt inventory (random bytes): list" "$MQTTPKI" --pki "$C1" list
expect_error_prefix
expect_out_contains_i "corrupt" "list says the inventory is corrupt"
expect_exit 3 "corrupt inventory: server issue" "$MQTTPKI" --pki "$C1" server issue s9 --san s9.example.com
expect_out_contains_i "corrupt" "server issue says the inventory is corrupt"
expect_exit 3 "corrupt inventory: revoke" "$MQTTPKI" --pki "$C1" revoke good
expect_exit 3 "corrupt inventory: crl" "$MQTTPKI" --pki "$C1" crl
expect_exit 3 "corrupt inventory: renew" "$MQTTPKI" --pki "$C1" renew good
expect_exit 3 "corrupt inventory: show" "$MQTTPKI" --pki "$C1" show good
assert_unchanged "$C1" "corrupt inventory: nothing written (server issue, revoke, crl, renew)"

# a valid SQLite header and schema page, but a damaged data page
C2=$T/corrupt2
copy_pki "$P" "$C2"
PGSZ=$(dbq "$C2/inventory.db" 'PRAGMA page_size')
PGS=$(dbq "$C2/inventory.db" 'PRAGMA page_count')
dd if=/dev/urandom of="$C2/inventory.db" bs="$PGSZ" seek=1 count=$((PGS - 1)) conv=notrunc 2>/dev/null
cp "$C2/inventory.db" "$T/damaged-probe.db" # sqlite3 may leave -wal/-shm files next to what it opens
check "damaged pages: sqlite3 integrity_check says so" bash -c '[ "$(sqlite3 "$1" "PRAGMA integrity_check" 2>&1)" != ok ]' _ "$T/damaged-probe.db"
snapshot "$C2"
expect_exit 3 "damaged pages: list" "$MQTTPKI" --pki "$C2" list
expect_out_contains_i "corrupt"
expect_exit 3 "damaged pages: server issue" "$MQTTPKI" --pki "$C2" server issue s9 --san s9.example.com
expect_out_contains_i "corrupt"
assert_unchanged "$C2" "damaged pages: server issue wrote nothing (no key, cert or chain for an unrecorded certificate)"

# an SQLite database that is not an mqttpki inventory
C3=$T/foreign-db
copy_pki "$P" "$C3"
rm -f "$C3/inventory.db"
sqlite3 "$C3/inventory.db" "CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('hello');"
snapshot "$C3"
expect_exit 3 "non-mqttpki SQLite file: list" "$MQTTPKI" --pki "$C3" list
expect_out_contains_i "not an mqttpki inventory"
expect_exit 3 "non-mqttpki SQLite file: server issue" "$MQTTPKI" --pki "$C3" server issue s9 --san s9.example.com
expect_out_contains_i "inventory"
assert_unchanged "$C3" "non-mqttpki SQLite file: nothing written, the foreign database untouched"

# concurrent issuance: 10 pairs started at the same time
Q=$T/concurrent
expect_exit 0 "concurrent: quickstart" "$MQTTPKI" --pki "$Q" quickstart --san q.example.com --no-passphrase
crc=""
for i in $(seq 1 10); do
    timeout -k 5 60 "$MQTTPKI" --pki "$Q" server issue "a$i" --san "a$i.example.com" >"$T/conc-a$i.log" 2>&1 &
    pa=$!
    timeout -k 5 60 "$MQTTPKI" --pki "$Q" server issue "b$i" --san "b$i.example.com" >"$T/conc-b$i.log" 2>&1 &
    pb=$!
    wait "$pa"; ra=$?; wait "$pb"; rb=$?
    crc+="$ra$rb "
done
check "concurrent: all 20 server issue runs exit 0" bash -c '[ -z "$(tr -d "0 " <<<"$1")" ] || { echo "exit codes: $1"; cat "$2"/conc-*.log | sort | uniq -c; exit 1; }' _ "$crc" "$T"
check "concurrent: 20 distinct serials (openssl)" bash -c '
    for i in $(seq 1 10); do for s in a b; do openssl x509 -in "$1/$s$i/certs/$s$i.cert.pem" -noout -serial; done; done | sort -u | wc -l | grep -qx 20' _ "$Q"
check "concurrent: inventory has 23 rows, 23 distinct serials" \
    test "$(dbq "$Q/inventory.db" 'SELECT count(*), count(DISTINCT serial) FROM certificates')" = "23|23"
check "concurrent: every certificate is in the inventory with its own serial and fingerprint" bash -c '
    for i in $(seq 1 10); do for s in a b; do
        c="$1/$s$i/certs/$s$i.cert.pem"
        ser=$(openssl x509 -in "$c" -noout -serial | sed "s/serial=//; s/^0*//")
        fp=$(openssl x509 -in "$c" -noout -fingerprint -sha256 | sed "s/.*=//")
        got=$(sqlite3 "$1/inventory.db" "SELECT name||\"|\"||upper(sha256) FROM certificates WHERE ltrim(upper(serial),\"0\")=\"$ser\"")
        [ "$got" = "$s$i|$fp" ] || { echo "$s$i: inventory has \"$got\""; exit 1; }
    done; done' _ "$Q"
check "concurrent: sqlite3 integrity_check ok" test "$(dbq "$Q/inventory.db" 'PRAGMA integrity_check')" = ok

# a command waits for the inventory's write lock before it writes any file: another process (python3's sqlite3)
# holds the lock, server issue is started and killed with SIGKILL while it waits, and nothing of it may be on disk.
# Once the lock is free the same command completes. (A kill after the files and before the row is made in
# test_kill_trials, with a preload that holds the command there.)
K=$T/crash
expect_exit 0 "lock wait: quickstart" "$MQTTPKI" --pki "$K" quickstart --san k.example.com --no-passphrase
mkfifo "$T/lock.in"
python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=5)
c.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
c.execute("COMMIT")
' "$K/inventory.db" <"$T/lock.in" >"$T/lock.out" 2>&1 &
LOCK_PID=$!
at_exit stop_pid "$LOCK_PID"
exec 7>"$T/lock.in"
for ((i = 0; i < 50; i++)); do grep -q locked "$T/lock.out" && break; sleep 0.1; done
if grep -q locked "$T/lock.out"; then
    snapshot "$K"
    "$MQTTPKI" --pki "$K" server issue crashy --san crashy.example.com </dev/null >"$T/crashy.log" 2>&1 &
    MQ_PID=$!
    sleep 1 # a server issue takes about 10 ms: still running now means waiting for the lock
    check "lock wait: server issue is still running while another process holds the lock" kill -0 "$MQ_PID"
    kill -9 "$MQ_PID" 2>/dev/null; wait "$MQ_PID" 2>/dev/null
    assert_unchanged "$K" "lock wait: killed while waiting: nothing of crashy on disk, no journal, no temporary file"
    echo commit >&7; exec 7>&-
    wait "$LOCK_PID" 2>/dev/null
    check "lock wait: and no row for crashy" test "$(dbq "$K/inventory.db" "SELECT count(*) FROM certificates WHERE name='crashy'")" = 0
    expect_exit 0 "lock wait: the same server issue, the lock free" "$MQTTPKI" --pki "$K" server issue crashy --san crashy.example.com
    check "lock wait: its row matches openssl (serial, sha256, dates, SANs)" \
        inventory_row_is "$K/inventory.db" "$K" "$K/crashy/certs/crashy.cert.pem" crashy server-ca server valid
    check "lock wait: its chain verifies" ossl_verify "$K/ca-bundle.pem" "$K/crashy/crashy.chain.pem" -verify_hostname crashy.example.com
    check "lock wait: sqlite3 integrity_check ok" test "$(dbq "$K/inventory.db" 'PRAGMA integrity_check')" = ok
else
    _fail "lock wait: python3 holds the inventory's write lock" "$(cat "$T/lock.out")"
    exec 7>&-
fi
stop_pid "$LOCK_PID"

# === a read-only PKI (a backup, the offline medium mounted read-only) ==========================================
# list and show read the inventory without writing anything; commands that write say which directory and why.
RO=$T/ro
expect_exit 0 "read-only: quickstart" "$MQTTPKI" --pki "$RO" quickstart --san ro.example.com --no-passphrase
if ro_run "$RO" true 2>/dev/null; then
    RO_BEFORE=$(cd "$RO" && find . -printf '%p %s %m\n' | sort)
    expect_exit 0 "read-only: list" ro_run "$RO" "$MQTTPKI" --pki "$RO" list
    expect_stdout_contains "mqtt-server-1" "read-only: list shows mqtt-server-1"
    expect_exit 0 "read-only: show mqtt-server-1" ro_run "$RO" "$MQTTPKI" --pki "$RO" show mqtt-server-1
    expect_exit 3 "read-only: revoke is refused" ro_run "$RO" "$MQTTPKI" --pki "$RO" revoke mqtt-server-1
    expect_out_contains "cannot write to the PKI directory $RO: Read-only file system" "read-only: revoke names the directory and the reason"
    expect_exit 3 "read-only: server issue is refused" ro_run "$RO" "$MQTTPKI" --pki "$RO" server issue s1 --san s1.example.com
    expect_out_contains "Read-only file system" "read-only: server issue names the reason"
    check "read-only: nothing in the PKI changed" test "$(cd "$RO" && find . -printf '%p %s %m\n' | sort)" = "$RO_BEFORE"
else
    note "cannot bind-mount a directory read-only here (unshare -m / mount refused): read-only PKI checks skipped"
fi

finish

#!/usr/bin/env bash
# import: adopt the tutorial's hand-built PKI (tests/testdata/tutorial_pki.sh, its own openssl commands), then keep
# going with mqttpki (server issue, renew, revoke, crl, rotate). Judged by openssl, certtool and the sqlite3 CLI.
#
# The tutorial's root is made by `openssl req -x509` without a keyUsage extension, so strict verifiers
# (openssl verify -x509_strict) reject every chain through it: the tutorial's flaw, asserted below. Chains are
# therefore verified with plain `openssl verify` (and certtool, which accepts a CA without keyUsage).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "Bail out! required tool missing: sqlite3"; echo "0 passed, 1 failed"; exit 1; }

# --- helpers (openssl / sqlite3 only) -------------------------------------------------------------------------
# row_is DB CERT NAME CA PROFILE STATUS: the row of CERT's serial agrees with openssl, its cert_path is CERT's copy
row_is() {
    local db=$1 c=$2 errs=() n
    local r_name r_ca r_prof r_status r_sha r_na r_nb r_cert r_sans
    n=$(row_of "$db" "$(cert_serial "$c")" 'count(*)')
    if [ "$n" != 1 ]; then echo "$n rows for serial $(cert_serial "$c")"; return 1; fi
    IFS='|' read -r r_name r_ca r_prof r_status r_sha r_na r_nb r_cert r_sans \
        <<<"$(row_of "$db" "$(cert_serial "$c")" 'name,ca,profile,status,sha256,not_after,not_before,cert_path,sans')"
    [ "$r_name" = "$3" ] || errs+=("name '$r_name' != '$3'")
    [ "$r_ca" = "$4" ] || errs+=("ca '$r_ca' != '$4'")
    [ "$r_prof" = "$5" ] || errs+=("profile '$r_prof' != '$5'")
    [ "$r_status" = "$6" ] || errs+=("status '$r_status' != '$6'")
    [ "${r_sha^^}" = "$(fp_colon "$c")" ] || errs+=("sha256 '$r_sha' != openssl '$(fp_colon "$c")'")
    [ "$r_na" = "$(not_after_epoch "$c")" ] || errs+=("not_after $r_na != openssl $(not_after_epoch "$c")")
    [ "$r_nb" = "$(not_before_epoch "$c")" ] || errs+=("not_before $r_nb != openssl $(not_before_epoch "$c")")
    local want_sans; want_sans=$(ext_value "$c" subjectAltName | sed 's/IP Address:/IP:/g')
    [ "$r_sans" = "$want_sans" ] || errs+=("sans '$r_sans' != openssl '$want_sans'")
    if [ "$6" = valid ]; then # cert_path is relative to the PKI directory (the database's directory)
        case $r_cert in /*) ;; *) r_cert=$(dirname "$db")/$r_cert ;; esac
        same_cert "$r_cert" "$c" || errs+=("cert_path '$r_cert' is not this certificate")
    fi
    [ ${#errs[@]} -eq 0 ] && return 0
    printf '%s\n' "${errs[@]}"; return 1
}
# valid_row_is_file DB NAME CERTFILE: the one valid row of NAME is the certificate in CERTFILE
valid_row_is_file() {
    local got; got=$(dbq "$1" "SELECT upper(sha256) FROM certificates WHERE name='$2' AND status='valid'")
    [ "$got" = "$(fp_colon "$3")" ] && return 0
    echo "valid row(s) of $2: [$got]; $3 on disk: $(fp_colon "$3")"; return 1
}
# plain_verify BUNDLE CHAIN HOST: openssl verify, not strict (the tutorial's root has no keyUsage)
plain_verify() { openssl verify -purpose sslserver -CAfile "$1" -untrusted "$2" -verify_hostname "$3" "$2"; }
# strict_rejects_ku BUNDLE CHAIN: openssl -x509_strict rejects it because a CA has no keyUsage
strict_rejects_ku() {
    local o rc; o=$(openssl verify -x509_strict -purpose sslserver -CAfile "$1" -untrusted "$2" "$2" 2>&1); rc=$?
    if [ $rc -ne 0 ] && grep -qi 'key usage' <<<"$o"; then return 0; fi
    echo "exit $rc: $o"; return 1
}
crl_lists() { # CRL SERIAL [REASON]
    local txt s entry; txt=$(openssl crl -in "$1" -noout -text 2>/dev/null); s=$(norm_serial "$2")
    entry=$(awk -v s="$s" '/Serial Number:/ { v = toupper($3); sub(/^0+/, "", v); inside = (v == s) } inside { print }' <<<"$txt")
    [ -n "$entry" ] || { echo "serial $s not in $1"; return 1; }
    if [ -n "${3:-}" ] && ! grep -qF -- "$3" <<<"$entry"; then echo "no reason '$3': $entry"; return 1; fi
}
crl_sig_ok() { # CRL CA
    local o; o=$(openssl crl -in "$1" -noout -CAfile "$2" 2>&1)
    grep -qx 'verify OK' <<<"$o" || { echo "openssl crl: $o"; return 1; }
    o=$(certtool --verify-crl --load-ca-certificate "$2" --infile "$1" 2>&1) || { tail -n 3 <<<"$o"; return 1; }
    grep -q 'Verification output: Verified' <<<"$o" || { tail -n 3 <<<"$o"; return 1; }
}
crl_aki() { openssl crl -in "$1" -noout -text 2>/dev/null | sed -n '/Authority Key Identifier/{n;p;q}' | sed 's/^[[:space:]]*//; s/^keyid://'; }

# --- the tutorial's PKI ---------------------------------------------------------------------------------------
TUT=$T/ecpki
check "tutorial_pki.sh builds the tutorial's PKI with openssl" bash -c 'bash "$1" "$2" >"$3" 2>&1 || { cat "$3"; exit 1; }' \
    _ "$REPO_ROOT/tests/testdata/tutorial_pki.sh" "$TUT" "$T/tutorial.log"
T_ROOT=$TUT/root-ca/certs/root-ca.cert.pem
T_CA=$TUT/server-ca/certs/server-ca.cert.pem
T_LEAF=$TUT/mqtt-server-1/certs/mqtt-server.cert.pem
check "the tutorial's root has no keyUsage (its flaw)" ext_is "$T_ROOT" keyUsage absent
snapshot "$TUT"

N=$T/pki
expect_exit 0 "import the tutorial's PKI" "$MQTTPKI" --pki "$N" import "$TUT"
assert_unchanged "$TUT" "import left the tutorial's directory unchanged (sha256 and mode of every file)"
expect_stderr_contains "root-ca.key.pem" "warning names the unencrypted root key"
check "stderr warns that the root key is not encrypted" bash -c 'grep "root-ca.key.pem" <<<"$1" | grep -qi "not encrypted"' _ "$OUT_STDERR"
check "stderr warns that the server-ca key is not encrypted" bash -c 'grep "server-ca.key.pem" <<<"$1" | grep -qi "not encrypted"' _ "$OUT_STDERR"
check "stderr warns that the root has no keyUsage" bash -c 'grep "root-ca" <<<"$1" | grep -qi "keyUsage"' _ "$OUT_STDERR"
check "no warning about the (unencrypted) server key: brokers need it that way" bash -c '! grep -q "mqtt-server.key.pem.*not encrypted" <<<"$1"' _ "$OUT_STDERR"

ROOT=$N/root-ca/certs/root-ca.cert.pem
CA=$N/server-ca/certs/server-ca.cert.pem
LEAF=$N/mqtt-server-1/certs/mqtt-server-1.cert.pem
CHAIN=$N/mqtt-server-1/mqtt-server-1.chain.pem
BUNDLE=$N/ca-bundle.pem
DB=$N/inventory.db
check "layout: root-ca cert is the tutorial's root" same_cert "$ROOT" "$T_ROOT"
check "layout: server-ca cert is the tutorial's server CA" same_cert "$CA" "$T_CA"
check "layout: mqtt-server-1 cert is the tutorial's server cert" same_cert "$LEAF" "$T_LEAF"
check "root key byte-identical" cmp "$N/root-ca/private/root-ca.key.pem" "$TUT/root-ca/private/root-ca.key.pem"
check "server-ca key byte-identical" cmp "$N/server-ca/private/server-ca.key.pem" "$TUT/server-ca/private/server-ca.key.pem"
check "server key byte-identical" cmp "$N/mqtt-server-1/private/mqtt-server-1.key.pem" "$TUT/mqtt-server-1/private/mqtt-server.key.pem"
for k in root-ca/private/root-ca.key.pem server-ca/private/server-ca.key.pem mqtt-server-1/private/mqtt-server-1.key.pem; do
    check "$k is 0400" mode_is "$N/$k" 400
done
check "server key matches its cert" pubkeys_match "$LEAF" "$N/mqtt-server-1/private/mqtt-server-1.key.pem"
check "chain rebuilt: [leaf, server-ca]" chain_is "$CHAIN" "$T_LEAF" "$T_CA"
check "bundle: the root only" chain_is "$BUNDLE" "$T_ROOT"
check "no stray temp files" bash -c "cd '$N' && ! ls -aR | grep -Ei '\\.(tmp|part)\$|~\$'"

check "inventory: 3 certificates" test "$(dbq "$DB" 'SELECT count(*) FROM certificates')" = 3
check "inventory: root-ca row matches openssl" row_is "$DB" "$ROOT" root-ca root-ca root valid
check "inventory: server-ca row matches openssl" row_is "$DB" "$CA" server-ca root-ca intermediate valid
check "inventory: mqtt-server-1 row matches openssl (SANs as the tutorial wrote them)" row_is "$DB" "$LEAF" mqtt-server-1 server-ca server valid
expect_exit 0 "list" "$MQTTPKI" --pki "$N" list
for n in root-ca server-ca mqtt-server-1; do expect_stdout_contains "$n" "list shows $n"; done

check "imported chain verifies with plain openssl verify (my-iot-cloud.com)" plain_verify "$BUNDLE" "$CHAIN" my-iot-cloud.com
check "imported chain: openssl -x509_strict rejects it (root without keyUsage: the tutorial's flaw)" strict_rejects_ku "$BUNDLE" "$CHAIN"
check "imported chain: certtool accepts it" certtool_verify "$BUNDLE" "$CHAIN" mqtt.my-iot-cloud.com

# --- keep going with mqttpki ----------------------------------------------------------------------------------
expect_exit 0 "server issue mqtt-server-2 (imported keys are unencrypted: no passphrase, no prompt)" \
    "$MQTTPKI" --pki "$N" server issue mqtt-server-2 --san x.example.com
L2=$N/mqtt-server-2/certs/mqtt-server-2.cert.pem
C2=$N/mqtt-server-2/mqtt-server-2.chain.pem
check "mqtt-server-2: issued by the tutorial's server CA (AKI = its SKI)" aki_matches "$L2" "$T_CA"
check "mqtt-server-2: issuer is the tutorial's server CA" test "$(issuer_of "$L2")" = "$(subject_of "$T_CA")"
check "mqtt-server-2: chain [leaf, tutorial server CA]" chain_is "$C2" "$L2" "$T_CA"
check "mqtt-server-2 verifies with plain openssl verify (x.example.com)" plain_verify "$BUNDLE" "$C2" x.example.com
check_fails "mqtt-server-2: wrong host name is rejected" plain_verify "$BUNDLE" "$C2" y.example.com
check "mqtt-server-2: openssl -x509_strict rejects it (through the tutorial's root)" strict_rejects_ku "$BUNDLE" "$C2"
check "mqtt-server-2: certtool accepts it" certtool_verify "$BUNDLE" "$C2" x.example.com
check_leaf_profile "$L2" "$T_CA" server ec mqtt-server-2
check "mqtt-server-2: subject defaults from the tutorial's root (C=DE)" subject_has "$L2" "C=DE"
check "mqtt-server-2 row matches openssl" row_is "$DB" "$L2" mqtt-server-2 server-ca server valid

OLD_LEAF=$T/leaf-imported.pem; cp "$LEAF" "$OLD_LEAF"
expect_exit 0 "renew mqtt-server-1" "$MQTTPKI" --pki "$N" renew mqtt-server-1
check "renew: new serial" test "$(cert_serial "$LEAF")" != "$(cert_serial "$OLD_LEAF")"
check "renew: same subject" test "$(subject_of "$LEAF")" = "$(subject_of "$OLD_LEAF")"
check "renew: same SAN list (the tutorial's, in its order)" test "$(ext_value "$LEAF" subjectAltName)" = "$(ext_value "$OLD_LEAF" subjectAltName)"
check "renew: same public key" test "$(pubkey_of "$LEAF")" = "$(pubkey_of "$OLD_LEAF")"
check "renew: key still byte-identical to the tutorial's" cmp "$N/mqtt-server-1/private/mqtt-server-1.key.pem" "$TUT/mqtt-server-1/private/mqtt-server.key.pem"
check "renew: issued by the tutorial's server CA" aki_matches "$LEAF" "$T_CA"
check "renew: chain [new leaf, server CA]" chain_is "$CHAIN" "$LEAF" "$T_CA"
check "renew: chain verifies with plain openssl verify" plain_verify "$BUNDLE" "$CHAIN" mqtt.my-iot-cloud.com
check "renew: certtool accepts it" certtool_verify "$BUNDLE" "$CHAIN" my-iot-cloud.net
check "renew: imported row superseded" test "$(row_of "$DB" "$(cert_serial "$OLD_LEAF")" status)" = superseded
check "renew: new row valid, matches openssl" row_is "$DB" "$LEAF" mqtt-server-1 server-ca server valid
assert_unchanged "$TUT" "after server issue and renew: the tutorial's directory is still unchanged"

S2=$(cert_serial "$L2")
expect_exit 0 "revoke mqtt-server-2 --reason keyCompromise" "$MQTTPKI" --pki "$N" revoke mqtt-server-2 --reason keyCompromise
check "inventory: mqtt-server-2 revoked" test "$(row_of "$DB" "$S2" status)" = revoked
expect_exit 3 "revoke root-ca (the tutorial's) is refused" "$MQTTPKI" --pki "$N" revoke root-ca
expect_exit 0 "crl" "$MQTTPKI" --pki "$N" crl
SCRL=$N/server-ca/crl/server-ca.crl.pem
RCRL=$N/root-ca/crl/root-ca.crl.pem
check "server-ca CRL signed by the tutorial's server CA key (openssl, certtool)" crl_sig_ok "$SCRL" "$T_CA"
check "root-ca CRL signed by the tutorial's root key (openssl, certtool)" crl_sig_ok "$RCRL" "$T_ROOT"
check "server-ca CRL: AKI = the tutorial server CA's SKI" test "$(crl_aki "$SCRL")" = "$(ski_of "$T_CA")"
check "server-ca CRL lists mqtt-server-2 (Key Compromise)" crl_lists "$SCRL" "$S2" "Key Compromise"
check "crl.pem holds both CRLs" test "$(grep -c 'BEGIN X509 CRL' "$N/crl.pem")" = 2
CAS=$T/cas.pem; cat "$T_ROOT" "$T_CA" >"$CAS"
check "openssl -crl_check rejects mqtt-server-2: error 23 certificate revoked" bash -c '
    o=$(openssl verify -crl_check -CAfile "$1" -CRLfile "$2" "$3" 2>&1); rc=$?
    [ $rc -ne 0 ] && grep -q "error 23 at" <<<"$o" && grep -q "certificate revoked" <<<"$o" || { echo "exit $rc: $o"; exit 1; }' \
    _ "$CAS" "$N/crl.pem" "$L2"
check "openssl -crl_check_all accepts the renewed mqtt-server-1" \
    openssl verify -crl_check_all -CAfile "$CAS" -CRLfile "$N/crl.pem" "$LEAF"
check "certtool --load-crl rejects mqtt-server-2" bash -c '
    o=$(certtool --verify --load-ca-certificate "$1" --load-crl "$2" --infile "$3" 2>&1); rc=$?
    [ $rc -ne 0 ] && grep -qi revoked <<<"$o" || { echo "exit $rc"; tail -n 5 <<<"$o"; exit 1; }' _ "$BUNDLE" "$N/crl.pem" "$C2"
check "certtool --load-crl accepts mqtt-server-1" bash -c '
    o=$(certtool --verify --load-ca-certificate "$1" --load-crl "$2" --infile "$3" 2>&1); rc=$?
    [ $rc -eq 0 ] && grep -q "Chain verification output: Verified" <<<"$o" || { echo "exit $rc"; tail -n 5 <<<"$o"; exit 1; }' _ "$BUNDLE" "$N/crl.pem" "$CHAIN"

# rotate the imported intermediate: the tutorial's root signs the new one, devices keep the tutorial's bundle
BUNDLE_SHA=$(sha_of "$BUNDLE")
expect_exit 0 "rotate server-ca (imported)" "$MQTTPKI" --pki "$N" rotate server-ca
check "rotate: new server-ca signed by the tutorial's root" aki_matches "$CA" "$T_ROOT"
check "rotate: new server-ca key" test "$(pubkey_of "$CA")" != "$(pubkey_of "$T_CA")"
check "rotate: the tutorial's server CA archived" same_cert "$N/server-ca/archive/$(openssl x509 -in "$T_CA" -noout -serial | sed 's/serial=//')/server-ca.cert.pem" "$T_CA"
check "rotate: bundle unchanged" test "$(sha_of "$BUNDLE")" = "$BUNDLE_SHA"
check "rotate: mqtt-server-1 re-issued under the new server-ca" aki_matches "$LEAF" "$CA"
check "rotate: new chain verifies against the tutorial's bundle (plain openssl)" plain_verify "$BUNDLE" "$CHAIN" my-iot-cloud.com
check "rotate: certtool accepts the new chain" certtool_verify "$BUNDLE" "$CHAIN" my-iot-cloud.com
assert_unchanged "$TUT" "after revoke, crl and rotate: the tutorial's directory is still unchanged"

# --- an encrypted CA key in DIR -----------------------------------------------------------------------------------
ENC=$T/ecpki-enc
cp -a "$TUT" "$ENC"
chmod u+w "$ENC/server-ca/private/server-ca.key.pem"
openssl pkey -in "$TUT/server-ca/private/server-ca.key.pem" -aes256 -passout pass:tutorial-secret \
    -out "$ENC/server-ca/private/server-ca.key.pem"
chmod 400 "$ENC/server-ca/private/server-ca.key.pem"
mk_passfile "$T/pass" tutorial-secret
mk_passfile "$T/wrongpass" not-the-secret
snapshot "$ENC"
expect_exit 3 "import with an encrypted CA key and no passphrase (no terminal)" "$MQTTPKI" --pki "$T/enc-none" import "$ENC"
expect_out_contains_i "passphrase"
check "nothing written (no PKI dir)" test ! -e "$T/enc-none"
expect_exit 3 "import with the wrong --passphrase-file" "$MQTTPKI" --pki "$T/enc-wrong" import "$ENC" --passphrase-file "$T/wrongpass"
check "nothing written with the wrong passphrase" test ! -e "$T/enc-wrong"
expect_exit 0 "import with --passphrase-file" "$MQTTPKI" --pki "$T/enc-ok" import "$ENC" --passphrase-file "$T/pass"
check "encrypted key copied byte-identical (still encrypted)" cmp "$T/enc-ok/server-ca/private/server-ca.key.pem" "$ENC/server-ca/private/server-ca.key.pem"
check "no 'not encrypted' warning for the encrypted server-ca key" bash -c '! grep "server-ca.key.pem" <<<"$1" | grep -qi "not encrypted"' _ "$OUT_STDERR"
expect_exit 0 "server issue with the encrypted imported CA key (--passphrase-file)" \
    "$MQTTPKI" --pki "$T/enc-ok" server issue e2 --san e2.example.com --passphrase-file "$T/pass"
check "e2 verifies (plain openssl)" plain_verify "$T/enc-ok/ca-bundle.pem" "$T/enc-ok/e2/e2.chain.pem" e2.example.com
assert_unchanged "$ENC" "the encrypted tutorial copy is unchanged"

# --- a second server signed by hand with openssl ------------------------------------------------------------------
T3=$T/ecpki-two
cp -a "$TUT" "$T3"
mkdir -p "$T3/srv2/certs" "$T3/srv2/private"
openssl ecparam -name prime256v1 -genkey -out "$T3/srv2/private/srv2.key.pem" 2>/dev/null
openssl req -new -key "$T3/srv2/private/srv2.key.pem" -subj /CN=srv2.example.com -out "$T/srv2.csr" 2>/dev/null
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:srv2.example.com\n' >"$T/srv2.ext"
openssl x509 -req -in "$T/srv2.csr" -CA "$T3/server-ca/certs/server-ca.cert.pem" -CAkey "$T3/server-ca/private/server-ca.key.pem" \
    -CAserial "$T/srv2.srl" -CAcreateserial -days 30 -extfile "$T/srv2.ext" -out "$T3/srv2/certs/srv2.cert.pem" 2>/dev/null
expect_exit 0 "import a PKI with two servers" "$MQTTPKI" --pki "$T/two" import "$T3"
check "two servers: 4 certificates in the inventory" test "$(dbq "$T/two/inventory.db" 'SELECT count(*) FROM certificates')" = 4
check "two servers: srv2 row matches openssl" row_is "$T/two/inventory.db" "$T/two/srv2/certs/srv2.cert.pem" srv2 server-ca server valid
check "two servers: srv2 chain [leaf, server CA]" chain_is "$T/two/srv2/srv2.chain.pem" "$T3/srv2/certs/srv2.cert.pem" "$T_CA"

# --- import --force over an adopted PKI keeps the inventory true to the files ---------------------------------------
# $N's mqtt-server-1 was renewed (and re-issued by rotate); --force copies the tutorial's files back over it.
expect_exit 0 "import --force again over the adopted PKI" "$MQTTPKI" --pki "$N" import "$TUT" --force
check "after --force: mqtt-server-1's cert is the tutorial's again" same_cert "$LEAF" "$T_LEAF"
check "after --force: the inventory's valid mqtt-server-1 row is the certificate on disk" valid_row_is_file "$DB" mqtt-server-1 "$LEAF"
check "after --force: the inventory's valid server-ca row is the certificate on disk" valid_row_is_file "$DB" server-ca "$CA"

# --- bad input ----------------------------------------------------------------------------------------------------
mkdir -p "$T/empty"
expect_exit 3 "import a directory with no PKI" "$MQTTPKI" --pki "$T/from-empty" import "$T/empty"
expect_error_prefix
check "no PKI: nothing written" test ! -e "$T/from-empty"
expect_exit 3 "import a directory that does not exist" "$MQTTPKI" --pki "$T/from-missing" import "$T/no-such-dir"
check "missing dir: nothing written" test ! -e "$T/from-missing"

SW=$T/ecpki-swapped
cp -a "$TUT" "$SW"
chmod u+w "$SW"/*/private/*
mv "$SW/server-ca/private/server-ca.key.pem" "$T/swap.tmp"
mv "$SW/mqtt-server-1/private/mqtt-server.key.pem" "$SW/server-ca/private/server-ca.key.pem"
mv "$T/swap.tmp" "$SW/mqtt-server-1/private/mqtt-server.key.pem"
check_fails "swapped: openssl confirms the server key no longer matches its cert" \
    pubkeys_match "$SW/mqtt-server-1/certs/mqtt-server.cert.pem" "$SW/mqtt-server-1/private/mqtt-server.key.pem"
snapshot "$SW"
expect_exit 3 "import a PKI whose keys do not match their certificates (swapped)" "$MQTTPKI" --pki "$T/from-swapped" import "$SW"
expect_error_prefix
expect_out_contains_i "not the key" "the error says which key does not match"
check "swapped: nothing written" test ! -e "$T/from-swapped"
assert_unchanged "$SW" "swapped: source unchanged"

mkdir -p "$T/has-root"
expect_exit 0 "a PKI dir with a root already (root create)" "$MQTTPKI" --pki "$T/has-root" root create --no-passphrase
snapshot "$T/has-root"
expect_exit 3 "import into a PKI dir that already has a root" "$MQTTPKI" --pki "$T/has-root" import "$TUT"
expect_out_contains_i "exists"
assert_unchanged "$T/has-root" "import into an existing PKI wrote nothing"
expect_exit 0 "a full quickstart PKI" "$MQTTPKI" --pki "$T/qs" quickstart --san q.example.com --no-passphrase
snapshot "$T/qs"
expect_exit 3 "import into a quickstart PKI" "$MQTTPKI" --pki "$T/qs" import "$TUT"
expect_out_contains_i "exists"
assert_unchanged "$T/qs" "import into a quickstart PKI wrote nothing"

# a certificate issued by a CA that is not in DIR
ST=$T/ecpki-stray
cp -a "$TUT" "$ST"
mkdir -p "$T/other" "$ST/stray/certs" "$ST/stray/private"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/other/ca.key" -out "$T/other/ca.pem" \
    -days 5 -subj /CN=otherCA -addext keyUsage=critical,keyCertSign,cRLSign >/dev/null 2>&1
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$ST/stray/private/stray.key.pem" \
    -subj /CN=stray -out "$T/other/s.csr" >/dev/null 2>&1
openssl x509 -req -in "$T/other/s.csr" -CA "$T/other/ca.pem" -CAkey "$T/other/ca.key" -CAserial "$T/other/ca.srl" \
    -CAcreateserial -days 5 -out "$ST/stray/certs/stray.cert.pem" >/dev/null 2>&1
expect_exit 3 "import a PKI with a certificate from a foreign CA" "$MQTTPKI" --pki "$T/from-stray" import "$ST"
expect_out_contains "stray" "the error names the stray certificate"
check "foreign CA: nothing written" test ! -e "$T/from-stray"

finish

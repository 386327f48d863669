# shellcheck shell=bash
# Shared helpers for the mqttpki end-to-end tests.
#
# Sourced by every tests/e2e/test_*.sh. Uses only bash, coreutils, the openssl CLI and GnuTLS certtool
# (plus python3 for JSON validation). The tests never use mqttpki's own parser to judge mqttpki's output:
# openssl and certtool are the oracles.
#
#   MQTTPKI   absolute path of the binary under test (default: <repo>/build/mqttpki)
#   T         a fresh temporary directory for this test, removed on exit (KEEP_TMP=1 keeps it)
#
#   check DESC CMD...              run CMD, pass when it exits 0
#   check_fails DESC CMD...        run CMD, pass when it exits non-zero
#   expect_exit CODE DESC CMD...   run CMD (stdin </dev/null, no controlling terminal when CMD is a program),
#                                  pass when the exit code is CODE; sets OUT (stdout+stderr), OUT_STDOUT,
#                                  OUT_STDERR, RC
#   expect_out_contains TEXT [DESC]        fixed-string, case-sensitive, in $OUT
#   expect_out_contains_i TEXT [DESC]      same, case-insensitive
#   expect_out_not_contains TEXT [DESC]
#   expect_stdout_contains / expect_stderr_contains TEXT [DESC]
#   snapshot DIR / assert_unchanged DIR [DESC]
#   finish                         prints "N passed, N failed" and exits non-zero if anything failed
#   at_exit CMD [ARGS...]          run CMD when the test exits (before $T is removed); the last added runs first
#   free_port / wait_port HOST PORT SECS / stop_pid PID   for tests that start servers
set -u
export LC_ALL=C
umask 022

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$E2E_DIR/../.." && pwd)
MQTTPKI=${MQTTPKI:-$REPO_ROOT/build/mqttpki}
case $MQTTPKI in /*) ;; *) MQTTPKI=$PWD/$MQTTPKI ;; esac
export MQTTPKI
# The developer's environment must not leak into the tests.
unset MQTTPKI_PASSPHRASE MQTTPKI_DIR OPENSSL_CONF 2>/dev/null || true

PASSED=0
FAILED=0
FAILED_DESCS=()
TEST_NAME=$(basename "${0:-test}" .sh)

T=$(mktemp -d "${TMPDIR:-/tmp}/mqttpki-e2e-$TEST_NAME.XXXXXX") || { echo "Bail out! mktemp failed"; exit 1; }
_LIB=$(mktemp -d "${TMPDIR:-/tmp}/mqttpki-e2e-state.XXXXXX") || { echo "Bail out! mktemp failed"; exit 1; }
_AT_EXIT=()
_cleanup() {
    local _c
    for _c in "${_AT_EXIT[@]}"; do eval "$_c"; done
    chmod -R u+rwX "$T" 2>/dev/null
    if [ "${KEEP_TMP:-0}" = 1 ]; then echo "# kept $T" >&2; else rm -rf "$T"; fi
    rm -rf "$_LIB"
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

if [ ! -x "$MQTTPKI" ]; then
    echo "Bail out! mqttpki binary not found or not executable: $MQTTPKI"
    echo "0 passed, 1 failed"
    exit 1
fi
for _tool in openssl certtool python3 setsid timeout sha256sum; do
    command -v "$_tool" >/dev/null 2>&1 || { echo "Bail out! required tool missing: $_tool"; echo "0 passed, 1 failed"; exit 1; }
done

# ---------------------------------------------------------------------------------------------------------
# Result bookkeeping

_pass() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
_fail() {
    FAILED=$((FAILED + 1)); FAILED_DESCS+=("$1")
    echo "not ok - $1"
    if [ $# -gt 1 ] && [ -n "$2" ]; then printf '%s\n' "$2" | head -n 60 | sed 's/^/#   /'; fi
}
# note TEXT: a diagnostic line
note() { echo "# $*"; }

# _run CMD...: runs CMD with stdin from /dev/null. Programs (not shell functions) run in a new session (no
# controlling terminal, so nothing can prompt on /dev/tty) under a timeout.
_run() {
    if [ "$(type -t "$1")" = file ]; then
        timeout -k 5 "${E2E_TIMEOUT:-120}" setsid -w "$@" </dev/null
    else
        "$@" </dev/null
    fi
}

check() {
    local desc=$1; shift
    local out rc
    out=$(_run "$@" 2>&1); rc=$?
    if [ $rc -eq 0 ]; then _pass "$desc"; return 0; fi
    _fail "$desc" "exit $rc: $*
$out"
    return 1
}

check_fails() {
    local desc=$1; shift
    local out rc
    out=$(_run "$@" 2>&1); rc=$?
    if [ $rc -ne 0 ]; then _pass "$desc"; return 0; fi
    _fail "$desc" "expected a non-zero exit, got 0: $*
$out"
    return 1
}

OUT=""; OUT_STDOUT=""; OUT_STDERR=""; RC=0
expect_exit() {
    local code=$1 desc=$2; shift 2
    _run "$@" >"$_LIB/stdout" 2>"$_LIB/stderr"; RC=$?
    OUT_STDOUT=$(cat "$_LIB/stdout"); OUT_STDERR=$(cat "$_LIB/stderr")
    OUT=$(cat "$_LIB/stdout" "$_LIB/stderr")
    cat "$_LIB/stdout" "$_LIB/stderr" >>"$_LIB/all-output"
    if [ "$RC" -eq "$code" ]; then _pass "$desc (exit $code)"; return 0; fi
    _fail "$desc (exit $code)" "expected exit $code, got $RC: $*
--- stdout
$OUT_STDOUT
--- stderr
$OUT_STDERR"
    return 1
}

# start_sub OUT CMD...: runs the subscriber command CMD (mosquitto_sub -d ..., line-buffered) in the background
# with its output in OUT, and returns once it has its SUBACK, has exited, or 5 s have passed; SUB_PID is its PID
start_sub() {
    local out=$1 i; shift
    "$@" >"$out" 2>&1 </dev/null &
    SUB_PID=$!
    for ((i = 0; i < 50; i++)); do
        grep -q 'received SUBACK' "$out" && break
        kill -0 "$SUB_PID" 2>/dev/null || break
        sleep 0.1
    done
}

# ro_run DIR CMD...: runs CMD with directory DIR bind-mounted read-only (in a private mount namespace), as on a
# backup or a medium mounted read-only; exit 77 when that is impossible here (test with: ro_run DIR true)
ro_run() {
    local dir=$1; shift
    unshare -m --propagation private bash -c \
        'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 77; shift; exec "$@"' _ "$dir" "$@"
}

# run_mq ARGS...: run mqttpki, keep all output for later "never printed" checks, no pass/fail recorded.
run_mq() {
    _run "$MQTTPKI" "$@" >"$_LIB/stdout" 2>"$_LIB/stderr"; RC=$?
    OUT_STDOUT=$(cat "$_LIB/stdout"); OUT_STDERR=$(cat "$_LIB/stderr")
    OUT=$(cat "$_LIB/stdout" "$_LIB/stderr")
    cat "$_LIB/stdout" "$_LIB/stderr" >>"$_LIB/all-output"
    return $RC
}

# all_output: everything any expect_exit/run_mq printed so far in this test
all_output() { cat "$_LIB/all-output" 2>/dev/null; }

_contains() { # HAYSTACK NEEDLE [-i]
    if [ "${3:-}" = -i ]; then grep -qiF -- "$2" <<<"$1"; else grep -qF -- "$2" <<<"$1"; fi
}
expect_out_contains() {
    if _contains "$OUT" "$1"; then _pass "${2:-output contains '$1'}"; return 0; fi
    _fail "${2:-output contains '$1'}" "output was:
$OUT"; return 1
}
expect_out_contains_i() {
    if _contains "$OUT" "$1" -i; then _pass "${2:-output contains '$1' (any case)}"; return 0; fi
    _fail "${2:-output contains '$1' (any case)}" "output was:
$OUT"; return 1
}
expect_out_not_contains() {
    if ! _contains "$OUT" "$1" -i; then _pass "${2:-output does not contain '$1'}"; return 0; fi
    _fail "${2:-output does not contain '$1'}" "output was:
$OUT"; return 1
}
expect_stdout_contains() {
    if _contains "$OUT_STDOUT" "$1"; then _pass "${2:-stdout contains '$1'}"; return 0; fi
    _fail "${2:-stdout contains '$1'}" "stdout was:
$OUT_STDOUT
--- stderr
$OUT_STDERR"; return 1
}
expect_stderr_contains() {
    if _contains "$OUT_STDERR" "$1"; then _pass "${2:-stderr contains '$1'}"; return 0; fi
    _fail "${2:-stderr contains '$1'}" "stderr was:
$OUT_STDERR
--- stdout
$OUT_STDOUT"; return 1
}
expect_stderr_contains_i() {
    if _contains "$OUT_STDERR" "$1" -i; then _pass "${2:-stderr contains '$1' (any case)}"; return 0; fi
    _fail "${2:-stderr contains '$1' (any case)}" "stderr was:
$OUT_STDERR
--- stdout
$OUT_STDOUT"; return 1
}
# expect_error_prefix: the contract's error format on stderr
expect_error_prefix() {
    if grep -q '^mqttpki: error: ' <<<"$OUT_STDERR"; then _pass "${1:-stderr has 'mqttpki: error: ' prefix}"; return 0; fi
    _fail "${1:-stderr has 'mqttpki: error: ' prefix}" "stderr was:
$OUT_STDERR"; return 1
}

# ---------------------------------------------------------------------------------------------------------
# Snapshots: recursive listing with type, mode, size and sha256 of every file.

_listing() {
    local d=$1
    if [ ! -e "$d" ] && [ ! -L "$d" ]; then echo "ABSENT"; return; fi
    if [ ! -d "$d" ]; then echo "f $(stat -c '%a %s' "$d") $(sha256sum <"$d" | cut -d' ' -f1) ."; return; fi
    (
        cd "$d" || exit 1
        shopt -s globstar dotglob nullglob
        for p in . **; do
            if [ -L "$p" ]; then echo "l $(stat -c %a "$p") $p -> $(readlink "$p")"
            elif [ -d "$p" ]; then echo "d $(stat -c %a "$p") $p"
            elif [ -f "$p" ]; then echo "f $(stat -c '%a %s' "$p") $(sha256sum <"$p" | cut -d' ' -f1) $p"
            else echo "o $(stat -c %a "$p") $p"
            fi
        done
    )
}
_snapfile() { echo "$_LIB/snap.$(printf '%s' "$1" | sha256sum | cut -c1-16)"; }
snapshot() { _listing "$1" >"$(_snapfile "$1")"; }
assert_unchanged() {
    local d=$1 desc=${2:-"nothing written or changed in ${1#"$T"/}"}
    local f; f=$(_snapfile "$d")
    if [ ! -f "$f" ]; then _fail "$desc" "no snapshot taken of $d"; return 1; fi
    local diffout
    if diffout=$(diff "$f" <(_listing "$d")); then _pass "$desc"; return 0; fi
    _fail "$desc" "$diffout"; return 1
}

finish() {
    echo "$PASSED passed, $FAILED failed"
    if [ "$FAILED" -ne 0 ]; then
        local d; for d in "${FAILED_DESCS[@]}"; do echo "#   failed: $d"; done
        exit 1
    fi
    exit 0
}

# ---------------------------------------------------------------------------------------------------------
# Certificate helpers (openssl CLI only)

cert_count() { grep -c -- '-----BEGIN CERTIFICATE-----' "$1" 2>/dev/null || true; }

# split_pem FILE PREFIX: writes PREFIX1.pem, PREFIX2.pem, ... one per certificate; prints the count
split_pem() {
    awk -v pfx="$2" '
        /-----BEGIN CERTIFICATE-----/ { n++; out = pfx n ".pem"; inblk = 1 }
        inblk { print > out }
        /-----END CERTIFICATE-----/ { inblk = 0; close(out) }
        END { print n + 0 }' "$1"
}

fingerprint() { # FILE -> lowercase hex sha256 fingerprint without colons (first certificate of FILE)
    openssl x509 -in "$1" -noout -fingerprint -sha256 2>/dev/null | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f'
}
same_cert() { # A B: first certificates of A and B are the same
    local a b; a=$(fingerprint "$1"); b=$(fingerprint "$2")
    [ -n "$a" ] && [ "$a" = "$b" ]
}
# chain_is CHAIN CERT...: CHAIN holds exactly CERT... in that order
chain_is() {
    local ch=$1 i=1 n c; shift
    rm -f "$T"/chain-is-*.pem
    n=$(split_pem "$ch" "$T/chain-is-")
    [ "$n" = $# ] || { echo "$ch has $n certificates, expected $#"; return 1; }
    for c in "$@"; do
        same_cert "$T/chain-is-$i.pem" "$c" || { echo "certificate $i of $ch is not $c"; return 1; }
        i=$((i + 1))
    done
}
subject_of() { openssl x509 -in "$1" -noout -subject -nameopt RFC2253 2>/dev/null | sed 's/^subject=//'; }
issuer_of() { openssl x509 -in "$1" -noout -issuer -nameopt RFC2253 2>/dev/null | sed 's/^issuer=//'; }
# subject_has CERT RDN: e.g. subject_has c.pem "CN=mqtt.example.com"
subject_has() { subject_of "$1" | tr ',' '\n' | grep -qxF -- "$2"; }
subject_cn() { subject_of "$1" | tr ',' '\n' | sed -n 's/^CN=//p' | head -n1; }
sigalg_of() { openssl x509 -in "$1" -noout -text 2>/dev/null | awk '/Signature Algorithm:/ { print $3; exit }'; }
pubkey_bits() { openssl x509 -in "$1" -noout -text 2>/dev/null | sed -n 's/.*Public-Key: (\([0-9]*\) bit).*/\1/p' | head -n1; }
pubkey_alg() { openssl x509 -in "$1" -noout -text 2>/dev/null | sed -n 's/.*Public Key Algorithm: *//p' | head -n1; }
curve_of() { openssl x509 -in "$1" -noout -text 2>/dev/null | sed -n 's/.*NIST CURVE: *//p' | head -n1; }

# ext_raw CERT NAME: "header\nvalue lines" as printed by openssl x509 -ext (empty when absent)
ext_raw() { openssl x509 -in "$1" -noout -ext "$2" 2>/dev/null; }
# ext_crit CERT NAME -> "critical" | "noncritical" | "absent"
ext_crit() {
    local raw; raw=$(ext_raw "$1" "$2")
    if [ -z "$raw" ]; then echo absent
    elif head -n1 <<<"$raw" | grep -q 'critical *$'; then echo critical
    else echo noncritical; fi
}
# ext_value CERT NAME -> the value lines, whitespace-trimmed, joined with ", "
ext_value() {
    ext_raw "$1" "$2" | tail -n +2 | sed 's/^[[:space:]]*//; s/[[:space:]]*$//' | grep -v '^$' | paste -sd'|' | sed 's/|/, /g'
}
# ext_is CERT NAME CRIT VALUE: exact match of criticality and value
ext_is() {
    local c v
    c=$(ext_crit "$1" "$2"); v=$(ext_value "$1" "$2")
    if [ "$c" = "$3" ] && { [ "$3" = absent ] || [ "$v" = "$4" ]; }; then return 0; fi
    echo "extension $2: got [$c] '$v', expected [$3] '${4:-}'"
    return 1
}
# san_set CERT -> sorted SAN entries one per line, e.g. "DNS:a.example.com", "IP Address:10.0.0.5"
san_set() { ext_value "$1" subjectAltName | sed 's/, /\n/g' | grep -v '^$' | sort; }
# san_is CERT ENTRY...: SAN set equals exactly ENTRY... (order-insensitive)
san_is() {
    local c=$1; shift
    local want got
    want=$(printf '%s\n' "$@" | sort); got=$(san_set "$c")
    [ "$want" = "$got" ] && return 0
    echo "SAN set: got [$(paste -sd' ' <<<"$got")], expected [$(paste -sd' ' <<<"$want")]"
    return 1
}
san_has() { san_set "$1" | grep -qxF -- "$2"; }
# extension names present (as printed by openssl), one per line
ext_names() {
    openssl x509 -in "$1" -noout -text -certopt no_header,no_version,no_serial,no_signame,no_validity,no_subject,no_issuer,no_pubkey,no_sigdump,no_aux 2>/dev/null \
        | sed -n 's/^ \{12\}\([^ ].*\): *\(critical\)\{0,1\} *$/\1/p'
}
# critical_ext_names CERT
critical_ext_names() {
    openssl x509 -in "$1" -noout -text -certopt no_header,no_version,no_serial,no_signame,no_validity,no_subject,no_issuer,no_pubkey,no_sigdump,no_aux 2>/dev/null \
        | sed -n 's/^ \{12\}\([^ ].*\): *critical *$/\1/p'
}
# only_exts CERT NAME...: the set of extensions is exactly NAME... (openssl display names)
only_exts() {
    local c=$1; shift
    local want got
    want=$(printf '%s\n' "$@" | sort); got=$(ext_names "$c" | sort)
    [ "$want" = "$got" ] && return 0
    echo "extensions: got [$(paste -sd',' <<<"$got")], expected [$(paste -sd',' <<<"$want")]"
    return 1
}
# no critical extension beyond BC/KU/SAN (DESIGN.md)
only_allowed_critical() {
    local bad
    bad=$(critical_ext_names "$1" | grep -vxE 'X509v3 Basic Constraints|X509v3 Key Usage|X509v3 Subject Alternative Name')
    [ -z "$bad" ] && return 0
    echo "unexpected critical extensions: $bad"; return 1
}
ski_of() { ext_value "$1" subjectKeyIdentifier; }
aki_of() { ext_value "$1" authorityKeyIdentifier | sed 's/^keyid://'; }
# aki_matches CERT ISSUER: AKI is keyid only and equals the issuer's SKI
aki_matches() {
    local aki ski raw
    raw=$(ext_value "$1" authorityKeyIdentifier)
    aki=$(aki_of "$1"); ski=$(ski_of "$2")
    if [ -z "$aki" ] || [ -z "$ski" ]; then echo "AKI '$raw' / issuer SKI '$ski' missing"; return 1; fi
    if grep -qiE 'DirName|serial' <<<"$raw"; then echo "AKI carries issuer/serial, expected keyid only: $raw"; return 1; fi
    [ "$aki" = "$ski" ] && return 0
    echo "AKI $aki != issuer SKI $ski"; return 1
}
has_ski() { [ -n "$(ski_of "$1")" ] || { echo "no SKI"; return 1; }; }

# serial_ok CERT: the DER serial is a positive INTEGER of at least 16 content bytes
serial_ok() {
    local line len val
    line=$(openssl asn1parse -in "$1" 2>/dev/null | grep -m1 'd=2 .*INTEGER')
    len=$(sed -n 's/.* l= *\([0-9]*\) prim.*/\1/p' <<<"$line")
    val=$(sed -n 's/.*INTEGER *:\(.*\)$/\1/p' <<<"$line")
    if [ -z "$len" ]; then echo "cannot find serial in: $line"; return 1; fi
    if grep -q 'NEG' <<<"$line" || [[ $val == -* ]]; then echo "negative serial: $line"; return 1; fi
    if [ -z "${val//0/}" ]; then echo "zero serial"; return 1; fi
    # a positive DER INTEGER's first content byte is < 0x80 (else it would be negative); openssl shows the value
    if [ "$len" -lt 16 ]; then echo "serial is only $len bytes: $val"; return 1; fi
    return 0
}

_epoch() { date -u -d "$1" +%s; }
not_after_epoch() { _epoch "$(openssl x509 -in "$1" -noout -enddate | sed 's/^notAfter=//')"; }
not_before_epoch() { _epoch "$(openssl x509 -in "$1" -noout -startdate | sed 's/^notBefore=//')"; }
# validity_days_is CERT N: notAfter is N days from now (+-1h) and notBefore is not in the future / > 1 day back
validity_days_is() {
    local now na nb want
    now=$(date -u +%s); na=$(not_after_epoch "$1"); nb=$(not_before_epoch "$1"); want=$(( $2 * 86400 ))
    if [ $(( na - now )) -lt $(( want - 3600 )) ] || [ $(( na - now )) -gt $(( want + 3600 )) ]; then
        echo "notAfter is $(( (na - now) / 3600 )) h from now, expected $2 days"; return 1
    fi
    if [ "$nb" -gt $(( now + 60 )) ] || [ "$nb" -lt $(( now - 86400 )) ]; then
        echo "notBefore $(( (now - nb) )) s in the past, expected about now"; return 1
    fi
    return 0
}
days_left() { echo $(( ($(not_after_epoch "$1") - $(date -u +%s)) / 86400 )); }

# pubkeys_match CERT KEY [PASSIN]: the key's public half is the certificate's public key
pubkeys_match() {
    local a b
    a=$(openssl x509 -in "$1" -noout -pubkey 2>/dev/null)
    if [ -n "${3:-}" ]; then b=$(openssl pkey -in "$2" -pubout -passin "$3" 2>/dev/null)
    else b=$(openssl pkey -in "$2" -pubout -passin pass: 2>/dev/null); fi
    [ -n "$a" ] && [ "$a" = "$b" ]
}
csr_pubkey_matches() { # CERT CSR
    local a b
    a=$(openssl x509 -in "$1" -noout -pubkey 2>/dev/null); b=$(openssl req -in "$2" -noout -pubkey 2>/dev/null)
    [ -n "$a" ] && [ "$a" = "$b" ]
}
mode_is() { # FILE MODE
    local m; m=$(stat -c %a "$1" 2>/dev/null)
    [ "$m" = "$2" ] && return 0
    echo "mode of $1 is '${m:-missing}', expected $2"; return 1
}
first_line_is() { # FILE TEXT
    local l; l=$(head -n1 "$1" 2>/dev/null)
    [ "$l" = "$2" ] && return 0
    echo "first line of $1 is '$l', expected '$2'"; return 1
}
is_json() { python3 -c 'import json,sys; json.load(sys.stdin)' <<<"$1"; }
norm_hex() { tr -d ':' | tr 'A-F' 'a-f'; }

# --- profile checks (DESIGN.md "Certificate profiles"), each records several checks ---------------------
# check_root_profile CERT
check_root_profile() {
    local c=$1 n=${2:-root}
    check "$n: basicConstraints critical CA:TRUE, no pathlen" ext_is "$c" basicConstraints critical "CA:TRUE"
    check "$n: keyUsage critical keyCertSign, cRLSign" ext_is "$c" keyUsage critical "Certificate Sign, CRL Sign"
    check "$n: no extendedKeyUsage" ext_is "$c" extendedKeyUsage absent
    check "$n: no subjectAltName" ext_is "$c" subjectAltName absent
    check "$n: has SKI (not critical)" ext_is "$c" subjectKeyIdentifier noncritical "$(ski_of "$c")"
    check "$n: SKI present" has_ski "$c"
    check "$n: no AKI (DESIGN.md: SKI/AKI = hash / -)" ext_is "$c" authorityKeyIdentifier absent
    check "$n: self-signed (subject = issuer)" test "$(subject_of "$c")" = "$(issuer_of "$c")"
    check "$n: no critical extension beyond BC/KU/SAN" only_allowed_critical "$c"
    check "$n: serial positive and >= 16 bytes" serial_ok "$c"
    check "$n: X.509 v3" bash -c "openssl x509 -in '$c' -noout -text | grep -q 'Version: 3 (0x2)'"
}
# check_intermediate_profile CERT ISSUER_CERT
check_intermediate_profile() {
    local c=$1 iss=$2 n=${3:-intermediate}
    check "$n: basicConstraints critical CA:TRUE, pathlen:0" ext_is "$c" basicConstraints critical "CA:TRUE, pathlen:0"
    check "$n: keyUsage critical keyCertSign, cRLSign" ext_is "$c" keyUsage critical "Certificate Sign, CRL Sign"
    check "$n: no extendedKeyUsage" ext_is "$c" extendedKeyUsage absent
    check "$n: no subjectAltName" ext_is "$c" subjectAltName absent
    check "$n: SKI present" has_ski "$c"
    check "$n: AKI keyid = issuer SKI" aki_matches "$c" "$iss"
    check "$n: AKI not critical" ext_is "$c" authorityKeyIdentifier noncritical "$(ext_value "$c" authorityKeyIdentifier)"
    check "$n: issuer = $(subject_cn "$iss")" test "$(issuer_of "$c")" = "$(subject_of "$iss")"
    check "$n: no critical extension beyond BC/KU/SAN" only_allowed_critical "$c"
    check "$n: serial positive and >= 16 bytes" serial_ok "$c"
}
# check_leaf_profile CERT ISSUER_CERT server|client rsa|ec
check_leaf_profile() {
    local c=$1 iss=$2 kind=$3 alg=$4 n=${5:-$3 leaf}
    local ku="Digital Signature" eku="TLS Web Server Authentication"
    if [ "$kind" = server ] && [ "$alg" = rsa ]; then ku="Digital Signature, Key Encipherment"; fi
    if [ "$kind" = client ]; then eku="TLS Web Client Authentication"; fi
    check "$n: basicConstraints CA:FALSE (not critical, per DESIGN.md table)" ext_is "$c" basicConstraints noncritical "CA:FALSE"
    check "$n: keyUsage critical $ku" ext_is "$c" keyUsage critical "$ku"
    check "$n: extendedKeyUsage $eku only, NOT critical" ext_is "$c" extendedKeyUsage noncritical "$eku"
    check "$n: SKI present" has_ski "$c"
    check "$n: AKI keyid = issuer SKI" aki_matches "$c" "$iss"
    check "$n: issuer = $(subject_cn "$iss")" test "$(issuer_of "$c")" = "$(subject_of "$iss")"
    check "$n: no critical extension beyond BC/KU/SAN" only_allowed_critical "$c"
    check "$n: serial positive and >= 16 bytes" serial_ok "$c"
    if [ "$kind" = server ]; then
        check "$n: SAN includes the CN" cn_in_san "$c"
        check "$n: only BC/KU/EKU/SKI/AKI/SAN extensions" only_exts "$c" \
            "X509v3 Basic Constraints" "X509v3 Key Usage" "X509v3 Extended Key Usage" \
            "X509v3 Subject Key Identifier" "X509v3 Authority Key Identifier" "X509v3 Subject Alternative Name"
    fi
}
cn_in_san() {
    local cn; cn=$(subject_cn "$1")
    if [ -z "$cn" ]; then echo "no CN"; return 1; fi
    if [[ $cn =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || [[ $cn == *:*:* ]]; then
        san_has "$1" "IP Address:$cn" && return 0
    else
        san_has "$1" "DNS:$cn" && return 0
    fi
    echo "CN '$cn' not in SAN [$(san_set "$1" | paste -sd' ')]"; return 1
}

# ossl_verify BUNDLE CHAIN [extra openssl verify args...]: leaf = first cert of CHAIN, rest untrusted
ossl_verify() {
    local bundle=$1 chain=$2; shift 2
    openssl verify -x509_strict -purpose sslserver -CAfile "$bundle" -untrusted "$chain" "$@" "$chain"
}
# certtool_verify BUNDLE CHAIN HOST: exit 0 and "Verified" in the output
certtool_verify() {
    local out rc
    out=$(certtool --verify --load-ca-certificate "$1" --infile "$2" --verify-hostname "$3" 2>&1); rc=$?
    if [ $rc -eq 0 ] && grep -q 'Chain verification output: Verified' <<<"$out"; then return 0; fi
    echo "certtool exit $rc:"; echo "$out" | tail -n 15; return 1
}
# certtool_rejects BUNDLE CHAIN HOST: non-zero exit and "Not verified"
certtool_rejects() {
    local out rc
    out=$(certtool --verify --load-ca-certificate "$1" --infile "$2" --verify-hostname "$3" 2>&1); rc=$?
    if [ $rc -ne 0 ] && grep -qi 'not verified' <<<"$out"; then return 0; fi
    echo "certtool exit $rc (expected rejection):"; echo "$out" | tail -n 15; return 1
}

# mk_passfile FILE PASS: a passphrase file (first line is the passphrase), mode 0600
mk_passfile() { printf '%s\n' "$2" >"$1"; chmod 600 "$1"; }

# not_in_pem CERT FILE: CERT is not one of the certificates in FILE
not_in_pem() {
    local fp i n; fp=$(fingerprint "$1")
    rm -f "$_LIB"/nip-*.pem
    n=$(split_pem "$2" "$_LIB/nip-")
    for ((i = 1; i <= n; i++)); do
        if [ "$(fingerprint "$_LIB/nip-$i.pem")" = "$fp" ]; then echo "certificate $i of $2 is $1"; return 1; fi
    done
    return 0
}

# csr_sig_ok CSR: the CSR's self-signature verifies (openssl 3.0's `req -verify` exits 0 even on failure,
# so judge by its message)
csr_sig_ok() {
    local out; out=$(openssl req -in "$1" -noout -verify 2>&1)
    if grep -qiE 'signature ok|verify ok' <<<"$out" && ! grep -qi 'fail' <<<"$out"; then return 0; fi
    echo "$out"; return 1
}

# ---------------------------------------------------------------------------------------------------------
# Servers started by a test

# at_exit CMD [ARGS...]: run CMD on exit, before $T is removed (last added runs first)
at_exit() { local c; printf -v c '%q ' "$@"; _AT_EXIT=("$c" "${_AT_EXIT[@]}"); }
# free_port: a TCP port nobody listens on right now (the kernel picks it)
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
# wait_port HOST PORT SECS: wait (at most SECS seconds) until HOST:PORT accepts a TCP connection
wait_port() {
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        if timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "nothing accepts connections on $1:$2 after $3 s"; return 1
}
# stop_pid PID: SIGTERM, wait up to 5 s, then SIGKILL; reaps PID when it is a child of this shell
stop_pid() {
    local i
    kill -0 "$1" 2>/dev/null || { wait "$1" 2>/dev/null; return 0; }
    kill "$1" 2>/dev/null
    for ((i = 0; i < 50; i++)); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$1" 2>/dev/null && kill -9 "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 0
}

# --- certificates and the inventory, read with openssl and sqlite3 only -------------------------------------------
# norm_serial S: a serial as upper-case hex without leading zeros ("serial=" prefix allowed)
norm_serial() { local s=${1#serial=}; sed 's/^0*//' <<<"${s^^}"; }
cert_serial() { norm_serial "$(openssl x509 -in "$1" -noout -serial 2>/dev/null)"; }
# fp_colon CERT: its SHA-256 fingerprint as "AB:CD:..."
fp_colon() { openssl x509 -in "$1" -noout -fingerprint -sha256 2>/dev/null | sed 's/.*=//'; }
pubkey_of() { openssl x509 -in "$1" -noout -pubkey 2>/dev/null; }
sha_of() { sha256sum <"$1" | cut -d' ' -f1; }
# dbq DB SQL: run a query with sqlite3; row_of DB SERIAL COLUMNS: the inventory row of that serial
dbq() { sqlite3 -batch -noheader -separator '|' "$1" "$2"; }
row_of() { dbq "$1" "SELECT $3 FROM certificates WHERE ltrim(upper(serial),'0') = '$(norm_serial "$2")'"; }

#!/usr/bin/env bash
# Bad-input corpus: runs every tests/testdata/bad/bad_*.sh case (the convention is in tests/testdata/bad/README.md).
#
# For each case, in its own process (and its own mount namespace when `unshare -m` works, so mounts made by a case
# vanish with it): a fresh WORK directory with a ready PKI in WORK/pki, the case's make_input, a snapshot of all of
# WORK (file list, modes, sizes, sha256 of every file, inventory.db included), the command (stdin /dev/null, no
# controlling terminal, under a timeout), then the checks:
#   - the exit code is EXPECT_EXIT, and not a crash or a timeout
#   - each EXPECT_MSG string is in stdout+stderr, no EXPECT_MSG_NOT string is
#   - exit 2/3: stderr has the "mqttpki: error: " prefix; with --json, stdout is one JSON object with ok=false and
#     exit_code=EXPECT_EXIT
#   - stdout and stderr hold no raw control characters (only newline and tab) and no private key material: no
#     "PRIVATE KEY", no piece of the private value of any key file in WORK (hex or base64), no piece of the
#     ciphertext of an encrypted one
#   - nothing in WORK changed: no file written, removed or changed, no mode changed, nothing new in an output
#     directory (unless the case sets EXPECT_CHANGES=1 and checks the result in verify_result)
#
# Usage: bash tests/e2e/test_bad_corpus.sh [CASE...]   CASE: a case name (bad_foo), or a file
#   MQTTPKI=path/to/mqttpki (default build/mqttpki), VERBOSE=1 prints every check of every case, BAD_JOBS=N runs N
#   cases at a time (default: the number of CPUs), BAD_SHARD=K/N runs only every Nth case from the Kth (ctest runs
#   the corpus as N such shards, so that each finishes well within its timeout on a busy machine), KEEP_TMP=1 keeps
#   the work directories.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BAD_DIR=$REPO_ROOT/tests/testdata/bad
unset MQTTPKI_KEY_PASSPHRASE MQTTPKI_MQTT_PASSWORD MQTTPKI_DEBUG 2>/dev/null || true
for _tool in sqlite3 python3; do
    command -v "$_tool" >/dev/null 2>&1 || { echo "Bail out! required tool missing: $_tool"; echo "0 passed, 1 failed"; exit 1; }
done

# The passphrase of the CA keys when a case asks for PKI_SETUP=passphrase (in $PASSFILE).
BAD_PASSPHRASE='correct horse battery staple'

# =================================================================================================================
# Helpers for the cases (they run in the case's process, after the runner has set WORK, PKI, PASSFILE)

# skip_case REASON: this case cannot run here (say why); it is reported as skipped, not passed
skip_case() { echo "# SKIP $*" >&3; exit 77; }

# the quickstart PKI's files
pki_cert() { echo "$PKI/$1/certs/$1.cert.pem"; }
pki_key() { echo "$PKI/$1/private/$1.key.pem"; }
pki_chain() { echo "$PKI/$1/$1.chain.pem"; }
pki_csr() { echo "$PKI/$1/csr/$1.csr.pem"; }

# replace_file DST SRC: DST gets SRC's bytes, keeping DST's mode (root can write a 0400 file)
replace_file() { local m; m=$(stat -c %a "$1"); chmod u+w "$1" && cat "$2" >"$1" && chmod "$m" "$1"; }

# mk_csr OUT [openssl req -new arguments...]: a CSR (PEM) in OUT, its key (EC P-256 unless the arguments give
# -newkey) beside it as ${OUT%.csr.pem}.key
mk_csr() {
    local out=$1; shift
    local keyargs=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
    case " $* " in *" -newkey "*) keyargs=() ;; esac
    openssl req -new "${keyargs[@]}" -nodes -keyout "${out%.csr.pem}.key" -out "$out" "$@" 2>"$T/mk_csr.err" ||
        { cat "$T/mk_csr.err" >&2; return 1; }
}

# san_der_hex TAG BYTES_HEX: a subjectAltName value (DER hex) with one GeneralName of implicit TAG (82 = dNSName,
# 87 = iPAddress, 81 = rfc822Name), for `-addext "subjectAltName=DER:..."`
san_der_hex() {
    local n=$(( ${#2} / 2 ))
    printf '30%02x%s%02x%s' $(( n + 2 )) "$1" "$n" "$2"
}

# flip_last_der_byte IN_PEM OUT_PEM TYPE: flips one bit of the last byte of IN's DER (inside the signature), PEM
# label TYPE (e.g. "CERTIFICATE REQUEST")
flip_last_der_byte() {
    python3 - "$1" "$2" "$3" <<'EOF'
import base64, sys
text = open(sys.argv[1]).read()
body = "".join(l for l in text.splitlines() if l and not l.startswith("-----"))
der = bytearray(base64.b64decode(body))
der[-1] ^= 0x01
b64 = base64.b64encode(bytes(der)).decode()
with open(sys.argv[2], "w") as f:
    f.write("-----BEGIN %s-----\n" % sys.argv[3])
    for i in range(0, len(b64), 64):
        f.write(b64[i:i + 64] + "\n")
    f.write("-----END %s-----\n" % sys.argv[3])
EOF
}

# big_file OUT MIB [FIRST]: a file of MIB MiB: FIRST's contents (if given), then 'A's
big_file() {
    { if [ -n "${3:-}" ]; then cat "$3"; fi; head -c $(( $2 * 1024 * 1024 )) /dev/zero | tr '\0' 'A'; } >"$1"
}

# sign_dated CSR CA_CERT CA_KEY START END EXT OUT: openssl ca signs CSR with the given validity
# (YYYYMMDDHHMMSSZ) and the extensions EXT (a list of "name = value" lines); the CSR's subject is kept
sign_dated() {
    local d=$T/sign_dated.$RANDOM
    mkdir -p "$d" && : >"$d/index.txt" && echo 01 >"$d/serial" || return 1
    cat >"$d/ca.conf" <<EOF
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = $d
database = $d/index.txt
serial = $d/serial
new_certs_dir = $d
default_md = sha256
policy = pol
unique_subject = no
copy_extensions = none
[ pol ]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
[ ext ]
$6
EOF
    openssl ca -config "$d/ca.conf" -batch -notext -preserveDN -in "$1" -cert "$2" -keyfile "$3" \
        -startdate "$4" -enddate "$5" -extensions ext -out "$7" >"$d/log" 2>&1 || { cat "$d/log" >&2; return 1; }
}

# tutorial_pki DIR: the tutorial's hand-built PKI (tests/testdata/tutorial_pki.sh) in DIR
tutorial_pki() {
    mkdir -p "$1" && (cd "$1" && source "$REPO_ROOT/tests/testdata/tutorial_pki.sh" && tutorial_sequence) \
        >"$T/tutorial.log" 2>&1 || { cat "$T/tutorial.log" >&2; return 1; }
}

# ro_dir DIR: DIR (created) becomes a read-only directory that root cannot write either: a read-only tmpfs, else
# an immutable directory (chattr +i); skips the case if neither works. Sets RO_HOW, and RO_ERR: the error the
# system gives for a write there ("Read-only file system", or "Operation not permitted" for chattr +i).
# shellcheck disable=SC2034  # RO_HOW is for the cases
ro_dir() {
    mkdir -p "$1" || return 1
    if mount -t tmpfs -o ro,size=64k,mode=0755 mqttpki-bad-ro "$1" 2>/dev/null; then
        at_exit umount -l "$1"; RO_HOW="read-only tmpfs"; RO_ERR="Read-only file system"; return 0
    fi
    if chattr +i "$1" 2>/dev/null; then
        at_exit chattr -i "$1"; RO_HOW="chattr +i"; RO_ERR="Operation not permitted"; return 0
    fi
    skip_case "cannot make a read-only directory here: mount -t tmpfs -o ro and chattr +i both refused"
}

# ro_bind DIR: DIR (with its contents) becomes read-only in place (a read-only bind mount); skips if impossible
# shellcheck disable=SC2034
ro_bind() {
    if mount --bind "$1" "$1" 2>/dev/null; then
        at_exit umount -l "$1"
        if mount -o remount,bind,ro "$1" 2>/dev/null; then RO_HOW="read-only bind mount"; return 0; fi
    fi
    skip_case "cannot bind-mount $1 read-only here (mount refused)"
}

# full_dir DIR [KIB]: DIR (created) is a tmpfs of KIB KiB (default 64) that is completely full; skips if mount
# is refused. Files copied into DIR before filling it: use full_fill DIR afterwards instead (full_dir DIR KIB nofill).
full_dir() {
    mkdir -p "$1" || return 1
    mount -t tmpfs -o "size=${2:-64}k,mode=0755" mqttpki-bad-full "$1" 2>/dev/null ||
        skip_case "cannot mount a small tmpfs here (mount refused): no way to fill a file system"
    at_exit umount -l "$1"
    if [ "${3:-}" != nofill ]; then full_fill "$1"; fi
}
# full_fill DIR: fills the file system of DIR (a tmpfs from full_dir) to the last byte
full_fill() {
    head -c $(( 64 * 1024 * 1024 )) /dev/zero >"$1/.fill" 2>/dev/null
    [ "$(df -B1 --output=avail "$1" | tail -n 1 | tr -d ' ')" = 0 ] || { echo "full_fill: $1 is not full" >&2; return 1; }
}

# hold_db_lock DB: a background process holds a write lock (BEGIN IMMEDIATE) on the SQLite database DB until the
# case ends
hold_db_lock() {
    local ready=$T/lock.ready.$RANDOM
    python3 -c '
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=5)
c.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
time.sleep(600)
' "$1" "$ready" </dev/null >/dev/null 2>&1 &
    local pid=$!
    at_exit stop_pid "$pid"
    local i
    for ((i = 0; i < 100; i++)); do [ -e "$ready" ] && return 0; sleep 0.1; done
    echo "hold_db_lock: no lock on $1 after 10 s" >&2; return 1
}

# =================================================================================================================
# One case (in this process)

# _key_secrets DIR [CACHE]: what must never be printed, from every private key file under DIR (lines
# "kind window"): its private value (EC/Ed25519 scalar, RSA private exponent and primes) as hex and as base64 at
# each of the three byte alignments, and for an encrypted key the second half of its base64 (the ciphertext).
# Windows are 16 characters every 8, so any 24 characters in a row of these are caught; nothing public (headers,
# OIDs, the public key) is among them. CACHE ("sha256 kind window" lines) spares the work for known key files;
# with --cache the lines are printed in that form.
_key_secrets() {
    python3 - "$1" "$PASSFILE" "${2:-}" "${3:-}" <<'EOF'
import base64, hashlib, os, re, subprocess, sys
top, passfile, cache_file, mode = sys.argv[1:5]
cache = {}
if cache_file and os.path.isfile(cache_file):
    for line in open(cache_file):
        h, rest = line.rstrip("\n").split(" ", 1)
        cache.setdefault(h, []).append(rest)
def secrets(pem, body_b64, encrypted):
    out = []
    def windows(kind, text):
        out.extend("%s %s" % (kind, text[i:i + 16]) for i in range(0, len(text) - 15, 8))
    if encrypted:
        windows("b64", body_b64[len(body_b64) // 2:])
    secret = b""
    for passin in ("pass:", "file:" + passfile):
        if passin != "pass:" and not os.path.isfile(passfile):
            continue
        r = subprocess.run(["openssl", "pkey", "-noout", "-text", "-passin", passin], input=pem, capture_output=True)
        if r.returncode != 0:
            continue
        take = False
        for line in r.stdout.decode("latin-1").splitlines():
            if re.match(r"^(priv|privateExponent|prime1|prime2):", line):
                take = True
            elif line and not line[0].isspace():
                take = False
            elif take:
                secret += bytes.fromhex(line.strip().replace(":", ""))
        break
    if secret:
        windows("hex", secret.hex())
        for pad in range(3):
            windows("b64", base64.b64encode(b"\0" * pad + secret).decode()[4:-4])
    return out
for root, dirs, files in os.walk(top):
    for name in files:
        path = os.path.join(root, name)
        try:
            if os.path.islink(path) or os.path.getsize(path) > 1 << 20:
                continue
            raw = open(path, "rb").read()
        except OSError:
            continue
        data = raw.decode("latin-1")
        for m in re.finditer(r"-----BEGIN ([A-Z ]*PRIVATE KEY)-----(.*?)-----END \1-----", data, re.S):
            pem = m.group(0).encode("latin-1")
            h = hashlib.sha256(pem).hexdigest()
            if h not in cache:
                body = "".join(l.strip() for l in m.group(2).splitlines() if l.strip() and ":" not in l)
                cache[h] = secrets(pem, body, "ENCRYPTED" in m.group(1) or "Proc-Type" in m.group(2))
            for line in cache[h]:
                print(("%s %s" % (h, line)) if mode == "--cache" else line)
EOF
}

_check_no_key_material() {
    local out=$1 kind piece leaks=()
    if [[ $out == *"PRIVATE KEY"* ]]; then leaks+=("the output contains 'PRIVATE KEY'"); fi
    local flat hexflat
    flat=$(tr -d '\r\n ' <<<"$out")
    hexflat=$(tr -d '\r\n :' <<<"$out" | tr 'A-F' 'a-f')
    while read -r kind piece; do
        if [ "$kind" = b64 ] && [[ $flat == *"$piece"* ]]; then leaks+=("base64 of a key file: $piece"); break; fi
        if [ "$kind" = hex ] && [[ $hexflat == *"$piece"* ]]; then leaks+=("a private key value in hex: $piece"); break; fi
    done <"$T/secrets"
    if [ ${#leaks[@]} -eq 0 ]; then _pass "no private key material in stdout/stderr"; return 0; fi
    _fail "no private key material in stdout/stderr" "$(printf '%s\n' "${leaks[@]}")"
}

_check_no_control_chars() {
    local n
    n=$(cat "$T/stdout" "$T/stderr" | LC_ALL=C tr -cd '\000-\010\013-\037\177' | wc -c)
    if [ "$n" -eq 0 ]; then _pass "no raw control characters in stdout/stderr"; return 0; fi
    _fail "no raw control characters in stdout/stderr" "$n control byte(s) (terminal escapes, NUL, ...) printed as is:
$(cat "$T/stdout" "$T/stderr" | od -c | head -n 12)"
}

_check_json() {
    local j; j=$(cat "$T/stdout")
    if python3 -c '
import json, sys
o = json.loads(sys.stdin.read())
assert isinstance(o, dict), "not a JSON object"
want = int(sys.argv[1])
if want != 0:
    assert o.get("ok") is False, "ok is not false"
    assert o.get("exit_code") == want, "exit_code %r != %d" % (o.get("exit_code"), want)
    assert isinstance(o.get("error"), str) and o["error"], "no error text"
' "$EXPECT_EXIT" <<<"$j" 2>"$T/json.err"; then
        _pass "--json: stdout is one JSON object (ok false, exit_code $EXPECT_EXIT)"
    else
        _fail "--json: stdout is one JSON object (ok false, exit_code $EXPECT_EXIT)" "$(tail -n 3 "$T/json.err")
stdout was:
$j"
    fi
}

# _make_pki plain|passphrase DIR PASSFILE: the quickstart PKI every case starts from
_make_pki() {
    if [ "$1" = passphrase ]; then
        run_mq --pki "$2" quickstart --san mqtt.example.com --passphrase-file "$3"
    else
        run_mq --pki "$2" quickstart --san mqtt.example.com --no-passphrase
    fi
}

run_one() {
    local file=$1
    exec 3>&1
    WORK=$T/work
    PKI=$WORK/pki
    PASSFILE=$WORK/pass.txt
    mkdir -p "$WORK"
    export WORK PKI PASSFILE

    DESC=""; PKI_SETUP=plain; CMD=(); ENV=(); EXPECT_EXIT=""; EXPECT_MSG=(); EXPECT_MSG_NOT=()
    EXPECT_CHANGES=0; TIMEOUT=60
    unset -f make_input verify_result 2>/dev/null
    # shellcheck source=/dev/null
    source "$file" || { _fail "the case file can be sourced"; finish; }
    [ -n "$DESC" ] || { _fail "the case sets DESC"; finish; }
    [ -n "$EXPECT_EXIT" ] || { _fail "the case sets EXPECT_EXIT"; finish; }
    echo "# $DESC"

    # the PKI: a copy of the one the driver made once (BAD_BASE), else made here
    case $PKI_SETUP in
        plain|passphrase)
            if [ "$PKI_SETUP" = passphrase ]; then mk_passfile "$PASSFILE" "$BAD_PASSPHRASE"; fi
            if [ -n "${BAD_BASE:-}" ] && [ -d "$BAD_BASE/$PKI_SETUP" ]; then
                cp -a "$BAD_BASE/$PKI_SETUP" "$PKI" || { _fail "setup: copy the base PKI"; finish; }
            else
                _make_pki "$PKI_SETUP" "$PKI" "$PASSFILE" || { _fail "setup: quickstart ($PKI_SETUP)" "$OUT"; finish; }
            fi ;;
        none) ;;
        *) _fail "unknown PKI_SETUP '$PKI_SETUP'"; finish ;;
    esac
    : >"$_LIB/all-output"

    cd "$WORK" || exit 1
    if [ "$(type -t make_input)" = function ]; then
        local rc=0
        make_input >"$T/make_input.log" 2>&1 || rc=$?
        if [ "$rc" -eq 77 ]; then cat "$T/make_input.log"; exit 77; fi
        if [ "$rc" -ne 0 ]; then _fail "setup: make_input" "exit $rc: $(tail -n 20 "$T/make_input.log")"; finish; fi
        grep -a '^# ' "$T/make_input.log"
    fi
    [ ${#CMD[@]} -gt 0 ] || { _fail "the case sets CMD"; finish; }

    _key_secrets "$WORK" "${BAD_BASE:+$BAD_BASE/secrets}" >"$T/secrets"
    snapshot "$WORK"

    local show; printf -v show '%q ' "${CMD[@]}"
    echo "# mqttpki ${show% }${ENV[*]:+   (env: ${ENV[*]})}"
    E2E_TIMEOUT=$TIMEOUT _run env "${ENV[@]}" "$MQTTPKI" "${CMD[@]}" >"$T/stdout" 2>"$T/stderr"; RC=$?
    OUT_STDOUT=$(cat "$T/stdout"); OUT_STDERR=$(cat "$T/stderr")
    OUT=$(cat "$T/stdout" "$T/stderr")
    # the command's output goes with the first failed check only ($(...) is a subshell: the flag is a file), control
    # characters made visible
    _detail() {
        [ -e "$T/detail.shown" ] && return 0
        : >"$T/detail.shown"
        printf -- '--- exit %s, stdout:\n%s\n--- stderr:\n%s' "$RC" "$OUT_STDOUT" "$OUT_STDERR" | cat -v
    }

    if [ "$RC" -eq "$EXPECT_EXIT" ]; then _pass "exit $EXPECT_EXIT"
    elif [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then _fail "exit $EXPECT_EXIT" "TIMED OUT after $TIMEOUT s
$(_detail)"
    elif [ "$RC" -gt 128 ]; then _fail "exit $EXPECT_EXIT" "CRASHED: killed by signal $((RC - 128))
$(_detail)"
    else _fail "exit $EXPECT_EXIT" "got exit $RC
$(_detail)"
    fi
    local m
    for m in "${EXPECT_MSG[@]}"; do
        if [[ $OUT == *"$m"* ]]; then _pass "message contains '$m'"; else _fail "message contains '$m'" "$(_detail)"; fi
    done
    for m in "${EXPECT_MSG_NOT[@]}"; do
        if [[ $OUT != *"$m"* ]]; then _pass "message does not contain $(printf '%q' "$m")"
        else _fail "message does not contain $(printf '%q' "$m")" "$(_detail)"; fi
    done
    if [ "$EXPECT_EXIT" -eq 2 ] || [ "$EXPECT_EXIT" -eq 3 ]; then
        if grep -aq '^mqttpki: error: ' "$T/stderr"; then _pass "stderr has the 'mqttpki: error: ' prefix"
        else _fail "stderr has the 'mqttpki: error: ' prefix" "$(_detail)"; fi
    fi
    local a; for a in "${CMD[@]}"; do [ "$a" = --json ] && { _check_json; break; }; done
    _check_no_control_chars
    _check_no_key_material "$OUT"
    if [ "$EXPECT_CHANGES" = 1 ]; then
        if [ "$(type -t verify_result)" = function ]; then
            local vout
            if vout=$(verify_result 2>&1); then _pass "verify_result"; else _fail "verify_result" "$vout"; fi
        fi
    else
        assert_unchanged "$WORK" "nothing written, changed or removed in WORK (PKI, inputs, output directories)"
    fi
    finish
}

if [ "${1:-}" = --one ]; then
    run_one "$2"
fi

# =================================================================================================================
# The driver: every case in its own process

CASES=()
if [ $# -gt 0 ]; then
    for a in "$@"; do
        if [ -f "$a" ]; then CASES+=("$(cd "$(dirname "$a")" && pwd)/$(basename "$a")")
        elif [ -f "$BAD_DIR/$a.sh" ]; then CASES+=("$BAD_DIR/$a.sh")
        elif [ -f "$BAD_DIR/$a" ]; then CASES+=("$BAD_DIR/$a")
        else echo "Bail out! no such case: $a"; echo "0 passed, 1 failed"; exit 1
        fi
    done
else
    shopt -s nullglob
    CASES=("$BAD_DIR"/bad_*.sh)
    shopt -u nullglob
fi
[ ${#CASES[@]} -gt 0 ] || { echo "Bail out! no cases in $BAD_DIR"; echo "0 passed, 1 failed"; exit 1; }
if [ -n "${BAD_SHARD:-}" ]; then
    [[ $BAD_SHARD =~ ^([1-9][0-9]*)/([1-9][0-9]*)$ ]] && [ "${BASH_REMATCH[1]}" -le "${BASH_REMATCH[2]}" ] ||
        { echo "Bail out! BAD_SHARD must be K/N with 1 <= K <= N, not '$BAD_SHARD'"; echo "0 passed, 1 failed"; exit 1; }
    _k=${BASH_REMATCH[1]} _n=${BASH_REMATCH[2]} _all=("${CASES[@]}") CASES=()
    for _i in "${!_all[@]}"; do
        [ $(( _i % _n )) -eq $(( _k - 1 )) ] && CASES+=("${_all[$_i]}")
    done
    note "shard $BAD_SHARD: ${#CASES[@]} of ${#_all[@]} cases"
fi

NS=()
if unshare -m --propagation private true 2>/dev/null; then
    NS=(unshare -m --propagation private)
else
    note "unshare -m is not available: mounts made by cases live in this mount namespace until they are unmounted"
fi

# The PKIs the cases start from, made once (each case gets a copy) with the secrets of their keys
BAD_BASE=$T/base
mkdir -p "$BAD_BASE"
PASSFILE=$BAD_BASE/pass.txt
mk_passfile "$PASSFILE" "$BAD_PASSPHRASE"
for kind in plain passphrase; do
    _make_pki "$kind" "$BAD_BASE/$kind" "$PASSFILE" || { echo "Bail out! quickstart ($kind) failed: $OUT"; echo "0 passed, 1 failed"; exit 1; }
done
_key_secrets "$BAD_BASE" "" --cache >"$BAD_BASE/secrets"
export BAD_BASE

# Cases run BAD_JOBS at a time (default: the number of CPUs; the locked-inventory case mostly waits), each in its
# own process; results are reported in case order.
RES=$T/results
mkdir -p "$RES"
_run_case() { # CASE_FILE: its output in $RES/NAME.out, its exit code in $RES/NAME.rc
    local name; name=$(basename "$1" .sh)
    timeout -k 5 600 "${NS[@]}" bash "${BASH_SOURCE[0]}" --one "$1" >"$RES/$name.out" 2>&1
    echo $? >"$RES/$name.rc"
}
jobs_max=${BAD_JOBS:-$(nproc 2>/dev/null || echo 2)}
running=0
for c in "${CASES[@]}"; do
    if [ "$running" -ge "$jobs_max" ]; then wait -n; running=$((running - 1)); fi
    _run_case "$c" &
    running=$((running + 1))
done
wait

SKIPPED=0
SKIPPED_DESCS=()
for c in "${CASES[@]}"; do
    name=$(basename "$c" .sh)
    out=$(cat "$RES/$name.out" 2>/dev/null); rc=$(cat "$RES/$name.rc" 2>/dev/null || echo 99)
    desc=$(sed -n 's/^# //p' <<<"$out" | head -n 1)
    if [ "${VERBOSE:-0}" = 1 ]; then sed 's/^/    /' <<<"$out"; fi
    if [ "$rc" -eq 77 ]; then
        SKIPPED=$((SKIPPED + 1)); SKIPPED_DESCS+=("$name: $(sed -n 's/^# SKIP //p' <<<"$out" | head -n 1)")
        echo "ok - $name: $desc # SKIP $(sed -n 's/^# SKIP //p' <<<"$out" | head -n 1)"
    elif [ "$rc" -eq 0 ]; then
        _pass "$name: $desc"
    else
        _fail "$name: $desc" "$(grep -av '^ok - ' <<<"$out" | grep -av '^[0-9]* passed, [0-9]* failed$' | grep -av '^#   failed: ')"
    fi
done

echo "# bad-input corpus: ${#CASES[@]} cases: $PASSED passed, $FAILED failed, $SKIPPED skipped"
for s in "${SKIPPED_DESCS[@]}"; do echo "#   skipped: $s"; done
finish

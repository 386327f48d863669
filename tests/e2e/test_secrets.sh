#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2317  # bash -c '...' _ ARGS on purpose; functions run through check/expect_exit
# No secret ever leaks: not in what any command prints (stdout and stderr, text and --json, successes and failures),
# not in files others may read, not through argv, not through a core dump; and key material is never, not even for
# a moment, readable by group or other, whatever the caller's umask.
# Secrets: the CA passphrase, the server-key passphrase, a wrong guess, the random keystore/key passwords `deploy`
# generates, the base64 body of every private key file, and every private scalar (openssl pkey -text: priv /
# privateExponent) as hex.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v tar >/dev/null 2>&1 || { echo "Bail out! required tool missing: tar"; echo "0 passed, 1 failed"; exit 1; }

PASS='Zq8-pki-Passphrase-77x-e2e'
KPASS='Kq5-serverkey-Secret-31y-e2e'
WRONG='Wr0ng-guess-Passphrase-55z-e2e'
ARGV_SECRET='argv-Secret-Passphrase-99q-e2e'
PP=$T/pass.txt KP=$T/keypass.txt WP=$T/wrong.txt
mk_passfile "$PP" "$PASS"
mk_passfile "$KP" "$KPASS"
mk_passfile "$WP" "$WRONG"
P=$T/pki
OUTS=$T/outputs
mkdir -p "$OUTS"
NCMD=0

# mq CODE DESC ARGS...: mqttpki --pki $P ARGS, expecting exit CODE; its stdout and stderr are kept for the scan
mq() {
    local code=$1 desc=$2; shift 2
    expect_exit "$code" "$desc" "$MQTTPKI" --pki "$P" "$@"
    _keep "$desc"
}
# mq_raw CODE DESC CMD...: the same for any command line (mqttpki without --pki, under umask 000, ...)
mq_raw() {
    local code=$1 desc=$2; shift 2
    expect_exit "$code" "$desc" "$@"
    _keep "$desc"
}
_keep() {
    NCMD=$((NCMD + 1))
    { printf '%s\n' "# $1"; printf '%s\n' "$OUT_STDOUT"; printf '%s\n' "$OUT_STDERR"; } >"$OUTS/$(printf '%03d' "$NCMD").txt"
}

# === every command, with its output kept ===========================================================================
mq 0 "quickstart --passphrase-file" quickstart --san mqtt.example.com --san 127.0.0.1 --passphrase-file "$PP"
mq 0 "ca create device-ca --for client" ca create device-ca --for client --passphrase-file "$PP"
mq 0 "device issue d1 d2 (folders)" device issue d1 d2 --passphrase-file "$PP"
mq 0 "device issue --count 20 --archive" device issue --count 20 --prefix a- --archive "$T/fleet.tar" --passphrase-file "$PP"
mq 0 "device issue h1 --c-header --der --out" device issue h1 --c-header --der --out "$T/hdr" --passphrase-file "$PP"
printf 'id,san\ncsv-1,csv-1.example.com\ncsv-2\n' >"$T/devices.csv"
mq 0 "device issue --from devices.csv --c-header --json" --json device issue --from "$T/devices.csv" --c-header --out "$T/csvdev" --passphrase-file "$PP"
mq 0 "device issue --key rsa-2048 (an RSA device key)" device issue r1 --key rsa-2048 --out "$T/rsadev" --passphrase-file "$PP"
mkdir -p "$T/csrs"
for i in 1 2; do
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/se-$i.key.pem" \
        -out "$T/csrs/se-$i.csr.pem" -subj "/CN=se-$i" >/dev/null 2>&1
done
mq 0 "device sign --csr-dir --c-header" device sign --csr-dir "$T/csrs" --c-header --out "$T/signed" --passphrase-file "$PP"
mq 0 "server issue enc --encrypt-key --key-passphrase-file" \
    server issue enc --san enc.example.com --encrypt-key --key-passphrase-file "$KP" --passphrase-file "$PP"
mq 0 "server issue rsa1 --key rsa-2048" server issue rsa1 --san rsa1.example.com --key rsa-2048 --passphrase-file "$PP"
mq 0 "csr create brk" csr create brk --san brk.example.com
mq 0 "csr create brke --encrypt-key --key-passphrase-file" csr create brke --san brke.example.com --encrypt-key --key-passphrase-file "$KP"
mq 0 "csr sign brk --profile server" csr sign "$P/brk/csr/brk.csr.pem" --profile server --passphrase-file "$PP"
mq 0 "csr sign brke --profile client" csr sign "$P/brke/csr/brke.csr.pem" --profile client --passphrase-file "$PP"
for b in mosquitto thingsboard emqx hivemq vernemq nanomq; do
    mq 0 "deploy mqtt-server-1 --broker $b" deploy mqtt-server-1 --broker "$b" --out "$T/dep-$b"
    mq 0 "deploy enc (encrypted key) --broker $b --mtls" deploy enc --broker "$b" --mtls --out "$T/depenc-$b" --passphrase-file "$KP"
done
mq 0 "deploy mqtt-server-1 --broker thingsboard --keystore" deploy mqtt-server-1 --broker thingsboard --keystore --out "$T/dep-tbks"
mq 0 "deploy enc --broker thingsboard --keystore --json" --json deploy enc --broker thingsboard --keystore --out "$T/depenc-tbks" --passphrase-file "$KP"
mq 0 "export device (pem, der, c-header)" export device --out "$T/exp" --format pem --format der --format c-header
mq 0 "list" list
mq 0 "list --json" --json list
mq 0 "show enc" show enc
mq 0 "show enc --json" --json show enc
mq 0 "show d1 --json" --json show d1
mq 0 "show a-000001 (archived device) --json" --json show a-000001
mq 0 "inspect a plain key" inspect "$P/mqtt-server-1/private/mqtt-server-1.key.pem"
mq 0 "inspect a plain key --json" --json inspect "$P/mqtt-server-1/private/mqtt-server-1.key.pem"
mq 0 "inspect an encrypted key with its passphrase" inspect "$P/enc/private/enc.key.pem" --passphrase-file "$KP"
mq 0 "inspect an encrypted key with its passphrase --json" --json inspect "$P/enc/private/enc.key.pem" --passphrase-file "$KP"
mq 0 "inspect the root key (encrypted, no passphrase)" inspect "$P/root-ca/private/root-ca.key.pem"
mq 0 "inspect a device key" inspect "$P/devices/d1/d1.key.pem"
mq 0 "verify a chain" verify "$P/enc/enc.chain.pem" --host enc.example.com
mq 0 "crl" crl --passphrase-file "$PP"
mq 0 "revoke d2 --reason keyCompromise" revoke d2 --reason keyCompromise
mq 0 "crl --json" --json crl --passphrase-file "$PP"
mq 0 "renew mqtt-server-1 --rekey" renew mqtt-server-1 --rekey --passphrase-file "$PP"
mq 0 "renew enc --rekey (encrypted key)" renew enc --rekey --key-passphrase-file "$KP" --passphrase-file "$PP"
mq 0 "renew brk (same key)" renew brk --passphrase-file "$PP"
mq 0 "rotate server-ca" rotate server-ca --passphrase-file "$PP"
mq 0 "rotate device-ca --json" --json rotate device-ca --passphrase-file "$PP"
mq 0 "needs-renewal enc" needs-renewal enc
mq_raw 0 "crl with \$MQTTPKI_PASSPHRASE" env MQTTPKI_PASSPHRASE="$PASS" "$MQTTPKI" --pki "$P" crl
mq_raw 0 "renew enc --rekey with \$MQTTPKI_KEY_PASSPHRASE and \$MQTTPKI_PASSPHRASE --json" \
    env MQTTPKI_PASSPHRASE="$PASS" MQTTPKI_KEY_PASSPHRASE="$KPASS" "$MQTTPKI" --pki "$P" --json renew enc --rekey

# --- failing commands ---------------------------------------------------------------------------------------------
SK=$P/mqtt-server-1/private/mqtt-server-1.key.pem
EK=$P/enc/private/enc.key.pem
mq 3 "ca create with a wrong passphrase" ca create x-ca --passphrase-file "$WP"
mq 3 "server issue with a wrong passphrase" server issue w1 --san w1.example.com --passphrase-file "$WP"
mq 3 "server issue with a wrong passphrase --json" --json server issue w1 --san w1.example.com --passphrase-file "$WP"
mq 3 "device issue with a wrong passphrase" device issue w2 --passphrase-file "$WP"
mq 3 "crl with a wrong passphrase" crl --passphrase-file "$WP"
mq 3 "renew --rekey with a wrong passphrase" renew enc --rekey --key-passphrase-file "$WP" --passphrase-file "$WP"
mq 3 "rotate with a wrong passphrase" rotate server-ca --passphrase-file "$WP"
mq 3 "inspect an encrypted key with a wrong passphrase" inspect "$EK" --passphrase-file "$WP"
mq 3 "inspect an encrypted key with a wrong passphrase --json" --json inspect "$EK" --passphrase-file "$WP"
mq 3 "inspect an encrypted key with the CA passphrase (not its own)" inspect "$EK" --passphrase-file "$PP"
mq 3 "deploy an encrypted key without its passphrase" deploy enc --broker mosquitto --out "$T/dx1"
mq 3 "deploy an encrypted key with a wrong passphrase" deploy enc --broker mosquitto --out "$T/dx2" --passphrase-file "$WP"
mq 3 "deploy an encrypted key with a wrong passphrase (hivemq keystore)" deploy enc --broker hivemq --out "$T/dx3" --passphrase-file "$WP"
mq 3 "csr sign a private key file (plain)" csr sign "$SK" --profile server --passphrase-file "$PP"
mq 3 "csr sign a private key file (plain) --json" --json csr sign "$SK" --profile server --passphrase-file "$PP"
mq 3 "csr sign an encrypted private key file" csr sign "$EK" --profile server --passphrase-file "$PP"
mq 3 "csr sign the passphrase file" csr sign "$PP" --profile server --passphrase-file "$PP"
cp "$SK" "$T/key-as.csr.pem"; chmod 600 "$T/key-as.csr.pem"
{ head -c 200 "$P/brk/csr/brk.csr.pem"; echo; } >"$T/truncated.csr.pem"
mq 3 "csr sign a key named .csr.pem" csr sign "$T/key-as.csr.pem" --profile server --passphrase-file "$PP"
mq 3 "csr sign a truncated CSR" csr sign "$T/truncated.csr.pem" --profile server --passphrase-file "$PP"
mq 3 "csr sign a missing file" csr sign "$T/nosuch.csr.pem" --profile server --passphrase-file "$PP"
mkdir -p "$T/badcsrs"; cp "$SK" "$T/badcsrs/x.pem"; cp "$PP" "$T/badcsrs/y.csr"
mq 3 "device sign --csr-dir holding a key and a passphrase file" device sign --csr-dir "$T/badcsrs" --passphrase-file "$PP"
mq 3 "verify a private key" verify "$SK"
mq 3 "verify with a private key as --bundle" verify "$P/enc/enc.chain.pem" --bundle "$SK"
mq 3 "verify the passphrase file" verify "$PP"
mq 3 "inspect the passphrase file" inspect "$PP"
mq 3 "inspect a PKCS#12 keystore" inspect "$T/dep-hivemq/mqtt-server-1.p12"
mq 3 "needs-renewal on a key" needs-renewal "$SK"
mq 3 "--passphrase-file that does not exist" server issue w3 --san w3.example.com --passphrase-file "$T/nosuch-pass"
mq 3 "--passphrase-file that is a key" server issue w4 --san w4.example.com --passphrase-file "$SK"
mq_raw 3 "import with a wrong passphrase" "$MQTTPKI" --pki "$T/imported" import "$P" --passphrase-file "$WP"
mq_raw 3 "import with the CA passphrase (the encrypted server key has another)" "$MQTTPKI" --pki "$T/imported" import "$P" --passphrase-file "$PP"
mq 3 "show nosuch --json" --json show nosuch
mq 3 "server issue: exists (no --force)" server issue enc --san enc.example.com --passphrase-file "$PP"
mq 3 "probe --cert/--key with an encrypted key and a wrong passphrase" \
    probe 127.0.0.1:1 --cert "$P/enc/certs/enc.cert.pem" --key "$EK" --passphrase-file "$WP" --timeout 1
mq_raw 3 "crl with a wrong \$MQTTPKI_PASSPHRASE" env MQTTPKI_PASSPHRASE="$WRONG" "$MQTTPKI" --pki "$P" crl
mq_raw 3 "MQTTPKI_DEBUG=1: inspect an encrypted key with a wrong passphrase" \
    env MQTTPKI_DEBUG=1 "$MQTTPKI" --pki "$P" inspect "$EK" --passphrase-file "$WP"
mq_raw 3 "MQTTPKI_DEBUG=1: server issue with a wrong passphrase --json" \
    env MQTTPKI_DEBUG=1 "$MQTTPKI" --pki "$P" --json server issue w5 --san w5.example.com --passphrase-file "$WP"
mq_raw 3 "MQTTPKI_DEBUG=1: csr sign a private key file" \
    env MQTTPKI_DEBUG=1 "$MQTTPKI" --pki "$P" csr sign "$SK" --profile server --passphrase-file "$PP"
mq 2 "unknown subcommand" frobnicate
mq 2 "--json usage error" --json server issue

# === the scan ======================================================================================================
# the devices of the archive, extracted, so that their keys are scanned too
mkdir -p "$T/x/fleet"; tar -xf "$T/fleet.tar" -C "$T/x/fleet"
SEC=$T/sec.py
cat >"$SEC" <<'PYEOF'
"""Collects the secrets (passphrases, generated passwords, private key base64 lines, private scalars in hex) and
looks for them in the kept command outputs and in every file group/other may read."""
import base64, os, re, stat, subprocess, sys

outs, roots = sys.argv[1], sys.argv[2:]
passes = [l for l in os.environ['PASSES'].split('\n') if l]
problems = []
secrets = []   # (kind, source, value)
for p in passes:
    secrets.append(('passphrase', 'a passphrase file', p))

def walk(rs):
    for r in rs:
        for d, dirs, files in os.walk(r):
            for f in files:
                yield os.path.join(d, f)

# generated passwords (deploy): thingsboard.conf and hivemq-listener.xml
gen = set()
for f in walk(roots):
    if f.endswith(('thingsboard.conf', 'hivemq-listener.xml')):
        t = open(f, errors='replace').read()
        for m in re.finditer(r"PASSWORD='([^']+)'|<(?:private-key-)?password>([^<]+)</", t):
            gen.add(m.group(1) or m.group(2))
for g in sorted(gen):
    secrets.append(('generated password', 'a deploy snippet', g))

# private keys: every PEM file holding a PRIVATE KEY block (device headers hold the same keys as their .key.pem)
keyfiles = []
for f in walk(roots):
    try:
        t = open(f, 'rb').read()
    except OSError:
        continue
    if b'PRIVATE KEY-----' in t and b'-----BEGIN' in t and not f.endswith(('.h', '.tar')):
        keyfiles.append(f)

def scalar(f):
    """(hex of the private scalar: EC priv or RSA privateExponent, 'ec' | 'rsa'), opened with any known passphrase"""
    for pw in [''] + passes + sorted(gen):
        p = subprocess.run(['openssl', 'pkey', '-in', f, '-passin', 'pass:' + pw, '-text', '-noout'],
                           capture_output=True, text=True)
        if p.returncode == 0:
            m = re.search(r'^(priv|privateExponent):\s*\n((?:\s+[0-9a-f:]+\n)+)', p.stdout, re.M)
            if m:
                h = re.sub(r'[\s:]', '', m.group(2))
                while h.startswith('00') and len(h) > 2:
                    h = h[2:]
                return h, ('rsa' if m.group(1) == 'privateExponent' else 'ec')
            return None, None
    return None, None

# The base64 lines of a key that carry secret bytes: every line of an encrypted key; of a plain one, the lines over
# the private scalar (EC) or from the private exponent on (RSA). The other lines encode the algorithm and the public
# key, which certificates hold too.
def key_lines(f, h, kind):
    text = open(f, 'rb').read().decode('ascii', 'replace')
    for label, body in re.findall(r'-----BEGIN ([A-Z ]*PRIVATE KEY)-----\n(.*?)-----END \1-----', text, re.S):
        lines = [l.strip() for l in body.splitlines() if l.strip()]
        b64 = [l for l in lines if ':' not in l]
        lo, hi = 0, 1 << 62
        if 'ENCRYPTED' not in label and len(b64) == len(lines):
            der = base64.b64decode(''.join(b64))
            at = der.find(bytes.fromhex(h)) if h else -1
            if at < 0:
                problems.append('cannot find the private scalar in the DER of %s' % f)
            else:
                lo, hi = at, (len(der) if kind == 'rsa' else at + len(h) // 2)
        off = 0
        for l in b64:
            start, end = off * 3 // 4, (off + len(l)) * 3 // 4
            off += len(l)
            if end > lo and start < hi and len(l) >= 16:
                secrets.append(('private key base64 line', f, l))

nscalars = 0
for f in keyfiles:
    h, kind = scalar(f)
    if h is None:
        problems.append('cannot read the private scalar of %s with any known passphrase' % f)
        continue
    nscalars += 1
    key_lines(f, h, kind)
    colon = ':'.join(h[i:i + 2] for i in range(0, 16, 2))
    for v in (h, h.upper(), colon, colon.upper()):
        secrets.append(('private scalar (hex)', f, v))

# 1. the outputs
nouts = 0
for name in sorted(os.listdir(outs)):
    text = open(os.path.join(outs, name), errors='replace').read()
    nouts += 1
    desc = text.splitlines()[0] if text else name
    if 'PRIVATE KEY' in text:
        problems.append('output of "%s" contains "PRIVATE KEY"' % desc[2:])
    for kind, src, v in secrets:
        if v in text:
            problems.append('output of "%s" contains a %s (of %s)' % (desc[2:], kind, src))

# 2. files that group or other may read
nfiles = 0
for f in walk(roots):
    st = os.lstat(f)
    if not stat.S_ISREG(st.st_mode) or not st.st_mode & 0o044:
        continue
    nfiles += 1
    t = open(f, 'rb').read().decode('latin-1')
    if 'PRIVATE KEY' in t:
        problems.append('%s (mode %o) holds a PRIVATE KEY' % (f, st.st_mode & 0o777))
    for kind, src, v in secrets:
        if v in t:
            problems.append('%s (mode %o) contains a %s (of %s)' % (f, st.st_mode & 0o777, kind, src))

# 3. the passphrases are stored nowhere
for f in walk(roots):
    t = open(f, 'rb').read().decode('latin-1')
    for p in passes:
        if p in t:
            problems.append('%s contains a passphrase' % f)

print('STATS outputs=%d keyfiles=%d keylines=%d scalars=%d generated=%d readable_files=%d'
      % (nouts, len(keyfiles), sum(1 for s in secrets if s[0] == 'private key base64 line'), nscalars, len(gen), nfiles))
for p in problems[:60]:
    print(p)
sys.exit(1 if problems else 0)
PYEOF

SCAN_ROOTS=("$P" "$T/hdr" "$T/csvdev" "$T/rsadev" "$T/signed" "$T/exp" "$T/x" "$T"/dep-* "$T"/depenc-*)
PASSES=$(printf '%s\n' "$PASS" "$KPASS" "$WRONG")
scan_out=$(PASSES=$PASSES python3 "$SEC" "$OUTS" "${SCAN_ROOTS[@]}" 2>&1); scan_rc=$?
note "$(head -n1 <<<"$scan_out")"
if [ $scan_rc -eq 0 ]; then
    _pass "no secret in the output of $NCMD commands, in no file group/other may read, and no passphrase stored anywhere"
else
    _fail "no secret in the output of $NCMD commands, in no file group/other may read, and no passphrase stored anywhere" "$(tail -n +2 <<<"$scan_out")"
fi
check "the scan found keys and scalars to look for (>= 30 key files)" \
    bash -c '[ "$(sed -n "s/.*keyfiles=\([0-9]*\).*/\1/p" <<<"$1")" -ge 30 ] && [ "$(sed -n "s/.*scalars=\([0-9]*\).*/\1/p" <<<"$1")" -ge 30 ]' _ "$(head -n1 <<<"$scan_out")"
check "the scan found the generated keystore passwords" \
    bash -c '[ "$(sed -n "s/.*generated=\([0-9]*\).*/\1/p" <<<"$1")" -ge 3 ]' _ "$(head -n1 <<<"$scan_out")"
check "the kept outputs hold what the commands printed (the root's serial, as list printed it)" \
    grep -rqF -- "$(cert_serial "$P/root-ca/certs/root-ca.cert.pem")" "$OUTS"

# === permissions ====================================================================================================
# p12_has_key FILE: a PKCS#12 file with a key bag (opened with a password of a snippet next to it; one that no
# such password opens counts as holding a key)
p12_has_key() {
    local pw
    while IFS= read -r pw; do
        if openssl pkcs12 -in "$1" -info -noout -passin "pass:$pw" >"$T/p12.info" 2>&1; then
            grep -qi 'keybag' "$T/p12.info"; return
        fi
    done < <(sed -n "s/.*PASSWORD='\([^']*\)'.*/\1/p; s:.*<password>\(.*\)</password>.*:\1:p" "$(dirname "$1")"/*.conf "$(dirname "$1")"/*.xml 2>/dev/null)
    return 0
}
# key_material_files ROOT...: every file that holds key material: *.key.pem, *.key.der, PKCS#12 files with a key,
# *.tar archives, a device header with a key, anything else with a PEM PRIVATE KEY
key_material_files() {
    local f
    find "$@" -type f \( -name '*.key.pem' -o -name '*.key.der' -o -name '*.tar' -o -name '*.tar.partial' \) -print
    while IFS= read -r f; do p12_has_key "$f" && echo "$f"; done < <(find "$@" -type f -name '*.p12')
    find "$@" -type f -name '*.h' -exec grep -lE 'char mqttpki_device_key_pem\[\]|-----BEGIN .*PRIVATE KEY' {} +
    grep -rlE -- '-----BEGIN ([A-Z]+ )?(ENCRYPTED )?PRIVATE KEY-----' "$@" 2>/dev/null
}
# modes_ok ROOT...: every key material file is 0400 or 0600; every private/ directory and device folder is 0700;
# the snippets holding a password are 0400 or 0600
modes_ok() {
    local bad=() f m
    while IFS= read -r f; do
        m=$(stat -c %a "$f")
        case $m in 400 | 600) ;; *) bad+=("$m $f (key material)") ;; esac
    done < <(key_material_files "$@" | sort -u)
    while IFS= read -r f; do
        m=$(stat -c %a "$f"); [ "$m" = 700 ] || bad+=("$m $f (private/)")
    done < <(find "$@" -type d -name private)
    while IFS= read -r f; do
        m=$(stat -c %a "$f"); [ "$m" = 700 ] || bad+=("$m $f (device folder)")
    done < <(find "$@" -type f -name '*.chain.pem' -path '*/devices/*' -printf '%h\n'; \
             find "$@" -mindepth 1 -maxdepth 2 -type f -name manifest.csv -printf '%h\n' | while read -r d; do find "$d" -mindepth 1 -maxdepth 1 -type d; echo "$d"; done)
    while IFS= read -r f; do
        m=$(stat -c %a "$f")
        case $m in 400 | 600) ;; *) bad+=("$m $f (holds a password)") ;; esac
    done < <(grep -rlE "PASSWORD='[^']|<password>[^<]" "$@" 2>/dev/null)
    [ ${#bad[@]} -eq 0 ] && return 0
    printf '%s\n' "${bad[@]}"; return 1
}
PERM_ROOTS=("$P" "$T/hdr" "$T/csvdev" "$T/rsadev" "$T/signed" "$T/exp" "$T/fleet.tar" "$T"/dep-* "$T"/depenc-*)
check "umask 022: key files, keystores, device headers with keys and archives are 0400/0600; private/ and device folders 0700" \
    modes_ok "${PERM_ROOTS[@]}"
check "umask 022: found the key material to check (>= 30 files)" \
    test "$(key_material_files "${PERM_ROOTS[@]}" | sort -u | wc -l)" -ge 30
check "the archive is 0400" mode_is "$T/fleet.tar" 400
check "a device header with a key is 0400" mode_is "$T/hdr/h1/h1.h" 400
check "a device header without a key (device sign) holds no key" \
    bash -c '! grep -qE "char mqttpki_device_key_pem\[\]|PRIVATE KEY-----" "$1"' _ "$T/signed/se-1/se-1.h"

# the same under umask 000
U=$T/umask000
um() { local code=$1 desc=$2; shift 2; mq_raw "$code" "umask 000: $desc" bash -c 'umask 000; exec "$@"' _ "$MQTTPKI" --pki "$U/pki" "$@"; }
mkdir -p "$U"; chmod 777 "$U"
um 0 "quickstart" quickstart --san u.example.com --passphrase-file "$PP"
um 0 "ca create device-ca --for client" ca create device-ca --for client --passphrase-file "$PP"
um 0 "device issue (folders, --der --c-header)" device issue u1 u2 --der --c-header --passphrase-file "$PP"
um 0 "device issue --out" device issue --count 5 --prefix o- --out "$U/out" --passphrase-file "$PP"
um 0 "device issue --archive" device issue --count 5 --prefix z- --archive "$U/z.tar" --passphrase-file "$PP"
um 0 "server issue --encrypt-key" server issue s1 --san s1.example.com --encrypt-key --key-passphrase-file "$KP" --passphrase-file "$PP"
um 0 "server issue" server issue s2 --san s2.example.com --passphrase-file "$PP"
um 0 "csr create" csr create c1 --san c1.example.com
for b in mosquitto hivemq thingsboard; do
    um 0 "deploy s1 --broker $b" deploy s1 --broker "$b" --out "$U/dep-$b" --passphrase-file "$KP"
done
um 0 "deploy s2 --broker thingsboard --keystore" deploy s2 --broker thingsboard --keystore --out "$U/dep-tbks"
um 0 "export device" export device --out "$U/exp" --format pem --format c-header
um 0 "crl" crl --passphrase-file "$PP"
um 0 "renew s2 --rekey" renew s2 --rekey --passphrase-file "$PP"
um 0 "rotate server-ca" rotate server-ca --passphrase-file "$PP"
check "umask 000: new key files are still 0400" bash -c '
    bad=$(find "$@" -type f \( -name "*.key.pem" -o -name "*.key.der" \) ! -perm 400 -printf "%m %p\n"); [ -z "$bad" ] || { echo "$bad"; exit 1; }' _ "$U"
check "umask 000: key files, keystores, device headers with keys and archives are 0400/0600; private/ and device folders 0700" modes_ok "$U"
check "umask 000: no file holding key material is readable by group or other" bash -c '
    bad=$(find "$@" -type f -perm /044 -exec grep -lE -- "PRIVATE KEY-----|char mqttpki_device_key_pem\[\]" {} +; find "$@" -type f -perm /044 \( -name "*.tar" -o -name "*.key.der" \))
    [ -z "$bad" ] || { echo "$bad"; exit 1; }' _ "$U"
check "umask 000: no file or directory is writable by group or other" bash -c '
    bad=$(find "$1" -mindepth 1 -perm /022 -printf "%m %p\n"); [ -z "$bad" ] || { echo "$bad" | head; exit 1; }' _ "$U"
mkdir -p "$T/empty-outs"
scan_out=$(PASSES=$PASSES python3 "$SEC" "$T/empty-outs" "$U" 2>&1); scan_rc=$?
if [ $scan_rc -eq 0 ]; then _pass "umask 000: no secret in any file group/other may read"
else _fail "umask 000: no secret in any file group/other may read" "$(tail -n +2 <<<"$scan_out")"; fi

# === passphrases never from argv =====================================================================================
for args in "root create --passphrase $ARGV_SECRET" "root create --passphrase=$ARGV_SECRET" \
    "ca create c9 --passphrase $ARGV_SECRET" "server issue s9 --san s9.example.com --key-passphrase $ARGV_SECRET" \
    "server issue s9 --san s9.example.com --encrypt-key --key-passphrase=$ARGV_SECRET" \
    "device issue d9 --passphrase $ARGV_SECRET" "crl --pass $ARGV_SECRET" "quickstart --san q.example.com --password $ARGV_SECRET" \
    "deploy enc --broker mosquitto --out $T/dz --passphrase $ARGV_SECRET" "probe 127.0.0.1:1 --password $ARGV_SECRET"; do
    # shellcheck disable=SC2086
    expect_exit 2 "no passphrase from argv: '${args/$ARGV_SECRET/SECRET}' is a usage error" "$MQTTPKI" --pki "$T/argv-pki" $args
    check "no passphrase from argv: '${args/$ARGV_SECRET/SECRET}' wrote nothing" test ! -e "$T/argv-pki"
    if grep -qF -- "$ARGV_SECRET" <<<"$OUT"; then
        _fail "the usage error of '${args/$ARGV_SECRET/SECRET}' does not repeat the value given on the command line" "$OUT"
    else
        _pass "the usage error of '${args/$ARGV_SECRET/SECRET}' does not repeat the value given on the command line"
    fi
done

# --help of every command: the only options about passphrases or passwords take a file (or none)
help_of() { "$MQTTPKI" "$@" --help 2>&1; }
subcommands_of() { help_of "$@" | awk '/^Subcommands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }'; }
HELP_CMDS=()
for c in $(subcommands_of); do
    subs=$(subcommands_of "$c")
    if [ -n "$subs" ]; then for s in $subs; do HELP_CMDS+=("$c $s"); done; else HELP_CMDS+=("$c"); fi
done
check "--help lists the commands (>= 20 found)" test "${#HELP_CMDS[@]}" -ge 20
bad_opts=""
for c in "${HELP_CMDS[@]}"; do
    # shellcheck disable=SC2086
    opts=$(help_of $c | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u | grep -iE 'pass|secret|pin|pw|pwd')
    for o in $opts; do
        case $o in --passphrase-file | --key-passphrase-file | --no-passphrase | --password-file) ;; *) bad_opts+="$c: $o"$'\n' ;; esac
    done
done
check "--help of ${#HELP_CMDS[@]} commands: passphrase/password options are only --passphrase-file, --key-passphrase-file, --no-passphrase, --password-file" \
    test -z "$bad_opts" -o "$bad_opts" = $'\n'
[ -n "$bad_opts" ] && note "options: $bad_opts"

# === a long batch, watched from outside =============================================================================
BIG=$T/big
mkdir -p "$BIG"
(ulimit -c unlimited 2>/dev/null; exec "$MQTTPKI" --pki "$P" device issue --count 200000 --prefix big- --archive "$BIG/big.tar" --passphrase-file "$PP") \
    </dev/null >"$BIG/log" 2>&1 &
BPID=$!
at_exit stop_pid "$BPID"
for ((i = 0; i < 200; i++)); do [ -s "$BIG/big.tar.partial" ] && break; kill -0 "$BPID" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$BPID" 2>/dev/null && [ -e "$BIG/big.tar.partial" ]; then
    _pass "a batch of 200000 devices into an archive is running"
    cmdline=$(tr '\0' ' ' <"/proc/$BPID/cmdline")
    check "/proc/PID/cmdline names the passphrase file" bash -c 'grep -qF -- "--passphrase-file $1" <<<"$2"' _ "$PP" "$cmdline"
    check "/proc/PID/cmdline holds no passphrase" bash -c '! grep -qF -- "$1" <<<"$2"' _ "$PASS" "$cmdline"
    check "/proc/PID/environ holds no passphrase" bash -c '! tr "\0" "\n" <"/proc/$2/environ" | grep -qF -- "$1"' _ "$PASS" "$BPID"
    check "RLIMIT_CORE of the running batch is 0 (soft and hard), though its parent allowed core dumps" \
        bash -c 'grep -E "^Max core file size +0 +0 +bytes" "/proc/$1/limits" || { grep "core" "/proc/$1/limits"; exit 1; }' _ "$BPID"
    modes=""
    for ((i = 0; i < 20; i++)); do modes+="$(stat -c %a "$BIG/big.tar.partial" 2>/dev/null) "; sleep 0.02; done
    check "the growing archive is never readable by group/other (modes seen: $(tr ' ' '\n' <<<"$modes" | sort -u | paste -sd' '))" \
        bash -c '! tr " " "\n" <<<"$1" | grep -qvxE "600|400|"' _ "$modes"
    kill -TERM "$BPID"
    for ((i = 0; i < 300; i++)); do kill -0 "$BPID" 2>/dev/null || break; sleep 0.1; done
    wait "$BPID"; brc=$?
    check "SIGTERM: the batch finishes its chunks in flight and exits 130" test "$brc" = 130
    cat "$BIG/log" >"$OUTS/big.txt"
else
    _fail "a batch of 200000 devices into an archive is running" "$(cat "$BIG/log")"
fi
rm -rf "$BIG"

# dumpability, seen by an unprivileged owner: a process of the same user may read the environment of a dumpable
# process, not of one that made itself non-dumpable (prctl PR_SET_DUMPABLE 0: /proc/PID/ then belongs to root)
if command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
    chmod 711 "$T"
    NB=$T/nobody
    mkdir -p "$NB"
    "$MQTTPKI" --pki "$NB/pki" quickstart --san n.example.com --no-passphrase >/dev/null 2>&1
    "$MQTTPKI" --pki "$NB/pki" ca create device-ca --for client --no-passphrase >/dev/null 2>&1
    chown -R nobody: "$NB"
    as_nobody() { setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups "$@"; }
    setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups sleep 30 </dev/null >/dev/null 2>&1 &
    SPID=$!
    at_exit stop_pid "$SPID"
    (cd "$NB" && exec setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups \
        "$MQTTPKI" --pki pki device issue --count 200000 --prefix nb- --archive big.tar) </dev/null >"$NB/log" 2>&1 &
    NPID=$!
    at_exit stop_pid "$NPID"
    for ((i = 0; i < 200; i++)); do [ -s "$NB/big.tar.partial" ] && break; kill -0 "$NPID" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$NPID" 2>/dev/null && [ -e "$NB/big.tar.partial" ]; then
        check "control: nobody reads the environment of its own dumpable process (sleep)" \
            as_nobody bash -c 'cat "/proc/$1/environ" >/dev/null' _ "$SPID"
        check "the batch runs as nobody" test "$(awk '/^Uid:/ { print $2 }' "/proc/$NPID/status")" = "$(id -u nobody)"
        check "the batch is not dumpable: its /proc entries belong to root, not to nobody" test "$(stat -c %u "/proc/$NPID/environ")" = 0
        check_fails "the batch is not dumpable: nobody cannot read its environment" \
            as_nobody bash -c 'cat "/proc/$1/environ" >/dev/null' _ "$NPID"
        check "nobody's batch has RLIMIT_CORE 0" grep -qE "^Max core file size +0 +0 " "/proc/$NPID/limits"
    else
        _fail "a batch of 200000 devices runs as nobody" "$(cat "$NB/log")"
    fi
    stop_pid "$NPID"; stop_pid "$SPID"
    rm -rf "$NB"
else
    note "setpriv or user nobody missing: dumpability is checked through RLIMIT_CORE only"
fi

# a per-folder batch under umask 000: key files and folders are never group/other-accessible, not for a moment
FD=$T/fold
(umask 000; exec "$MQTTPKI" --pki "$P" device issue --count 1500 --prefix f- --out "$FD" --der --c-header --passphrase-file "$PP") \
    </dev/null >"$T/fold.log" 2>&1 &
FPID=$!
at_exit stop_pid "$FPID"
polls=0 hits=""
while kill -0 "$FPID" 2>/dev/null; do
    h=$(find "$FD" \( -name '*.key.pem' -o -name '*.key.der' -o -name '*.h' \) -perm /077 -print 2>/dev/null
        find "$FD" -type d -perm /077 -print 2>/dev/null)
    [ -n "$h" ] && hits+="$h"$'\n'
    polls=$((polls + 1))
done
wait "$FPID"; frc=$?
cat "$T/fold.log" >"$OUTS/fold.txt"
check "the per-folder batch (umask 000) completes" test "$frc" = 0
check "polled the folder while the batch ran ($polls polls)" test "$polls" -ge 3
check "no key file, device header or folder was ever group/other-accessible during the batch ($polls polls)" test -z "$hits"
[ -n "$hits" ] && note "hits: $(sort -u <<<"$hits" | head -n 10 | paste -sd' ')"
check "after the batch: 1500 key files, all 0400" test "$(find "$FD" -name '*.key.pem' -perm 400 | wc -l)" = 1500

# the outputs of the batches too
scan_out=$(PASSES=$PASSES python3 "$SEC" "$OUTS" "$FD" 2>&1); scan_rc=$?
if [ $scan_rc -eq 0 ]; then _pass "the batches' outputs hold no secret either"
else _fail "the batches' outputs hold no secret either" "$(tail -n +2 <<<"$scan_out")"; fi

finish

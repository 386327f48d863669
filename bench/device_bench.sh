#!/usr/bin/env bash
# Device issuing at fleet scale, against the limit of the arithmetic and against the usual tools, in one run on one
# machine: `mqttpki device issue` (archive mode on one core and on every core, per-file mode), the P-256 arithmetic
# it cannot beat (one key generation + one ECDSA signature per device), pyca/cryptography doing the same job in one
# Python process (bench/pyca_devices.py), and the tutorial's openssl CLI loop (three processes per device).
#
# usage: bench/device_bench.sh [BUILD_DIR | MQTTPKI_BIN]
#   BUILD_DIR    holds mqttpki and mqttpki_bench: the argument, else $MQTTPKI_BUILD, else build/ at the repository
#                root. A path to the mqttpki binary works too (mqttpki_bench is then looked for next to it).
# environment:
#   DEVICE_BENCH_N=200000        devices per archive-mode run (and the large peak-RSS run)
#   DEVICE_BENCH_N_SMALL=20000   devices of the small peak-RSS run
#   DEVICE_BENCH_MILLION=1       also measure peak RSS at 1,000,000 devices (~5 GB of archive, a minute or so)
#   DEVICE_BENCH_FILES_N=5000    devices per per-file-mode (--out DIR) run
#   DEVICE_BENCH_N_PY=20000      devices of the pyca/cryptography run
#   DEVICE_BENCH_M=50            devices of the openssl CLI loop
#   RUNS=3                       timed runs of each mqttpki configuration and of pyca; the median is reported
#
# Every mqttpki run gets a fresh PKI directory (quickstart + `ca create device-ca --for client`, untimed) and is
# timed end to end (process start to exit, the durable commits included) with $EPOCHREALTIME; the rate the command
# prints itself is reported too. Everything runs in a temporary directory, removed at the end.
# pyca needs Debian's python3-cryptography for /usr/bin/python3 (a pyenv python3 earlier in PATH may lack it): when
# it is missing and this runs as root, the script installs it with apt-get; otherwise the pyca row is skipped.
set -u
export LC_ALL=C

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ARG=${1:-${MQTTPKI_BUILD:-$REPO_ROOT/build}}
case $ARG in /*) ;; *) ARG=$PWD/$ARG ;; esac
if [ -f "$ARG" ]; then BIN=$ARG; BUILD=$(dirname "$ARG"); else BUILD=$ARG; BIN=$BUILD/mqttpki; fi
BENCH_BIN=$BUILD/mqttpki_bench
N=${DEVICE_BENCH_N:-200000}
N_SMALL=${DEVICE_BENCH_N_SMALL:-20000}
N_FILES=${DEVICE_BENCH_FILES_N:-5000}
N_PY=${DEVICE_BENCH_N_PY:-20000}
M=${DEVICE_BENCH_M:-50}
RUNS=${RUNS:-3}
MILLION=${DEVICE_BENCH_MILLION:-0}
usage() { echo "usage: $0 [BUILD_DIR | MQTTPKI_BIN]   (environment: DEVICE_BENCH_N, DEVICE_BENCH_N_PY, RUNS, ...; see the script)" >&2; exit 2; }
for v in "$N" "$N_SMALL" "$N_FILES" "$N_PY" "$M" "$RUNS"; do
    case $v in '' | *[!0-9]* | 0) usage ;; esac
done
if [ ! -x "$BIN" ]; then echo "mqttpki binary not found or not executable: $BIN (build the target mqttpki)" >&2; exit 2; fi
if [ ! -x "$BENCH_BIN" ]; then
    echo "mqttpki_bench not found: $BENCH_BIN (build the target mqttpki_bench; it needs Google Benchmark)" >&2
    exit 2
fi
command -v openssl >/dev/null || { echo "openssl CLI not found" >&2; exit 2; }
PY=$(command -v python3 || echo /usr/bin/python3)
[ -x "$PY" ] || { echo "python3 not found (it parses mqttpki_bench's JSON)" >&2; exit 2; }
PYSYS=/usr/bin/python3   # Debian's python3: the one python3-cryptography installs into
NPROC=$(nproc)
TIME_BIN=
if [ -x /usr/bin/time ] && /usr/bin/time -f %M -o /dev/null true 2>/dev/null; then TIME_BIN=/usr/bin/time; fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mqttpki-devices.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
# Private copies of the binaries: a rebuild in the build directory during the run does not disturb it.
if ! { mkdir -p "$WORK/bin" && cp "$BIN" "$WORK/bin/mqttpki" && cp "$BENCH_BIN" "$WORK/bin/mqttpki_bench"; }; then
    echo "cannot copy the binaries to $WORK/bin" >&2
    exit 1
fi
BIN_ORIG=$BIN
BIN=$WORK/bin/mqttpki
BENCH_BIN=$WORK/bin/mqttpki_bench
unset MQTTPKI_PASSPHRASE MQTTPKI_DIR
P=$WORK/pki              # the PKI of the current run (recreated for every run)
ARCHIVE=$WORK/devices.tar
OUTDIR=$WORK/devices

die() { echo "device_bench: $*" >&2; exit 1; }

# now_us: microseconds since the epoch, from $EPOCHREALTIME (bash 5): no fork of date in the measurement.
now_us() {
    local t=${EPOCHREALTIME/[.,]/}
    echo "$t"
}

# median: of the numbers on stdin, one a line.
median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print 0; exit }
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.6g\n", m }'
}

# fresh_pki: a new PKI in $P with an unencrypted device CA for client certificates.
fresh_pki() {
    rm -rf "$P"
    "$BIN" --pki "$P" quickstart --no-passphrase --san mqtt.example.com >"$WORK/setup.log" 2>&1 \
        || { cat "$WORK/setup.log" >&2; die "quickstart failed"; }
    "$BIN" --pki "$P" ca create device-ca --for client --no-passphrase >"$WORK/setup.log" 2>&1 \
        || { cat "$WORK/setup.log" >&2; die "ca create device-ca --for client failed"; }
}

# This VM (the project's machine) makes the first touch of fresh page-cache memory slow: a run that writes a 1 GB
# archive into memory the guest has never used measures that, not mqttpki. So the previous run's archive (or folder)
# is deleted before every run, and the run reuses the page-cache pages the deletion freed, as on a real,
# long-running machine; the peak-RSS runs come first and warm the page cache up for the timed runs.
clear_outputs() { rm -rf "$ARCHIVE" "$OUTDIR" "$WORK/py.tar"; }

# issue_cmd MODE JOBS COUNT: sets CMD to the device issue command line (MODE: archive or files).
issue_cmd() {
    local mode=$1 jobs=$2 count=$3
    CMD=("$BIN" --pki "$P" device issue --count "$count" --prefix dev- --jobs "$jobs")
    if [ "$mode" = archive ]; then CMD+=(--archive "$ARCHIVE"); else CMD+=(--out "$OUTDIR"); fi
}

# printed_rate FILE: the rate mqttpki printed ("Issued N device certificates ... in S s (R/s)").
printed_rate() { sed -n 's/^Issued [0-9]* device certificates.* (\([0-9.]*\)\/s).*/\1/p' "$1" | head -1; }

check_issued() {  # FILE COUNT
    grep -q "^Issued $2 device certificates" "$1" || { cat "$1" "$WORK/err" >&2; die "device issue did not issue $2 devices"; }
}

# timed_issue MODE JOBS COUNT: one run in a fresh PKI; prints "wall_us printed_rate cpu_us_per_device".
timed_issue() {
    local t0 t1
    clear_outputs
    fresh_pki
    issue_cmd "$@"
    cpu_mark "$WORK/cpu0"
    t0=$(now_us)
    "${CMD[@]}" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/out" "$WORK/err" >&2; die "${CMD[*]} failed"; }
    t1=$(now_us)
    cpu_mark "$WORK/cpu1"
    check_issued "$WORK/out" "$3"
    echo "$(( t1 - t0 )) $(printed_rate "$WORK/out") $(cpu_us_per "$WORK/cpu0" "$WORK/cpu1" "$3")"
}

# rss_issue COUNT: one single-threaded archive-mode run in a fresh PKI under GNU time (or a python3 getrusage
# wrapper); prints "peak_rss_kb wall_us printed_rate cpu_s" (cpu_s: user + system).
rss_issue() {
    local count=$1 t0 t1 kb
    clear_outputs
    fresh_pki
    issue_cmd archive 1 "$count"
    t0=$(now_us)
    if [ -n "$TIME_BIN" ]; then
        "$TIME_BIN" -f '%M %U %S' -o "$WORK/rss" "${CMD[@]}" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; die "${CMD[*]} failed"; }
    else
        "$PY" -c 'import resource, subprocess, sys
r = subprocess.run(sys.argv[2:])
u = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write("%d %.2f %.2f\n" % (u.ru_maxrss, u.ru_utime, u.ru_stime))
sys.exit(r.returncode)' "$WORK/rss" "${CMD[@]}" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; die "${CMD[*]} failed"; }
    fi
    t1=$(now_us)
    check_issued "$WORK/out" "$count"
    read -r kb cpu < <(awk 'END { printf "%d %.2f\n", $1, $2 + $3 }' "$WORK/rss")
    echo "$kb $(( t1 - t0 )) $(printed_rate "$WORK/out") $cpu"
}

# verify_cert PEM_FILE: the certificate chains to this run's root through its device CA, for TLS clients.
verify_cert() {
    openssl verify -CAfile "$P/root-ca/certs/root-ca.cert.pem" -untrusted "$P/device-ca/certs/device-ca.cert.pem" \
        -purpose sslclient "$1" >/dev/null 2>&1
}

# extract_cert TAR ID: the device's certificate PEM from an archive into $WORK/check.pem.
extract_cert() { tar -xOf "$1" "$2/$2.cert.pem" >"$WORK/check.pem" 2>/dev/null; }

# cpu_mark FILE: records the CPU time (user + system) of this shell's finished children so far, with the times
# builtin in this very shell (in a $(...) subshell it would report the subshell's own children: none).
# cpu_us_per MARK0 MARK1 COUNT: the CPU time between two marks, in microseconds per device.
cpu_mark() { times >"$1"; }
cpu_us_per() {
    awk -v n="$3" 'FNR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, a, "m"); t += a[1] * 60 + a[2] }
                              c[++k] = t }
        END { printf "%.1f\n", (c[2] - c[1]) * 1e6 / n }' "$1" "$2"
}

rate_of() { awk -v n="$1" -v us="$2" 'BEGIN { if (us > 0) printf "%.0f", n * 1e6 / us; else print 0 }'; }

load() { cut -d' ' -f1-3 /proc/loadavg; }

CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "mqttpki device benchmark: N=$N (archive mode), RUNS=$RUNS (medians), $NPROC cores, ${CPU_MODEL:-unknown CPU}"
echo "  mqttpki: $BIN_ORIG (copied to the work directory)"
echo "  $(openssl version)"
echo "  peak RSS: ${TIME_BIN:-python3 getrusage(RUSAGE_CHILDREN) wrapper}"
LOAD_START=$(load)
echo "  load average at start: $LOAD_START"
echo

# ---- [1/6] the limit: one P-256 key generation + one ECDSA signature ----
echo "[1/6] the arithmetic: openssl speed -seconds 3 ecdsap256; mqttpki_bench (P256KeygenRaw, P256SignRaw, DeviceIssue)"
openssl speed -seconds 3 ecdsap256 >"$WORK/speed" 2>"$WORK/speed.err" || { cat "$WORK/speed.err" >&2; die "openssl speed failed"; }
SPEED_SIGN=$(awk '/ecdsa \(nistp256\)/ { print $(NF - 1) }' "$WORK/speed" | head -1)
[ -n "$SPEED_SIGN" ] || { cat "$WORK/speed" >&2; die "cannot parse openssl speed's output"; }
"$BENCH_BIN" --benchmark_filter='P256KeygenRaw|P256SignRaw|DeviceIssue' --benchmark_format=json \
    --benchmark_repetitions=3 --benchmark_report_aggregates_only=true >"$WORK/bench.json" 2>"$WORK/bench.err" \
    || { cat "$WORK/bench.err" >&2; die "mqttpki_bench failed"; }
# "keygen_us sign_us device_us keygen_cpu_us sign_cpu_us device_cpu_us": medians of 3 repetitions.
read -r KG_US SG_US DEV_US KG_CPU SG_CPU DEV_CPU < <("$PY" - "$WORK/bench.json" <<'EOF'
import json, sys
scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
d = json.load(open(sys.argv[1]))
med, single = {}, {}
for b in d["benchmarks"]:
    name = b.get("run_name", b["name"])
    f = scale[b.get("time_unit", "ns")]
    if b.get("run_type") == "aggregate":
        if b.get("aggregate_name") == "median":
            med[name] = (b["real_time"] * f, b["cpu_time"] * f)
    else:
        single.setdefault(name, (b["real_time"] * f, b["cpu_time"] * f))
med = {**single, **med}
try:
    k, s, v = med["BM_P256KeygenRaw"], med["BM_P256SignRaw"], med["BM_DeviceIssue"]
except KeyError as e:
    sys.exit("missing benchmark %s" % e)
print("%.2f %.2f %.2f %.2f %.2f %.2f" % (k[0], s[0], v[0], k[1], s[1], v[1]))
EOF
) || die "cannot parse mqttpki_bench's JSON"
[ -n "${DEV_CPU:-}" ] || die "cannot parse mqttpki_bench's JSON ($WORK/bench.json)"
SPEED_SIGN_US=$(awk -v r="$SPEED_SIGN" 'BEGIN { printf "%.2f", 1e6 / r }')
# The faster (smaller) of the two signature times makes the limit: the stricter bar.
read -r SIGN_US SIGN_SRC < <(awk -v a="$SPEED_SIGN_US" -v b="$SG_US" 'BEGIN {
    if (a <= b) print a, "openssl-speed"; else print b, "BM_P256SignRaw" }')
LIMIT_US=$(awk -v k="$KG_US" -v s="$SIGN_US" 'BEGIN { printf "%.4f", k + s }')
LIMIT=$(awk -v u="$LIMIT_US" 'BEGIN { printf "%.0f", 1e6 / u }')
LIMIT_CPU=$(awk -v k="$KG_CPU" -v s="$SG_CPU" -v o="$SPEED_SIGN_US" -v src="$SIGN_SRC" 'BEGIN {
    printf "%.2f", k + (src == "openssl-speed" ? o : s) }')
BUSY=$(awk -v a="$KG_US" -v b="$KG_CPU" -v c="$SG_US" -v d="$SG_CPU" 'BEGIN {
    r = a / b; if (c / d > r) r = c / d; if (r > 1.1) printf "%.2f", r }')
echo "  done (load average: $(load))"

# ---- [2/6] peak RSS, flat in N (first: these runs also warm up the page cache for the timed runs) ----
echo "[2/6] peak RSS: device issue --archive --jobs 1, N=$N_SMALL and N=$N$([ "$MILLION" = 1 ] && echo " and N=1000000")"
read -r RSS_SMALL _ _ _ < <(rss_issue "$N_SMALL") || exit 1
read -r RSS_N RSS_N_US RSS_N_PRINTED RSS_N_CPU < <(rss_issue "$N") || exit 1
# Check the large archive once: 3 members per device + 2 manifests, and device 1 verifies.
members=$(tar -tf "$ARCHIVE" | wc -l)
[ "$members" -eq $(( 3 * N + 2 )) ] || die "the archive of $N devices holds $members members, not $(( 3 * N + 2 ))"
{ extract_cert "$ARCHIVE" dev-000001 && verify_cert "$WORK/check.pem"; } || die "mqttpki's dev-000001 does not verify"
echo "  check: archive of $N devices: $members members (3 a device + 2 manifests); dev-000001 verifies (sslclient)"
echo "  (N=$N run, not counted: $(rate_of "$N" "$RSS_N_US")/s wall, printed ${RSS_N_PRINTED}/s;" \
    "CPU (user + sys, all threads) $(awk -v c="$RSS_N_CPU" -v n="$N" 'BEGIN { printf "%.1f", c * 1e6 / n }') us a device)"
RSS_M=
if [ "$MILLION" = 1 ]; then read -r RSS_M _ _ _ < <(rss_issue 1000000) || exit 1; fi
clear_outputs

# ---- [3/6] archive mode, one core and every core, RUNS times each (interleaved) ----
echo "[3/6] device issue --archive, N=$N: --jobs 1 and --jobs $NPROC, $RUNS runs each"
: >"$WORK/t1"; : >"$WORK/p1"; : >"$WORK/c1"; : >"$WORK/tall"; : >"$WORK/pall"; : >"$WORK/call"
for ((i = 1; i <= RUNS; i++)); do
    read -r us pr cpu < <(timed_issue archive 1 "$N") || exit 1
    echo "$us" >>"$WORK/t1"; echo "$pr" >>"$WORK/p1"; echo "$cpu" >>"$WORK/c1"
    echo "  run $i --jobs 1: $(rate_of "$N" "$us")/s wall (printed ${pr}/s), CPU $cpu us a device; load $(load)"
    read -r us pr cpu < <(timed_issue archive "$NPROC" "$N") || exit 1
    echo "$us" >>"$WORK/tall"; echo "$pr" >>"$WORK/pall"; echo "$cpu" >>"$WORK/call"
    echo "  run $i --jobs $NPROC: $(rate_of "$N" "$us")/s wall (printed ${pr}/s), CPU $cpu us a device; load $(load)"
done
clear_outputs
R1=$(rate_of "$N" "$(median <"$WORK/t1")")
R1_P=$(median <"$WORK/p1")
RALL=$(rate_of "$N" "$(median <"$WORK/tall")")
RALL_P=$(median <"$WORK/pall")
C1=$(median <"$WORK/c1")
CALL=$(median <"$WORK/call")

# ---- [4/6] per-file mode ----
echo "[4/6] device issue --out DIR --jobs $NPROC, N=$N_FILES, $RUNS runs"
: >"$WORK/tf"; : >"$WORK/pf"; : >"$WORK/cf"
for ((i = 1; i <= RUNS; i++)); do
    read -r us pr cpu < <(timed_issue files "$NPROC" "$N_FILES") || exit 1
    echo "$us" >>"$WORK/tf"; echo "$pr" >>"$WORK/pf"; echo "$cpu" >>"$WORK/cf"
done
n_dirs=$(find "$OUTDIR" -mindepth 1 -maxdepth 1 -type d | wc -l)
[ "$n_dirs" -eq "$N_FILES" ] || die "--out made $n_dirs device folders, not $N_FILES"
verify_cert "$OUTDIR/dev-000001/dev-000001.cert.pem" || die "mqttpki's per-file dev-000001 does not verify"
clear_outputs
RF=$(rate_of "$N_FILES" "$(median <"$WORK/tf")")
RF_P=$(median <"$WORK/pf")
CF=$(median <"$WORK/cf")

# ---- [5/6] pyca/cryptography, the same job in one Python process ----
echo "[5/6] pyca/cryptography (bench/pyca_devices.py, $PYSYS), N=$N_PY, $RUNS runs"
RPY="" RPY_LOOP="" PYCA_VER="" PYCA_SKIP=""
have_pyca() { [ -x "$PYSYS" ] && "$PYSYS" -c 'import cryptography' 2>/dev/null; }
if ! have_pyca; then
    if [ "$(id -u)" = 0 ] && [ -x "$PYSYS" ] && command -v apt-get >/dev/null; then
        echo "  installing Debian's python3-cryptography (apt-get install -y python3-cryptography)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y python3-cryptography >"$WORK/apt.log" 2>&1 \
            || { apt-get update >>"$WORK/apt.log" 2>&1 && apt-get install -y python3-cryptography >>"$WORK/apt.log" 2>&1; }
    fi
    have_pyca || PYCA_SKIP="pyca/cryptography is not importable by $PYSYS and could not be installed (not root, or apt-get failed)"
fi
if [ -z "$PYCA_SKIP" ]; then
    : >"$WORK/tpy"; : >"$WORK/ppy"; : >"$WORK/cpy"
    for ((i = 1; i <= RUNS; i++)); do
        clear_outputs
        fresh_pki
        cpu_mark "$WORK/cpu0"
        t0=$(now_us)
        "$PYSYS" "$REPO_ROOT/bench/pyca_devices.py" --pki "$P" --count "$N_PY" --prefix dev- --archive "$WORK/py.tar" \
            >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; die "pyca_devices.py failed"; }
        t1=$(now_us)
        cpu_mark "$WORK/cpu1"
        echo $(( t1 - t0 )) >>"$WORK/tpy"
        cpu_us_per "$WORK/cpu0" "$WORK/cpu1" "$N_PY" >>"$WORK/cpy"
        sed -n 's/.*(\([0-9.]*\)\/s).*/\1/p' "$WORK/out" >>"$WORK/ppy"
    done
    PYCA_VER=$(sed -n 's/^pyca\/cryptography \([^:]*\):.*/\1/p' "$WORK/out")
    { extract_cert "$WORK/py.tar" dev-000001 && verify_cert "$WORK/check.pem"; } || die "pyca's dev-000001 does not verify"
    clear_outputs
    RPY=$(rate_of "$N_PY" "$(median <"$WORK/tpy")")
    RPY_LOOP=$(median <"$WORK/ppy")
    CPY=$(median <"$WORK/cpy")
    echo "  check: pyca's dev-000001 verifies (sslclient)"
else
    echo "  skipped: $PYCA_SKIP"
fi

# ---- [6/6] the openssl CLI loop, as tutorials write it ----
echo "[6/6] openssl CLI loop (ecparam -genkey, req -new, x509 -req -extfile per device), M=$M"
fresh_pki
O=$WORK/ossl
mkdir -p "$O"
CA_CERT=$P/device-ca/certs/device-ca.cert.pem
CA_KEY=$P/device-ca/private/device-ca.key.pem
openssl_loop() {
    local i id
    for ((i = 1; i <= M; i++)); do
        printf -v id 'dev-%06d' "$i"
        printf 'basicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature\nextendedKeyUsage = clientAuth\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\nsubjectAltName = DNS:%s\n' \
            "$id" >"$O/$id.ext"
        openssl ecparam -name prime256v1 -genkey -noout -out "$O/$id.key.pem" || return 1
        openssl req -new -key "$O/$id.key.pem" -subj "/O=mqttpki/CN=$id" -out "$O/$id.csr" || return 1
        openssl x509 -req -in "$O/$id.csr" -CA "$CA_CERT" -CAkey "$CA_KEY" -CAcreateserial -CAserial "$O/ca.srl" \
            -days 365 -sha256 -extfile "$O/$id.ext" -out "$O/$id.cert.pem" || return 1
    done
}
cpu_mark "$WORK/cpu0"
t0=$(now_us)
openssl_loop >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; die "the openssl loop failed"; }
t1=$(now_us)
cpu_mark "$WORK/cpu1"
COSSL=$(cpu_us_per "$WORK/cpu0" "$WORK/cpu1" "$M")
verify_cert "$O/dev-000001.cert.pem" || die "the openssl loop's dev-000001 does not verify"
ROSSL=$(rate_of "$M" "$(( t1 - t0 ))")
LOAD_END=$(load)
echo "  load average at the end: $LOAD_END"
echo

# ---- the table ----
us_of() { awk -v r="$1" 'BEGIN { if (r > 0) printf "%.1f", 1e6 / r; else print "-" }'; }
pct() { awk -v r="$1" -v l="$LIMIT" 'BEGIN { if (r > 0 && l > 0) printf "%.0f%%", 100 * r / l; else print "-" }'; }
vspy() { awk -v r="$1" -v p="$RPY" 'BEGIN { if (r > 0 && p > 0) printf "%.2fx", r / p; else print "-" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
row() { printf '%-58s %11s %10s %8s %8s %11s\n' "$@"; }
rrow() { row "$1" "$2" "$(us_of "$2")" "$(pct "$2")" "$(vspy "$2")" "${3:--}"; }
SG_RATE=$(awk -v u="$SG_US" 'BEGIN { printf "%.0f", 1e6 / u }')
KG_RATE=$(awk -v u="$KG_US" 'BEGIN { printf "%.0f", 1e6 / u }')
DEV_RATE=$(awk -v u="$DEV_US" 'BEGIN { printf "%.0f", 1e6 / u }')

row "what" "rate (/s)" "us/device" "% limit" "vs pyca" "CPU us/dev"
row "P-256 sign: openssl speed -seconds 3 ecdsap256 (signs/s)" "$(printf '%.0f' "$SPEED_SIGN")" "$(us_of "$SPEED_SIGN")" "-" "-" "$SPEED_SIGN_US"
row "P-256 sign: BM_P256SignRaw (signs/s)" "$SG_RATE" "$(us_of "$SG_RATE")" "-" "-" "$SG_CPU"
row "P-256 keygen: BM_P256KeygenRaw (keys/s)" "$KG_RATE" "$(us_of "$KG_RATE")" "-" "-" "$KG_CPU"
rrow "LIMIT, 1 core: 1 / (keygen + sign: $SIGN_SRC)" "$LIMIT" "$LIMIT_CPU"
rrow "BM_DeviceIssue: 1 device in memory, no I/O" "$DEV_RATE" "$DEV_CPU"
rrow "mqttpki --archive --jobs 1, N=$N (wall, median)" "$R1" "$C1"
rrow "  its own printed rate (median)" "$R1_P"
rrow "mqttpki --archive --jobs $NPROC, N=$N (wall, median)" "$RALL" "$CALL"
rrow "  its own printed rate (median)" "$RALL_P"
rrow "mqttpki --out DIR --jobs $NPROC, N=$N_FILES (wall, median)" "$RF" "$CF"
rrow "  its own printed rate (median)" "$RF_P"
if [ -n "$RPY" ]; then
    rrow "pyca/cryptography $PYCA_VER, 1 process, N=$N_PY (wall, median)" "$RPY" "$CPY"
    rrow "  its own loop rate, imports and CA load excluded (median)" "$RPY_LOOP"
else
    row "pyca/cryptography: skipped" "-" "-" "-" "-" "-"
fi
rrow "openssl CLI loop, 3 processes a device, M=$M (wall)" "$ROSSL" "$COSSL"
echo
echo "The limit takes the faster of the two signature figures: openssl speed $SPEED_SIGN_US us (it divides by user CPU"
echo "time, its default) vs. BM_P256SignRaw $SG_US us (wall; CPU $SG_CPU us) -> $SIGN_SRC; keygen BM_P256KeygenRaw"
echo "$KG_US us (wall; CPU $KG_CPU us). Micro-benchmarks: medians of 3 repetitions. '% limit' is of the one-core limit."
echo "CPU us/dev: user + system CPU time of the process (all its threads; median) per device: the rate's cost"
echo "apart from waiting and other load. BM_DeviceIssue: $DEV_US us wall, $DEV_CPU us CPU."
echo "mqttpki also records every device in its inventory, writes manifest.csv/json and commits durably (fdatasync);"
echo "pyca writes the same three PEM files per device into its tar, and no inventory, manifest or fsync."
[ -z "$BUSY" ] || echo "WARNING: the machine was busy: wall time was ${BUSY}x CPU time in the micro-benchmarks (load average at start $LOAD_START, at the end $LOAD_END); the figures understate this machine."
echo
# Peak RSS includes the inventory's SQLite page cache (PRAGMA cache_size in src/store/sqlite_store.cc, 64 MiB when
# this was written), which fills as the inventory grows and then stays: a bounded term, not one per device.
echo "peak RSS, --archive --jobs 1: N=$N_SMALL: $(( RSS_SMALL / 1024 )) MB   N=$N: $(( RSS_N / 1024 )) MB   ratio $(ratio "$RSS_N" "$RSS_SMALL")$([ -n "$RSS_M" ] && echo "   N=1000000: $(( RSS_M / 1024 )) MB   ratio $(ratio "$RSS_M" "$RSS_SMALL")")"
echo

# ---- the targets ----
verdict() { if [ "$1" = 1 ]; then echo PASS; else echo MISS; fi; }
ok=$(awk -v r="$R1" -v l="$LIMIT" 'BEGIN { print (r >= 0.65 * l) ? 1 : 0 }')
echo "target: --jobs 1 >= 65% of the limit: $(verdict "$ok")  ($R1/s = $(pct "$R1") of $LIMIT/s; its CPU time alone," \
    "$C1 us a device, would allow $(pct "$(awk -v c="$C1" 'BEGIN { if (c > 0) printf "%.0f", 1e6 / c }')"))"
if [ -n "$RPY" ]; then
    ok=$(awk -v r="$R1" -v p="$RPY" 'BEGIN { print (r >= 2 * p) ? 1 : 0 }')
    echo "target: --jobs 1 >= 2x pyca/cryptography: $(verdict "$ok")  ($R1/s vs. $RPY/s = $(vspy "$R1"))"
else
    echo "target: --jobs 1 >= 2x pyca/cryptography: not measured (pyca skipped)"
fi
if [ "$NPROC" -gt 1 ]; then
    need=$(awk -v n="$NPROC" 'BEGIN { printf "%.2f", 0.85 * n }')
    ok=$(awk -v a="$RALL" -v b="$R1" -v t="$need" 'BEGIN { print (b > 0 && a / b >= t) ? 1 : 0 }')
    echo "target: scaling to $NPROC cores >= ${need}x (1.7x on 2 cores): $(verdict "$ok")  ($RALL/s / $R1/s = $(ratio "$RALL" "$R1")x;" \
        "$(awk -v a="$RALL" -v l="$LIMIT" -v n="$NPROC" 'BEGIN { printf "%.0f%%", 100 * a / (l * n) }') of $NPROC x the limit;" \
        "CPU a device: $C1 us with --jobs 1, $CALL us with --jobs $NPROC)"
else
    echo "target: scaling: not measured (1 core)"
fi
worst=$(ratio "$RSS_N" "$RSS_SMALL")
[ -n "$RSS_M" ] && worst=$(awk -v a="$worst" -v b="$(ratio "$RSS_M" "$RSS_SMALL")" 'BEGIN { print (b > a) ? b : a }')
ok=$(awk -v w="$worst" 'BEGIN { print (w <= 1.25) ? 1 : 0 }')
echo "target: peak RSS flat in N (ratio ~1, <= 1.25): $(verdict "$ok")  (largest N / N=$N_SMALL: ${worst}$(
    [ -n "$RSS_M" ] && echo "; N=1000000 / N=$N: $(ratio "$RSS_M" "$RSS_N")"))"
[ -n "$RSS_M" ] || echo "  (DEVICE_BENCH_MILLION=1 adds N=1000000: whether peak RSS levels off or keeps growing)"

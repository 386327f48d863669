#!/usr/bin/env bash
# Two builds of mqttpki side by side in one run on one machine, for a change that must not cost speed (a
# redesign): quickstart, CRL generation with 100,000 revoked entries and `list --expiring` (lifecycle_bench.sh),
# and a device batch (archive mode) with --jobs 1 and --jobs 2. Quickstart and the device runs alternate the
# builds run by run, so that a machine that slows down or speeds up during the run weighs on both alike.
#
# usage: bench/before_after.sh BEFORE_BUILD_DIR AFTER_BUILD_DIR
#   each directory holds mqttpki and mqttpki_fill_inventory (cmake targets of the same names)
# environment:
#   QUICKSTART_RUNS=30    quickstart runs of each build
#   DEVICE_N=100000       devices per device batch run
#   RUNS=3                device batch runs of each build and jobs count; lifecycle_bench.sh's timed runs
#   REVOKED=100000        revoked entries of the CRL (lifecycle_bench.sh)
# Prints each figure as a median with its range, and after / before.
set -u
export LC_ALL=C

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usage() { echo "usage: $0 BEFORE_BUILD_DIR AFTER_BUILD_DIR   (environment: QUICKSTART_RUNS, DEVICE_N, RUNS, REVOKED)" >&2; exit 2; }
[ $# -eq 2 ] || usage
QS_RUNS=${QUICKSTART_RUNS:-30}
DEVICE_N=${DEVICE_N:-100000}
RUNS=${RUNS:-3}
REVOKED=${REVOKED:-100000}
for v in "$QS_RUNS" "$DEVICE_N" "$RUNS" "$REVOKED"; do
    case $v in '' | *[!0-9]* | 0) usage ;; esac
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mqttpki-before-after.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
unset MQTTPKI_PASSPHRASE MQTTPKI_DIR
die() { echo "before_after: $*" >&2; exit 1; }

# Private copies of the binaries: a rebuild during the run does not disturb it.
NAMES=(before after)
i=0
for dir in "$1" "$2"; do
    case $dir in /*) ;; *) dir=$PWD/$dir ;; esac
    name=${NAMES[$i]}
    mkdir -p "$WORK/$name"
    for b in mqttpki mqttpki_fill_inventory; do
        [ -x "$dir/$b" ] || die "$dir/$b not found (build the targets mqttpki and mqttpki_fill_inventory)"
        cp "$dir/$b" "$WORK/$name/$b" || die "cannot copy $dir/$b"
    done
    echo "$name: $dir"
    i=$((i + 1))
done

now_us() { local t=${EPOCHREALTIME/[.,]/}; echo "$t"; }
# summary FILE: "median min max" of the numbers in FILE, one a line
summary() {
    sort -g "$1" | awk '{ v[NR] = $1 } END { if (NR == 0) { print "0 0 0"; exit }
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.6g %.6g %.6g\n", m, v[1], v[NR] }'
}
# report LABEL UNIT: a row per build from $WORK/t-before and $WORK/t-after, then after / before of the medians
report() {
    local label=$1 unit=$2 mb ma lo hi
    read -r mb lo hi < <(summary "$WORK/t-before")
    printf '  %-34s before %10s %-4s (%s-%s)\n' "$label" "$mb" "$unit" "$lo" "$hi"
    read -r ma lo hi < <(summary "$WORK/t-after")
    printf '  %-34s after  %10s %-4s (%s-%s)   after/before %s\n' "" "$ma" "$unit" "$lo" "$hi" \
        "$(awk -v a="$ma" -v b="$mb" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }')"
}

quickstart() {  # BUILD DIR
    "$WORK/$1/mqttpki" --pki "$2" quickstart --no-passphrase \
        --san my-iot-cloud.com --san mqtt.my-iot-cloud.com --san my-iot-cloud.net >/dev/null 2>"$WORK/err" \
        || { cat "$WORK/err" >&2; die "$1: quickstart failed"; }
}

echo
echo "quickstart ($QS_RUNS runs of each, alternating; wall time of the process)"
for b in before after; do quickstart "$b" "$WORK/warm-$b"; rm -rf "$WORK/warm-$b"; done
: >"$WORK/t-before"; : >"$WORK/t-after"
for r in $(seq 1 "$QS_RUNS"); do
    for b in before after; do
        t0=$(now_us); quickstart "$b" "$WORK/qs"; t1=$(now_us)
        awk -v d=$(( t1 - t0 )) 'BEGIN { printf "%.2f\n", d / 1000 }' >>"$WORK/t-$b"
        rm -rf "$WORK/qs"
    done
done
report "quickstart" ms

echo
echo "device issue --count $DEVICE_N --archive ($RUNS runs of each, alternating; a fresh PKI each run)"
device_run() {  # BUILD JOBS -> the rate (devices/s) of the whole process, start to exit
    local b=$1 jobs=$2 p=$WORK/dpki t0 t1
    rm -rf "$p" "$WORK/devices.tar"
    quickstart "$b" "$p"
    "$WORK/$b/mqttpki" --pki "$p" ca create device-ca --for client --no-passphrase >/dev/null 2>"$WORK/err" \
        || { cat "$WORK/err" >&2; die "$b: ca create device-ca failed"; }
    t0=$(now_us)
    "$WORK/$b/mqttpki" --pki "$p" device issue --count "$DEVICE_N" --prefix dev- --jobs "$jobs" \
        --archive "$WORK/devices.tar" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/out" "$WORK/err" >&2; die "$b: device issue failed"; }
    t1=$(now_us)
    grep -q "^Issued $DEVICE_N device certificates" "$WORK/out" || { cat "$WORK/out" >&2; die "$b: did not issue $DEVICE_N"; }
    awk -v n="$DEVICE_N" -v d=$(( t1 - t0 )) 'BEGIN { printf "%.0f\n", n / (d / 1e6) }'
}
for jobs in 1 2; do
    : >"$WORK/t-before"; : >"$WORK/t-after"
    for r in $(seq 1 "$RUNS"); do
        for b in before after; do device_run "$b" "$jobs" >>"$WORK/t-$b"; done
    done
    report "--jobs $jobs" dev/s
done
rm -rf "$WORK/dpki" "$WORK/devices.tar"

echo
echo "CRL with $REVOKED revoked entries and list --expiring (bench/lifecycle_bench.sh, RUNS=$RUNS, one build after the other)"
for b in before after; do
    RUNS=$RUNS "$REPO_ROOT/bench/lifecycle_bench.sh" "$WORK/$b/mqttpki" auto "$REVOKED" >"$WORK/life-$b" 2>&1 \
        || { cat "$WORK/life-$b" >&2; die "$b: lifecycle_bench.sh failed"; }
    echo "  $b:"
    grep -E '^(mqttpki|openssl)' "$WORK/life-$b" | sed 's/^/    /'
done

#!/usr/bin/env bash
# Times the tutorial's openssl CLI sequence (docs: ../shared/seeds/000_*, sections 2-6) against
# `mqttpki quickstart`, which does the same job (plus checks) in one process.
#
# usage: bench/quickstart_vs_openssl.sh [MQTTPKI_BIN] [RUNS=20]
#   MQTTPKI_BIN defaults to build/mqttpki relative to the repository root.
# Each run starts in a fresh directory. Prints mean and median wall time (ms) of both and the ratio.
set -u
export LC_ALL=C

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${1:-$REPO_ROOT/build/mqttpki}
RUNS=${2:-20}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
case $RUNS in '' | *[!0-9]* | 0) echo "usage: $0 [MQTTPKI_BIN] [RUNS=20]  (RUNS: a positive number)" >&2; exit 2 ;; esac
if [ ! -x "$BIN" ]; then echo "mqttpki binary not found or not executable: $BIN" >&2; exit 2; fi
command -v openssl >/dev/null || { echo "openssl CLI not found" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mqttpki-bench.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
unset MQTTPKI_PASSPHRASE MQTTPKI_DIR

# $EPOCHREALTIME (bash 5) reads the clock without forking date, which would add ~1 ms to every measurement.
now_ns() {
    local t=${EPOCHREALTIME/[.,]/}
    echo "${t}000"
}

# The tutorial, sections 2-6, verbatim (its ecpki/ layout, its file names, its config files).
# shellcheck source=../tests/testdata/tutorial_pki.sh
source "$REPO_ROOT/tests/testdata/tutorial_pki.sh"

mqttpki_sequence() {
    "$BIN" --pki "$1" quickstart \
        --san my-iot-cloud.com --san mqtt.my-iot-cloud.com --san my-iot-cloud.net \
        --no-passphrase
}

# stats FILE -> "mean median" in ms (input: one duration in ns per line)
stats() {
    sort -n "$1" | awk '{ v[NR] = $1 / 1e6; s += v[NR] }
        END { if (NR == 0) { print "0 0"; exit }
              m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              printf "%.1f %.1f\n", s / NR, m }'
}

# warm-up (page cache, dynamic loader), not timed
(mkdir -p "$WORK/warm-o" && cd "$WORK/warm-o" && tutorial_sequence) >"$WORK/warm-o.log" 2>&1 \
    || { echo "the openssl tutorial sequence failed:" >&2; cat "$WORK/warm-o.log" >&2; exit 1; }
mqttpki_sequence "$WORK/warm-m" >"$WORK/warm-m.log" 2>&1 \
    || { echo "mqttpki quickstart failed:" >&2; cat "$WORK/warm-m.log" >&2; exit 1; }

: >"$WORK/t-openssl"; : >"$WORK/t-mqttpki"
for i in $(seq 1 "$RUNS"); do
    d="$WORK/o$i"; mkdir -p "$d"
    t0=$(now_ns)
    (cd "$d" && tutorial_sequence) >/dev/null 2>&1 || { echo "openssl sequence failed in run $i" >&2; exit 1; }
    t1=$(now_ns)
    echo $(( t1 - t0 )) >>"$WORK/t-openssl"
    rm -rf "$d"

    d="$WORK/m$i"
    t0=$(now_ns)
    mqttpki_sequence "$d" >/dev/null 2>&1 || { echo "mqttpki quickstart failed in run $i" >&2; exit 1; }
    t1=$(now_ns)
    echo $(( t1 - t0 )) >>"$WORK/t-mqttpki"
    rm -rf "$d"
done

read -r o_mean o_med < <(stats "$WORK/t-openssl")
read -r m_mean m_med < <(stats "$WORK/t-mqttpki")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "inf" }'; }

echo "runs: $RUNS   ($(openssl version | cut -d' ' -f1-2); mqttpki: $BIN)"
printf 'openssl CLI sequence: mean %8.1f ms   median %8.1f ms\n' "$o_mean" "$o_med"
printf 'mqttpki quickstart:   mean %8.1f ms   median %8.1f ms\n' "$m_mean" "$m_med"
echo "openssl CLI sequence: $o_med ms   mqttpki quickstart: $m_med ms   ratio: $(ratio "$o_med" "$m_med")x   (medians; means ratio: $(ratio "$o_mean" "$m_mean")x)"

#!/usr/bin/env bash
# Lifecycle benchmark at scale: CRL generation with REVOKED revoked entries and `list --expiring` over N+3
# certificates, with `openssl ca -gencrl` over an index.txt of the same certificates in the same run.
#
# usage: bench/lifecycle_bench.sh [MQTTPKI_BIN] [N] [REVOKED=100000]
#   MQTTPKI_BIN  defaults to build/mqttpki relative to the repository root; mqttpki_fill_inventory is taken from the
#                same directory (or $FILL_BIN).
#   N            synthetic client certificates (default, or "auto": REVOKED * 1.1 rounded up, at least REVOKED + 20;
#                about 7.6% of them are expired and cannot be revoked, so N must be >= REVOKED * 1.09).
#   RUNS         (environment) timed runs of each operation, default 3; the median is reported.
#
# Steps: quickstart a PKI in a temporary directory (removed at the end), fill its inventory with
# mqttpki_fill_inventory (which also writes PKI/openssl-ca/ with index.txt and openssl.cnf), then per operation one
# untimed run that checks the result and measures peak RSS (GNU time, if /usr/bin/time exists), and RUNS timed runs.
set -u
export LC_ALL=C

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${1:-$REPO_ROOT/build/mqttpki}
N=${2:-auto}
REVOKED=${3:-100000}
RUNS=${RUNS:-3}
usage() { echo "usage: $0 [MQTTPKI_BIN] [N|auto] [REVOKED=100000]   (environment: RUNS=3)" >&2; exit 2; }
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
case $REVOKED in '' | *[!0-9]*) usage ;; esac
case $RUNS in '' | *[!0-9]* | 0) usage ;; esac
if [ "$N" = auto ]; then
    N=$(( (REVOKED * 11 + 9) / 10 ))
    [ "$N" -lt $(( REVOKED + 20 )) ] && N=$(( REVOKED + 20 ))
fi
case $N in '' | *[!0-9]* | 0) usage ;; esac
FILL=${FILL_BIN:-$(dirname "$BIN")/mqttpki_fill_inventory}
[ -x "$FILL" ] || FILL=$REPO_ROOT/build/mqttpki_fill_inventory
if [ ! -x "$BIN" ]; then echo "mqttpki binary not found or not executable: $BIN" >&2; exit 2; fi
if [ ! -x "$FILL" ]; then echo "mqttpki_fill_inventory not found (build the target mqttpki_fill_inventory)" >&2; exit 2; fi
command -v openssl >/dev/null || { echo "openssl CLI not found" >&2; exit 2; }
TIME_BIN=
if [ -x /usr/bin/time ] && /usr/bin/time -f %M -o /dev/null true 2>/dev/null; then TIME_BIN=/usr/bin/time; fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mqttpki-lifecycle.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
# Private copies of the binaries: a rebuild in the build directory during the run does not disturb it.
if ! { mkdir -p "$WORK/bin" && cp "$BIN" "$WORK/bin/mqttpki" && cp "$FILL" "$WORK/bin/mqttpki_fill_inventory"; }; then
    echo "cannot copy the binaries to $WORK/bin" >&2
    exit 1
fi
BIN_ORIG=$BIN
BIN=$WORK/bin/mqttpki
FILL=$WORK/bin/mqttpki_fill_inventory
unset MQTTPKI_PASSPHRASE MQTTPKI_DIR
P=$WORK/pki
CA_CERT=$P/server-ca/certs/server-ca.cert.pem
OCNF=$P/openssl-ca/openssl.cnf

die() { echo "lifecycle_bench: $*" >&2; exit 1; }

# now_us: microseconds since the epoch, from $EPOCHREALTIME (bash 5): no fork of date in the measurement.
now_us() {
    local t=${EPOCHREALTIME/[.,]/}
    echo "$t"
}

# The operations, as argument arrays. Stdout goes where the checks find it (/dev/null for list); stderr (mqttpki's
# warning about the unencrypted CA keys, openssl's "Using configuration from") to $WORK/err.
OP_MQTTPKI_CRL=("$BIN" --pki "$P" crl --ca server-ca)
OP_OPENSSL_CRL=(openssl ca -gencrl -config "$OCNF" -out "$WORK/openssl-crl.pem")
OP_LIST=("$BIN" --pki "$P" list --expiring 30d)
OP_LIST_JSON=("$BIN" --pki "$P" list --expiring 30d --json)

# rss_mb OUT CMD...: runs CMD once under GNU time; prints its peak RSS in MB and its CPU time (user + system) in
# ms, "- -" without GNU time. The CPU time is one sample, but less disturbed than wall time on a busy machine.
rss_mb() {
    local out=$1
    shift
    if [ -z "$TIME_BIN" ]; then "$@" >"$out" 2>"$WORK/err" || die "$1 failed: $(cat "$WORK/err")"; echo "- -"; return; fi
    "$TIME_BIN" -f '%M %U %S' -o "$WORK/rss" "$@" >"$out" 2>"$WORK/err" || die "$* failed: $(cat "$WORK/err")"
    awk 'END { printf "%.1f %.0f\n", $1 / 1024, ($2 + $3) * 1000 }' "$WORK/rss"
}

# timed OUT CMD...: RUNS timed runs of CMD; prints "median min" in ms.
timed() {
    local out=$1 i t0 t1
    shift
    : >"$WORK/times"
    for ((i = 0; i < RUNS; i++)); do
        t0=$(now_us)
        "$@" >"$out" 2>"$WORK/err" || die "$* failed in timed run $i: $(cat "$WORK/err")"
        t1=$(now_us)
        echo $(( t1 - t0 )) >>"$WORK/times"
    done
    sort -n "$WORK/times" | awk '{ v[NR] = $1 / 1000 }
        END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f %.1f\n", m, v[1] }'
}

crl_entries() { openssl crl -in "$1" -noout -text | grep -c 'Serial Number'; }
crl_verify() { openssl crl -in "$1" -noout -verify -CAfile "$CA_CERT" 2>&1 | grep -q 'verify OK'; }

echo "mqttpki lifecycle benchmark: N=$N client certificates (+3 of quickstart), REVOKED=$REVOKED, RUNS=$RUNS"
echo "  mqttpki: $BIN_ORIG (copied to the work directory)"
echo "  openssl: $(openssl version)"
echo "  peak RSS: ${TIME_BIN:-not measured (no GNU time at /usr/bin/time)}"

"$BIN" --pki "$P" quickstart --san x.example.com --no-passphrase >"$WORK/quickstart.log" 2>&1 \
    || { cat "$WORK/quickstart.log" >&2; die "quickstart failed"; }
t0=$(now_us)
"$FILL" "$P" "$N" "$REVOKED" >"$WORK/fill.log" 2>&1 || { cat "$WORK/fill.log" >&2; die "mqttpki_fill_inventory failed"; }
t1=$(now_us)
sed 's/^/  | /' "$WORK/fill.log"
printf '  filling took %.1f s; inventory.db %s MB, index.txt %s MB\n' "$(( (t1 - t0) / 1000 ))e-3" \
    "$(du -m "$P/inventory.db" | cut -f1)" "$(du -m "$P/openssl-ca/index.txt" | cut -f1)"
echo

# mqttpki crl: the untimed run checks the CRL and measures RSS.
read -r rss_crl_m cpu_crl_m < <(rss_mb "$WORK/out" "${OP_MQTTPKI_CRL[@]}") || exit 1
MCRL=$P/server-ca/crl/server-ca.crl.pem
n=$(crl_entries "$MCRL")
[ "$n" -eq "$REVOKED" ] || die "mqttpki's CRL holds $n entries, not $REVOKED"
crl_verify "$MCRL" || die "mqttpki's CRL does not verify with the server-ca certificate"
echo "check: mqttpki crl: $n entries, signature verify OK, $(du -k "$MCRL" | cut -f1) KB PEM"
read -r med_crl_m min_crl_m < <(timed "$WORK/out" "${OP_MQTTPKI_CRL[@]}") || exit 1

read -r rss_crl_o cpu_crl_o < <(rss_mb "$WORK/out" "${OP_OPENSSL_CRL[@]}") || exit 1
n=$(crl_entries "$WORK/openssl-crl.pem")
[ "$n" -eq "$REVOKED" ] || die "openssl ca's CRL holds $n entries, not $REVOKED"
crl_verify "$WORK/openssl-crl.pem" || die "openssl ca's CRL does not verify with the server-ca certificate"
echo "check: openssl ca -gencrl: $n entries, signature verify OK, $(du -k "$WORK/openssl-crl.pem" | cut -f1) KB PEM"
read -r med_crl_o min_crl_o < <(timed "$WORK/out" "${OP_OPENSSL_CRL[@]}") || exit 1

read -r rss_list cpu_list < <(rss_mb /dev/null "${OP_LIST[@]}") || exit 1
rows=$("$BIN" --pki "$P" list --expiring 30d 2>/dev/null | awk '/^[0-9]+ certificates?$/ { print $1 }')
[ "${rows:-0}" -gt 0 ] || die "list --expiring 30d listed nothing"
echo "check: list --expiring 30d: $rows certificates listed (of $(( N + 3 )))"
read -r med_list min_list < <(timed /dev/null "${OP_LIST[@]}") || exit 1

read -r rss_json cpu_json < <(rss_mb /dev/null "${OP_LIST_JSON[@]}") || exit 1
jrows=$("$BIN" --pki "$P" list --expiring 30d --json 2>/dev/null | grep -c '"serial"')
[ "$jrows" -eq "$rows" ] || die "list --expiring 30d --json listed $jrows certificates, the text $rows"
echo "check: list --expiring 30d --json: $jrows certificates"
read -r med_json min_json < <(timed /dev/null "${OP_LIST_JSON[@]}") || exit 1

echo
row() { printf '%-46s %10s %10s %8s %12s\n' "$@"; }
row "operation (wall: $RUNS runs; cpu, RSS: 1 run)" "median ms" "min ms" "cpu ms" "peak RSS MB"
row "mqttpki crl --ca server-ca ($REVOKED revoked)" "$med_crl_m" "$min_crl_m" "$cpu_crl_m" "$rss_crl_m"
row "openssl ca -gencrl (same index, $REVOKED R)" "$med_crl_o" "$min_crl_o" "$cpu_crl_o" "$rss_crl_o"
row "mqttpki list --expiring 30d ($((N + 3)) certs)" "$med_list" "$min_list" "$cpu_list" "$rss_list"
row "mqttpki list --expiring 30d --json" "$med_json" "$min_json" "$cpu_json" "$rss_json"
echo
awk -v o="$med_crl_o" -v m="$med_crl_m" 'BEGIN {
    if (m > 0) printf "CRL generation, openssl / mqttpki (median): %.2fx (%s)\n", o / m,
        (o >= m ? "mqttpki is faster" : "mqttpki is slower") }'

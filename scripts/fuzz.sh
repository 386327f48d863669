#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang into build-fuzz/ and runs them: first every saved reproducer in
# fuzz/regressions/<target>/ as a plain test, then each target for a bounded time on a copy of its seed corpus.
# Prints a table (target, regressions, executions, exec/s, crashes) and exits 1 when anything crashed.
# Usage: scripts/fuzz.sh [--seconds N] [--smoke] [--build-only] [TARGET...]
#   --seconds N   run each target N seconds (default 60)
#   --smoke       10 seconds per target (CI)
#   --build-only  install what is missing and build, nothing else (fuzz/make_corpus.sh needs build-fuzz/fuzz_tls)
#   TARGET...     some of fuzz/targets (default: all)
# Installs clang, the libFuzzer/ASan/UBSan runtimes and the build dependencies (Debian 12) when they are missing.
# The corpus a run grows stays in build-fuzz/corpus/<target>/ (fuzz/corpus/ is only read); crash, leak, timeout
# and out-of-memory reproducers go to build-fuzz/artifacts/<run>/<target>/. Save one as a regression with
# cp ARTIFACT fuzz/regressions/<target>/<short-name>.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
build_only=false
wanted=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
    --seconds=*) seconds=${1#--seconds=}; shift ;;
    --smoke) seconds=10; shift ;;
    --build-only) build_only=true; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) wanted+=("$1"); shift ;;
  esac
done
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || { echo "fuzz.sh: --seconds needs a positive number" >&2; exit 2; }

mapfile -t all_targets < <(grep -E '^[a-z0-9_]+$' fuzz/targets)
if [ ${#wanted[@]} -eq 0 ]; then
  targets=("${all_targets[@]}")
else
  for t in "${wanted[@]}"; do
    printf '%s\n' "${all_targets[@]}" | grep -qx "$t" || { echo "fuzz.sh: no target '$t' (fuzz/targets)" >&2; exit 2; }
  done
  targets=("${wanted[@]}")
fi

# --- what the build needs -----------------------------------------------------------------------------------
packages=(
  clang libclang-rt-14-dev               # clang 14 and its runtimes: libFuzzer, ASan, UBSan
  cmake ninja-build
  libssl-dev nlohmann-json3-dev libsqlite3-dev
)
bash scripts/install_packages.sh "${packages[@]}"

echo "==> building in build-fuzz/"
cmake -S fuzz -B build-fuzz -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build build-fuzz
$build_only && exit 0

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
run_id=$(date -u +%Y%m%d-%H%M%S)
declare -A reg_result execs rate crashes
failed=()

# --- regressions: every saved reproducer, once ------------------------------------------------------------------
for t in "${targets[@]}"; do
  reg_result[$t]="-"
  files=()
  if [ -d "fuzz/regressions/$t" ]; then
    while IFS= read -r -d '' f; do files+=("$f"); done < <(find "fuzz/regressions/$t" -type f ! -name '.*' -print0 | sort -z)
  fi
  [ ${#files[@]} -eq 0 ] && continue
  echo "==> $t: ${#files[@]} regression input(s)"
  log=build-fuzz/logs/$run_id/$t.regressions.log
  mkdir -p "$(dirname "$log")"
  bad=0
  for f in "${files[@]}"; do
    if ! "build-fuzz/fuzz_$t" -timeout=10 -rss_limit_mb=2048 "$f" >>"$log" 2>&1; then
      bad=$((bad + 1))
      failed+=("$t: regression $f (log: $log)")
    fi
  done
  reg_result[$t]="$(( ${#files[@]} - bad ))/${#files[@]} pass"
done

# --- fuzzing ---------------------------------------------------------------------------------------------------
for t in "${targets[@]}"; do
  corpus=build-fuzz/corpus/$t
  artifacts=build-fuzz/artifacts/$run_id/$t
  log=build-fuzz/logs/$run_id/$t.log
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  [ -d "fuzz/corpus/$t" ] && cp -n "fuzz/corpus/$t"/* "$corpus"/ 2>/dev/null || true
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
    -artifact_prefix="$artifacts/")
  [ -f "fuzz/dict/$t.dict" ] && args+=(-dict="fuzz/dict/$t.dict")
  echo "==> $t: ${seconds}s on $corpus ($(find "$corpus" -type f | wc -l) inputs)"
  set +e
  "build-fuzz/fuzz_$t" "${args[@]}" "$corpus" >"$log" 2>&1
  rc=$?
  set -e
  execs[$t]=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate[$t]=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  [ -n "${execs[$t]}" ] || execs[$t]=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  if [ "${rate[$t]:-0}" = 0 ]; then  # libFuzzer says 0 when it stopped within its first second
    last=$(grep -oE 'exec/s: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || true)
    [ -n "$last" ] && rate[$t]=$last
  fi
  n=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  if [ "$rc" -ne 0 ] && [ "$n" -eq 0 ]; then
    n=1  # died without an artifact (e.g. in LLVMFuzzerInitialize): still a failure
    failed+=("$t: exited $rc without an artifact (log: $log)")
  fi
  crashes[$t]=$n
  while IFS= read -r a; do
    failed+=("$t: $a (log: $log)")
  done < <(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
  [ "$n" -eq 0 ] && rmdir "$artifacts" 2>/dev/null || true
done

echo
printf '%-12s %-12s %12s %10s %8s\n' target regressions executions exec/s crashes
for t in "${targets[@]}"; do
  printf '%-12s %-12s %12s %10s %8s\n' "$t" "${reg_result[$t]}" "${execs[$t]:-?}" "${rate[$t]:-?}" "${crashes[$t]}"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo
  echo "FAILED:"
  printf '  %s\n' "${failed[@]}"
  echo "Reproduce: build-fuzz/fuzz_<target> FILE; save a reproducer: cp FILE fuzz/regressions/<target>/<name>"
  exit 1
fi
echo
echo "no crashes (logs: build-fuzz/logs/$run_id/)"

#!/usr/bin/env bash
# Sets everything up and runs all tests: unit tests and end-to-end tests (the CLI against the openssl CLI,
# GnuTLS certtool, real brokers), first in a normal build, then again under AddressSanitizer +
# UndefinedBehaviorSanitizer (build-asan/), then a short run of every fuzz target (build-fuzz/, clang).
# Usage: scripts/test.sh [--quick]   (--quick skips the sanitizer pass and the fuzz run)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

scripts/setup.sh
echo "==> tests (build/)"
ctest --test-dir build --output-on-failure -j "$jobs"

if [ "${1:-}" != "--quick" ]; then
  scripts/setup.sh --sanitize
  echo "==> tests under ASan + UBSan (build-asan/)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j "$jobs"
fi

if [ "${1:-}" != "--quick" ]; then
  echo "==> fuzz smoke run: saved reproducers, then 10 s per target (build-fuzz/)"
  scripts/fuzz.sh --smoke
fi

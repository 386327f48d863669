#!/usr/bin/env bash
# Installs what mqttpki needs on Debian 12 (as root, or with sudo) and builds it into build/.
# Usage: scripts/setup.sh [--sanitize]   (--sanitize builds build-asan/ with AddressSanitizer + UBSan instead)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config
  libssl-dev openssl                     # OpenSSL 3: the engine, and the CLI used as a test oracle
  libcli11-dev nlohmann-json3-dev        # command line, JSON output
  libsqlite3-dev sqlite3                 # the certificate inventory (sqlite3: tests read it independently)
  libgtest-dev libbenchmark-dev          # unit tests, micro-benchmarks
  gnutls-bin python3                     # certtool: the second independent verifier; JSON checks in tests
  mosquitto mosquitto-clients            # a real broker and clients for the TLS/MQTT end-to-end tests
  libmbedtls-dev                         # mbedTLS, as device firmware uses it, checks the exported C header
  default-jre-headless                   # keytool and Java's KeyStore check the PKCS#12 keystores
)

bash scripts/install_packages.sh "${packages[@]}"

build_dir=build
flags=(-DMQTTPKI_WERROR=ON)
if [ "${1:-}" = "--sanitize" ]; then
  build_dir=build-asan
  flags+=(-DMQTTPKI_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DMQTTPKI_BUILD_BENCH=OFF)
fi
echo "==> building in $build_dir/"
cmake -S . -B "$build_dir" -G Ninja "${flags[@]}" > /dev/null
cmake --build "$build_dir"

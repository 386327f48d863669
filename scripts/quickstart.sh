#!/usr/bin/env bash
# Sets everything up, then builds the tutorial's PKI in ./pki with mqttpki quickstart.
# Usage: scripts/quickstart.sh [--san NAME_OR_IP ...] [other quickstart flags]
#   default SANs: mqtt.example.com and 127.0.0.1.
# On a terminal you are asked for the CA key passphrase; without one (and without $MQTTPKI_PASSPHRASE) the CA keys
# are written unencrypted, and mqttpki says so.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--san mqtt.example.com --san 127.0.0.1)
if [ -z "${MQTTPKI_PASSPHRASE:-}" ] && ! { : </dev/tty; } 2>/dev/null; then
  echo "==> no terminal to ask for a passphrase: writing the CA keys unencrypted (--no-passphrase)"
  args+=(--no-passphrase)
fi
echo "==> build/mqttpki --pki pki quickstart ${args[*]}"
build/mqttpki --pki pki quickstart "${args[@]}"

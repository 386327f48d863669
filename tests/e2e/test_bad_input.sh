#!/usr/bin/env bash
# Bad input: exact exit codes (2 usage, 3 bad input / I/O), a specific message, and nothing written.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

P=$T/pki
expect_exit 0 "setup: quickstart --no-passphrase" "$MQTTPKI" --pki "$P" quickstart --san mqtt.example.com --no-passphrase
snapshot "$P"

# bad_usage DESC TEXT ARGS...: exit 2, message contains TEXT (case-insensitive), error prefix, $P unchanged
bad_usage() {
    local desc=$1 text=$2; shift 2
    expect_exit 2 "$desc" "$MQTTPKI" --pki "$P" "$@"
    expect_out_contains_i "$text" "$desc: message contains '$text'"
    expect_error_prefix "$desc: stderr has 'mqttpki: error: ' prefix"
    assert_unchanged "$P" "$desc: nothing written"
}

bad_usage "--san 'exa mple.com'" "invalid --san 'exa mple.com'" server issue s1 --san "exa mple.com"
bad_usage "--san 300.1.1.1" "invalid --san '300.1.1.1'" server issue s1 --san 300.1.1.1
bad_usage "--san '' (empty)" "--san" server issue s1 --san ""
bad_usage "--san with a valid and an invalid value" "bad_name!" server issue s1 --san ok.example.com --san 'bad_name!'
bad_usage "--san DNS:-leading-hyphen.example.com" "-leading-hyphen" server issue s1 --san "DNS:-leading-hyphen.example.com"
bad_usage "--san IP:not-an-ip" "not-an-ip" server issue s1 --san "IP:not-an-ip"
bad_usage "--key rsa-1024" "rsa-1024" server issue s1 --san s1.example.com --key rsa-1024
bad_usage "--key ec-p521x" "ec-p521x" ca create ca2 --key ec-p521x --no-passphrase
bad_usage "--days 0" "--days" server issue s1 --san s1.example.com --days 0
bad_usage "--days abc" "--days" server issue s1 --san s1.example.com --days abc
bad_usage "--days -5" "--days" server issue s1 --san s1.example.com --days -5
bad_usage "--days 1.5" "--days" server issue s1 --san s1.example.com --days 1.5
bad_usage "unknown command" "frobnicate" frobnicate
bad_usage "unknown subcommand" "explode" server explode s1
bad_usage "unknown flag" "--bogus" server issue s1 --san s1.example.com --bogus
bad_usage "server issue without --san" "--san" server issue s1
bad_usage "server issue without NAME" "name" server issue
bad_usage "quickstart without --san" "--san" quickstart --no-passphrase --force
bad_usage "--san without a value" "--san" server issue s1 --san

# A value holding the bytes of a message reference (\x01a...\x02) is quoted as text: it does not become a flag
# in the message, nor the argument that --json names.
FORGED=$(printf 'x\001aforce\002')
expect_exit 2 "--json revoke --reason with a forged reference" "$MQTTPKI" --pki "$P" --json revoke mqtt-server-1 --reason "$FORGED"
check "forged reference: the JSON error names --reason as the argument" \
    bash -c 'python3 -c "import json,sys; sys.exit(0 if json.loads(sys.argv[1]).get(\"argument\") == \"--reason\" else 1)" "$1"' _ "$OUT_STDOUT"
check "forged reference: quoted escaped, not worded as --force" bash -c 'grep -qF "'"'"'x\\x01aforce\\x02'"'"'" <<<"$1" && ! grep -q -- "--force" <<<"$1"' _ "$OUT"
assert_unchanged "$P" "forged reference: nothing written"

expect_exit 2 "no command at all" "$MQTTPKI" --pki "$P"
assert_unchanged "$P" "no command: nothing written"

# usage errors on a fresh path do not even create the PKI directory
F=$T/fresh
snapshot "$F"
expect_exit 2 "quickstart --san 'exa mple.com' on a fresh path" "$MQTTPKI" --pki "$F" quickstart --san "exa mple.com" --no-passphrase
expect_out_contains "exa mple.com"
assert_unchanged "$F" "fresh path: PKI directory not created by a usage error"
expect_exit 2 "quickstart --key rsa-1024 on a fresh path" "$MQTTPKI" --pki "$F" quickstart --san a.example.com --key rsa-1024 --no-passphrase
assert_unchanged "$F" "fresh path: nothing created (--key rsa-1024)"

# --- missing root / CA ---------------------------------------------------------------------------------------
E=$T/empty
expect_exit 0 "setup: init an empty PKI" "$MQTTPKI" --pki "$E" init --org "Empty Org"
snapshot "$E"
expect_exit 3 "server issue with no server-ca" "$MQTTPKI" --pki "$E" server issue s1 --san s1.example.com
expect_out_contains "server-ca" "message names the missing server-ca"
expect_error_prefix
assert_unchanged "$E" "server issue without CA: nothing written"
expect_exit 3 "server issue --ca root-ca with no root" "$MQTTPKI" --pki "$E" server issue s1 --ca root-ca --san s1.example.com
expect_out_contains "root-ca" "message names the missing root-ca"
assert_unchanged "$E" "server issue without root: nothing written"
expect_exit 3 "ca create with no root" "$MQTTPKI" --pki "$E" ca create server-ca --no-passphrase
expect_out_contains "root-ca" "message names the missing root"
assert_unchanged "$E" "ca create without root: nothing written"
expect_exit 3 "server issue --ca no-such-ca" "$MQTTPKI" --pki "$P" server issue s1 --ca no-such-ca --san s1.example.com
expect_out_contains "no-such-ca" "message names the missing CA"
assert_unchanged "$P" "server issue with unknown CA: nothing written"
expect_exit 3 "csr sign with a missing CSR file" "$MQTTPKI" --pki "$P" csr sign "$T/nope.csr.pem" --profile server
expect_out_contains "nope.csr.pem" "message names the missing CSR"
assert_unchanged "$P" "csr sign missing file: nothing written"

# --- exists without --force ---------------------------------------------------------------------------------
N=$T/pki-nopass
expect_exit 0 "setup: root create --no-passphrase" "$MQTTPKI" --pki "$N" root create --no-passphrase
expect_exit 0 "setup: ca create server-ca" "$MQTTPKI" --pki "$N" ca create server-ca --no-passphrase
key_sum=$(sha256sum <"$N/server-ca/private/server-ca.key.pem")
snapshot "$N"
expect_exit 3 "ca create server-ca twice without --force" "$MQTTPKI" --pki "$N" ca create server-ca --no-passphrase
expect_out_contains_i "exists" "message says it exists"
expect_error_prefix
check "server-ca key byte-identical after the refusal" test "$(sha256sum <"$N/server-ca/private/server-ca.key.pem")" = "$key_sum"
assert_unchanged "$N" "ca create twice: nothing written"
expect_exit 3 "root create twice without --force" "$MQTTPKI" --pki "$N" root create --no-passphrase
expect_out_contains_i "exists" "message says it exists"
assert_unchanged "$N" "root create twice: nothing written"
expect_exit 3 "init twice without --force" "$MQTTPKI" --pki "$E" init --org "Other Org"
expect_out_contains_i "exists" "message says it exists"
check "init twice: mqttpki.json kept the first org" grep -qF "Empty Org" "$E/mqttpki.json"
expect_exit 0 "ca create server-ca --force replaces it" "$MQTTPKI" --pki "$N" ca create server-ca --no-passphrase --force
check "--force wrote a new key" test "$(sha256sum <"$N/server-ca/private/server-ca.key.pem")" != "$key_sum"
check "--force: new key is mode 0400" mode_is "$N/server-ca/private/server-ca.key.pem" 400

# --- I/O errors ---------------------------------------------------------------------------------------------
echo "i am a regular file" >"$T/afile"
snapshot "$T/afile"
expect_exit 3 "--pki under a regular file: init" "$MQTTPKI" --pki "$T/afile/pki" init --org X
expect_out_contains "afile" "message names the path"
expect_error_prefix
expect_exit 3 "--pki under a regular file: quickstart" "$MQTTPKI" --pki "$T/afile/pki" quickstart --san a.example.com --no-passphrase
expect_exit 3 "--pki under a regular file: root create" "$MQTTPKI" --pki "$T/afile/pki" root create --no-passphrase
assert_unchanged "$T/afile" "the regular file is untouched"
expect_exit 3 "--pki is a regular file: quickstart" "$MQTTPKI" --pki "$T/afile" quickstart --san a.example.com --no-passphrase
assert_unchanged "$T/afile" "the regular file is untouched (2)"

# --- verify / inspect on bad files ----------------------------------------------------------------------------
head -c 3000 /dev/urandom >"$T/garbage.bin"
printf -- '-----BEGIN CERTIFICATE-----\nnot base64 at all!!\n-----END CERTIFICATE-----\n' >"$T/garbage.pem"
expect_exit 3 "verify on a random binary file" "$MQTTPKI" --pki "$P" verify "$T/garbage.bin" --bundle "$P/ca-bundle.pem"
expect_error_prefix
expect_exit 3 "verify on a broken PEM file" "$MQTTPKI" --pki "$P" verify "$T/garbage.pem" --bundle "$P/ca-bundle.pem"
expect_exit 3 "verify with a garbage --bundle" "$MQTTPKI" --pki "$P" verify "$P/mqtt-server-1/mqtt-server-1.chain.pem" --bundle "$T/garbage.pem"
expect_exit 3 "verify on a missing file" "$MQTTPKI" --pki "$P" verify "$T/missing.pem" --bundle "$P/ca-bundle.pem"
expect_out_contains "missing.pem" "message names the missing file"
expect_exit 3 "inspect on a missing file" "$MQTTPKI" --pki "$P" inspect "$T/missing.pem"
expect_out_contains "missing.pem" "message names the missing file"
expect_error_prefix
expect_exit 3 "inspect on a garbage file" "$MQTTPKI" --pki "$P" inspect "$T/garbage.bin"
expect_exit 2 "verify without FILE" "$MQTTPKI" --pki "$P" verify
expect_exit 2 "verify --purpose bogus" "$MQTTPKI" --pki "$P" verify "$P/mqtt-server-1/mqtt-server-1.chain.pem" --purpose bogus
assert_unchanged "$P" "verify/inspect never write"

finish

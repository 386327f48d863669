#!/usr/bin/env bash
# quickstart: the tutorial end to end in one command, judged by openssl and certtool.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

P=$T/pki
expect_exit 0 "quickstart --san mqtt.example.com --san 10.0.0.5 --no-passphrase" \
    "$MQTTPKI" --pki "$P" quickstart --san mqtt.example.com --san 10.0.0.5 --no-passphrase
QS_STDOUT=$OUT_STDOUT

# --- layout (docs/cli.md) ------------------------------------------------------------------------------
ROOT=$P/root-ca/certs/root-ca.cert.pem
ROOTKEY=$P/root-ca/private/root-ca.key.pem
CA=$P/server-ca/certs/server-ca.cert.pem
CAKEY=$P/server-ca/private/server-ca.key.pem
CACSR=$P/server-ca/csr/server-ca.csr.pem
LEAF=$P/mqtt-server-1/certs/mqtt-server-1.cert.pem
LEAFKEY=$P/mqtt-server-1/private/mqtt-server-1.key.pem
LEAFCSR=$P/mqtt-server-1/csr/mqtt-server-1.csr.pem
CHAIN=$P/mqtt-server-1/mqtt-server-1.chain.pem
BUNDLE=$P/ca-bundle.pem
for f in "$ROOT" "$ROOTKEY" "$CA" "$CAKEY" "$CACSR" "$LEAF" "$LEAFKEY" "$LEAFCSR" "$CHAIN" "$BUNDLE"; do
    check "layout: ${f#"$P"/} exists" test -f "$f"
done
for k in "$ROOTKEY" "$CAKEY" "$LEAFKEY"; do
    check "${k#"$P"/} is mode 0400" mode_is "$k" 400
    check "${k#"$P"/} is unencrypted PKCS#8 (--no-passphrase)" first_line_is "$k" "-----BEGIN PRIVATE KEY-----"
done
check "no stray temp files left in the PKI dir" bash -c "cd '$P' && ! ls -aR | grep -Ei '\\.(tmp|part)\$|~\$'"
check "server-ca CSR verifies (openssl req -verify)" csr_sig_ok "$CACSR"
check "server CSR verifies (openssl req -verify)" csr_sig_ok "$LEAFCSR"
check "root key matches root cert" pubkeys_match "$ROOT" "$ROOTKEY"
check "server-ca key matches server-ca cert" pubkeys_match "$CA" "$CAKEY"
check "server key matches server cert" pubkeys_match "$LEAF" "$LEAFKEY"

# --- chain leaf first, bundle root only -----------------------------------------------------------------
check "chain has exactly 2 certificates" test "$(cert_count "$CHAIN")" = 2
n=$(split_pem "$CHAIN" "$T/chain-")
check "chain cert 1 is the server leaf" same_cert "$T/chain-1.pem" "$LEAF"
check "chain cert 2 is server-ca" same_cert "$T/chain-2.pem" "$CA"
check "bundle has exactly 1 certificate" test "$(cert_count "$BUNDLE")" = 1
check "bundle is the root certificate" same_cert "$BUNDLE" "$ROOT"
check "chain does not contain the root" not_in_pem "$ROOT" "$CHAIN"

# --- independent verification ---------------------------------------------------------------------------
check "openssl verify -x509_strict sslserver -verify_hostname mqtt.example.com" \
    ossl_verify "$BUNDLE" "$CHAIN" -verify_hostname mqtt.example.com
check "openssl verify -x509_strict sslserver -verify_ip 10.0.0.5" \
    ossl_verify "$BUNDLE" "$CHAIN" -verify_ip 10.0.0.5
check "tutorial 5.1: openssl verify -CAfile bundle -untrusted server-ca chain" \
    openssl verify -CAfile "$BUNDLE" -untrusted "$CA" "$CHAIN"
check "tutorial 6.2: openssl verify -CAfile bundle -untrusted server-ca leaf" \
    openssl verify -CAfile "$BUNDLE" -untrusted "$CA" "$LEAF"
check_fails "openssl refuses wrong hostname (wrong.example.com)" \
    ossl_verify "$BUNDLE" "$CHAIN" -verify_hostname wrong.example.com
check_fails "openssl refuses wrong IP (10.0.0.6)" ossl_verify "$BUNDLE" "$CHAIN" -verify_ip 10.0.0.6
check_fails "openssl refuses the leaf without the intermediate" \
    openssl verify -x509_strict -purpose sslserver -CAfile "$BUNDLE" "$LEAF"
check "certtool accepts chain for mqtt.example.com" certtool_verify "$BUNDLE" "$CHAIN" mqtt.example.com
check "certtool accepts chain for 10.0.0.5" certtool_verify "$BUNDLE" "$CHAIN" 10.0.0.5
check "certtool refuses wrong hostname" certtool_rejects "$BUNDLE" "$CHAIN" wrong.example.com
check "certtool --verify-purpose serverAuth" bash -c \
    "certtool --verify --load-ca-certificate '$BUNDLE' --infile '$CHAIN' --verify-purpose 1.3.6.1.5.5.7.3.1 2>&1 | grep -q 'Chain verification output: Verified'"

# --- profiles -------------------------------------------------------------------------------------------
check_root_profile "$ROOT" root
check_intermediate_profile "$CA" "$ROOT" server-ca
check_leaf_profile "$LEAF" "$CA" server ec server
check "server: CN = first SAN (mqtt.example.com)" test "$(subject_cn "$LEAF")" = mqtt.example.com
check "server: SAN exactly DNS:mqtt.example.com, IP:10.0.0.5" san_is "$LEAF" "DNS:mqtt.example.com" "IP Address:10.0.0.5"
check "root: EC P-256" test "$(curve_of "$ROOT")" = P-256
check "server-ca: EC P-256" test "$(curve_of "$CA")" = P-256
check "server: EC P-256 (default --key)" test "$(curve_of "$LEAF")" = P-256
for c in "$ROOT" "$CA" "$LEAF"; do
    check "${c##*/}: signature ecdsa-with-SHA256" test "$(sigalg_of "$c")" = ecdsa-with-SHA256
done
check "root: 3650 days" validity_days_is "$ROOT" 3650
check "server-ca: 1825 days" validity_days_is "$CA" 1825
check "server: 365 days" validity_days_is "$LEAF" 365
check "serials differ" test "$(openssl x509 -in "$ROOT" -noout -serial)" != "$(openssl x509 -in "$CA" -noout -serial)"

# --- the "what goes where" table ------------------------------------------------------------------------
OUT=$QS_STDOUT
expect_out_contains "mqtt-server-1.key.pem" "what-goes-where table mentions the server key"
expect_out_contains "mqtt-server-1.chain.pem" "what-goes-where table mentions the chain"
expect_out_contains "ca-bundle.pem" "what-goes-where table mentions ca-bundle.pem"

# --- a second quickstart refuses and changes nothing ------------------------------------------------------
snapshot "$P"
expect_exit 3 "quickstart again without --force refuses" \
    "$MQTTPKI" --pki "$P" quickstart --san mqtt.example.com --san 10.0.0.5 --no-passphrase
expect_error_prefix
expect_out_contains_i "exist" "refusal says something exists"
assert_unchanged "$P" "refused quickstart changed nothing"
old_root_fp=$(fingerprint "$ROOT")
expect_exit 0 "quickstart --force replaces the PKI" \
    "$MQTTPKI" --pki "$P" quickstart --san mqtt.example.com --san 10.0.0.5 --no-passphrase --force
check "--force made a new root" test "$(fingerprint "$ROOT")" != "$old_root_fp"
check "after --force: openssl verify still OK" ossl_verify "$BUNDLE" "$CHAIN" -verify_hostname mqtt.example.com

# --- --server NAME and --key -----------------------------------------------------------------------------
P3=$T/pki-named
expect_exit 0 "quickstart --server broker-a --key rsa-2048" \
    "$MQTTPKI" --pki "$P3" quickstart --san broker-a.example.com --server broker-a --key rsa-2048 --no-passphrase
check "named server chain exists" test -f "$P3/broker-a/broker-a.chain.pem"
check "named server is RSA 2048" test "$(pubkey_bits "$P3/broker-a/certs/broker-a.cert.pem")" = 2048
check "root stays EC P-256 with --key" test "$(curve_of "$P3/root-ca/certs/root-ca.cert.pem")" = P-256
check_leaf_profile "$P3/broker-a/certs/broker-a.cert.pem" "$P3/server-ca/certs/server-ca.cert.pem" server rsa "rsa server"
check "rsa server verifies with openssl" ossl_verify "$P3/ca-bundle.pem" "$P3/broker-a/broker-a.chain.pem" -verify_hostname broker-a.example.com

# --- --org/--country/--ou -----------------------------------------------------------------------------------
P4=$T/pki-subject
expect_exit 0 "quickstart --org ACME --country US --ou Ops" \
    "$MQTTPKI" --pki "$P4" quickstart --san acme.example.com --org ACME --country US --ou Ops --no-passphrase
for rdn in "O=ACME" "C=US" "OU=Ops"; do
    check "quickstart root subject has $rdn" subject_has "$P4/root-ca/certs/root-ca.cert.pem" "$rdn"
done
check "quickstart root CN defaults to '<org> Root CA'" test "$(subject_cn "$P4/root-ca/certs/root-ca.cert.pem")" = "ACME Root CA"
check "quickstart server subject has O=ACME" subject_has "$P4/mqtt-server-1/certs/mqtt-server-1.cert.pem" "O=ACME"

# --- PKI directory: $MQTTPKI_DIR, else ./pki ---------------------------------------------------------------
mkdir -p "$T/envdir" "$T/cwd"
expect_exit 0 "quickstart with MQTTPKI_DIR and no --pki" \
    env MQTTPKI_DIR="$T/envdir/pki" "$MQTTPKI" quickstart --san env.example.com --no-passphrase
check "MQTTPKI_DIR honoured" test -f "$T/envdir/pki/mqtt-server-1/mqtt-server-1.chain.pem"
expect_exit 0 "quickstart with neither --pki nor MQTTPKI_DIR" \
    bash -c 'cd "$1" && exec "$2" quickstart --san cwd.example.com --no-passphrase' _ "$T/cwd" "$MQTTPKI"
check "default PKI directory is ./pki" test -f "$T/cwd/pki/mqtt-server-1/mqtt-server-1.chain.pem"
check "./pki chain verifies" ossl_verify "$T/cwd/pki/ca-bundle.pem" "$T/cwd/pki/mqtt-server-1/mqtt-server-1.chain.pem" -verify_hostname cwd.example.com

# --- --json -----------------------------------------------------------------------------------------------
P2=$T/pki-json
expect_exit 0 "--json quickstart" "$MQTTPKI" --pki "$P2" --json quickstart --san mqtt.example.com --no-passphrase
check "--json quickstart prints valid JSON on stdout" is_json "$OUT_STDOUT"
check "--json quickstart still verifies with openssl" \
    ossl_verify "$P2/ca-bundle.pem" "$P2/mqtt-server-1/mqtt-server-1.chain.pem" -verify_hostname mqtt.example.com

finish

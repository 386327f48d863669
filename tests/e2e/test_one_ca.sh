#!/usr/bin/env bash
# The second document's variant (seeds/004): one RSA CA signs the broker certificate directly, broker addressed
# by IP (the CN is the IP, and the IP is also in the SANs).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

P=$T/pki
PP=$T/pass.txt
mk_passfile "$PP" "one-ca-passphrase"

expect_exit 0 "root create --key rsa-2048" "$MQTTPKI" --pki "$P" root create --key rsa-2048 --cn "THIS_COMPANY CA" \
    --org "THIS_COMPANY INC" --country US --passphrase-file "$PP"
ROOT=$P/root-ca/certs/root-ca.cert.pem
check "root: RSA 2048" test "$(pubkey_bits "$ROOT")" = 2048
check "root: sha256WithRSAEncryption" test "$(sigalg_of "$ROOT")" = sha256WithRSAEncryption
for rdn in "CN=THIS_COMPANY CA" "O=THIS_COMPANY INC" "C=US"; do
    check "root: subject has $rdn (--cn/--org/--country)" subject_has "$ROOT" "$rdn"
done
check_root_profile "$ROOT" root

expect_exit 0 "server issue broker --ca root-ca --san 192.168.1.10 --key rsa-2048" \
    "$MQTTPKI" --pki "$P" server issue broker --ca root-ca --san 192.168.1.10 --key rsa-2048 --passphrase-file "$PP"
expect_stderr_contains "warning: " "a warning on stderr"
expect_stderr_contains_i "intermediate" "the warning mentions the intermediate"
expect_out_not_contains "one-ca-passphrase" "passphrase not printed"

C=$P/broker/certs/broker.cert.pem
CHAIN=$P/broker/broker.chain.pem
check "broker: CN = 192.168.1.10" test "$(subject_cn "$C")" = 192.168.1.10
check "broker: SAN exactly IP Address:192.168.1.10" san_is "$C" "IP Address:192.168.1.10"
check "broker: issued by the root" test "$(issuer_of "$C")" = "$(subject_of "$ROOT")"
check_leaf_profile "$C" "$ROOT" server rsa broker
check "broker: sha256WithRSAEncryption" test "$(sigalg_of "$C")" = sha256WithRSAEncryption
check "broker: chain is the leaf alone (never the root)" test "$(cert_count "$CHAIN")" = 1
check "broker: chain does not contain the root" not_in_pem "$ROOT" "$CHAIN"
check "broker: chain cert is the leaf" same_cert "$CHAIN" "$C"

expect_exit 0 "bundle --force" "$MQTTPKI" --pki "$P" bundle --force
BUNDLE=$P/ca-bundle.pem
check "bundle = the root" same_cert "$BUNDLE" "$ROOT"
check "bundle has 1 cert" test "$(cert_count "$BUNDLE")" = 1
check "openssl verify -x509_strict -purpose sslserver -verify_ip 192.168.1.10" \
    ossl_verify "$BUNDLE" "$CHAIN" -verify_ip 192.168.1.10
check "openssl verify of the bare cert (the document's check)" \
    openssl verify -x509_strict -purpose sslserver -CAfile "$BUNDLE" -verify_ip 192.168.1.10 "$C"
check_fails "openssl refuses 192.168.1.11" ossl_verify "$BUNDLE" "$CHAIN" -verify_ip 192.168.1.11
check "certtool accepts 192.168.1.10" certtool_verify "$BUNDLE" "$CHAIN" 192.168.1.10
check "certtool refuses 192.168.1.11" certtool_rejects "$BUNDLE" "$CHAIN" 192.168.1.11

expect_exit 0 "mqttpki verify --host 192.168.1.10" "$MQTTPKI" --pki "$P" verify "$CHAIN" --bundle "$BUNDLE" --host 192.168.1.10
expect_stdout_contains "OK" "verify prints OK"

finish

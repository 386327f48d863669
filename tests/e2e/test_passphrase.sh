#!/usr/bin/env bash
# Passphrases: encrypted PKCS#8 readable by openssl, wrong/missing passphrase refused with exit 3 and nothing
# written, $MQTTPKI_PASSPHRASE, --no-passphrase, and the passphrase never printed or stored.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SECRET='s3cret-Pa55phrase-e2e'
PP=$T/pass.txt
printf '%s\nsecond line is ignored\n' "$SECRET" >"$PP"; chmod 600 "$PP"
WRONG=$T/wrong.txt
mk_passfile "$WRONG" "not-the-passphrase"

P=$T/pki
expect_exit 0 "root create --passphrase-file (first line is the passphrase)" \
    "$MQTTPKI" --pki "$P" root create --passphrase-file "$PP"
RK=$P/root-ca/private/root-ca.key.pem
check "root key: BEGIN ENCRYPTED PRIVATE KEY (PKCS#8)" first_line_is "$RK" "-----BEGIN ENCRYPTED PRIVATE KEY-----"
check "root key: mode 0400" mode_is "$RK" 400
check "root key: AES-256 (openssl asn1parse)" bash -c "openssl asn1parse -in '$RK' | grep -qi 'aes-256'"
check "root key: PBES2 with scrypt or PBKDF2" bash -c "openssl asn1parse -in '$RK' | grep -qiE 'scrypt|PBKDF2'"
check "openssl pkey -passin file: reads it" openssl pkey -in "$RK" -passin "file:$PP" -noout
check "openssl pkey -passin pass:<first line> reads it" openssl pkey -in "$RK" -passin "pass:$SECRET" -noout
check_fails "openssl pkey without a passphrase fails (no tty)" openssl pkey -in "$RK" -noout
check_fails "openssl pkey with an empty passphrase fails" openssl pkey -in "$RK" -passin pass: -noout
check_fails "openssl pkey with a wrong passphrase fails" openssl pkey -in "$RK" -passin "file:$WRONG" -noout
check "root key matches root cert" pubkeys_match "$P/root-ca/certs/root-ca.cert.pem" "$RK" "file:$PP"

# --- wrong passphrase: exit 3, says so, writes nothing --------------------------------------------------------
snapshot "$P"
expect_exit 3 "ca create server-ca with a wrong passphrase" \
    "$MQTTPKI" --pki "$P" ca create server-ca --passphrase-file "$WRONG"
expect_out_contains_i "passphrase" "message mentions the passphrase"
expect_error_prefix
assert_unchanged "$P" "wrong passphrase: nothing written"

# --- no passphrase source and no terminal: exit 3 and how to give one --------------------------------------------
expect_exit 3 "ca create server-ca with no passphrase source and no tty" \
    env -u MQTTPKI_PASSPHRASE setsid -w "$MQTTPKI" --pki "$P" ca create server-ca
expect_out_contains "--passphrase-file" "message says how to give one (--passphrase-file)"
assert_unchanged "$P" "no passphrase (ca create): nothing written"

P2=$T/pki2
snapshot "$P2"
expect_exit 3 "root create with no passphrase source and no tty" \
    env -u MQTTPKI_PASSPHRASE setsid -w "$MQTTPKI" --pki "$P2" root create
expect_out_contains "--passphrase-file" "message says how to give one (--passphrase-file)"
check "no passphrase (root create): no root key written" test ! -e "$P2/root-ca/private/root-ca.key.pem"
check "no passphrase (root create): no root cert written" test ! -e "$P2/root-ca/certs/root-ca.cert.pem"

# --- $MQTTPKI_PASSPHRASE ----------------------------------------------------------------------------------------
expect_exit 0 "ca create server-ca with MQTTPKI_PASSPHRASE" \
    env MQTTPKI_PASSPHRASE="$SECRET" "$MQTTPKI" --pki "$P" ca create server-ca
CK=$P/server-ca/private/server-ca.key.pem
check "server-ca key encrypted" first_line_is "$CK" "-----BEGIN ENCRYPTED PRIVATE KEY-----"
check "server-ca key opens with the env passphrase" env PW="$SECRET" openssl pkey -in "$CK" -passin env:PW -noout
check_fails "server-ca key does not open without it" openssl pkey -in "$CK" -passin pass: -noout
expect_exit 0 "server issue with MQTTPKI_PASSPHRASE (unlocks server-ca)" \
    env MQTTPKI_PASSPHRASE="$SECRET" "$MQTTPKI" --pki "$P" server issue s1 --san s1.example.com
check "server key unencrypted by default" first_line_is "$P/s1/private/s1.key.pem" "-----BEGIN PRIVATE KEY-----"
expect_exit 0 "bundle" "$MQTTPKI" --pki "$P" bundle --force
check "chain verifies with openssl" ossl_verify "$P/ca-bundle.pem" "$P/s1/s1.chain.pem" -verify_hostname s1.example.com
snapshot "$P"
expect_exit 3 "server issue with a wrong MQTTPKI_PASSPHRASE" \
    env MQTTPKI_PASSPHRASE="wrong-env-pass" "$MQTTPKI" --pki "$P" server issue s2 --san s2.example.com
expect_out_contains_i "passphrase" "message mentions the passphrase"
assert_unchanged "$P" "wrong env passphrase: nothing written"
expect_exit 3 "server issue with no passphrase source, encrypted server-ca, no tty" \
    env -u MQTTPKI_PASSPHRASE setsid -w "$MQTTPKI" --pki "$P" server issue s2 --san s2.example.com
expect_out_contains "--passphrase-file" "message says how to give one"
assert_unchanged "$P" "no passphrase (server issue): nothing written"
expect_exit 0 "--passphrase-file wins over MQTTPKI_PASSPHRASE" \
    env MQTTPKI_PASSPHRASE="wrong-env-pass" "$MQTTPKI" --pki "$P" server issue s3 --san s3.example.com --passphrase-file "$PP"

# --- --encrypt-key on a server key ------------------------------------------------------------------------------
expect_exit 0 "server issue --encrypt-key" \
    "$MQTTPKI" --pki "$P" server issue s4 --san s4.example.com --encrypt-key --passphrase-file "$PP" --key-passphrase-file "$PP"
check "s4 key encrypted" first_line_is "$P/s4/private/s4.key.pem" "-----BEGIN ENCRYPTED PRIVATE KEY-----"
check "s4 key opens with the passphrase" openssl pkey -in "$P/s4/private/s4.key.pem" -passin "file:$PP" -noout

# --- --no-passphrase ------------------------------------------------------------------------------------------
P3=$T/pki3
expect_exit 0 "root create --no-passphrase" "$MQTTPKI" --pki "$P3" root create --no-passphrase
check "root key: BEGIN PRIVATE KEY" first_line_is "$P3/root-ca/private/root-ca.key.pem" "-----BEGIN PRIVATE KEY-----"
check "root key readable without a passphrase" openssl pkey -in "$P3/root-ca/private/root-ca.key.pem" -noout
check "root key mode 0400" mode_is "$P3/root-ca/private/root-ca.key.pem" 400
expect_exit 0 "ca create --no-passphrase (unencrypted root needs none)" \
    "$MQTTPKI" --pki "$P3" ca create server-ca --no-passphrase
check "server-ca key: BEGIN PRIVATE KEY" first_line_is "$P3/server-ca/private/server-ca.key.pem" "-----BEGIN PRIVATE KEY-----"
expect_exit 0 "server issue needs no passphrase with unencrypted CA keys" \
    env -u MQTTPKI_PASSPHRASE setsid -w "$MQTTPKI" --pki "$P3" server issue s1 --san s1.example.com
expect_exit 2 "--passphrase-file and --no-passphrase together" \
    "$MQTTPKI" --pki "$T/pki4" root create --passphrase-file "$PP" --no-passphrase
check "conflicting flags wrote nothing" test ! -e "$T/pki4/root-ca"
expect_exit 3 "--passphrase-file pointing to a missing file" \
    "$MQTTPKI" --pki "$T/pki5" root create --passphrase-file "$T/no-such-file"
expect_out_contains "no-such-file" "message names the missing passphrase file"
check "missing passphrase file wrote nothing" test ! -e "$T/pki5/root-ca"
expect_exit 2 "no passphrase on argv: --passphrase is not an option" \
    "$MQTTPKI" --pki "$T/pki6" root create --passphrase "argv-not-the-secret"

# --- quickstart with a passphrase file: both CA keys encrypted -------------------------------------------------
P7=$T/pki7
expect_exit 0 "quickstart --passphrase-file" "$MQTTPKI" --pki "$P7" quickstart --san q.example.com --passphrase-file "$PP"
check "quickstart: root key encrypted" first_line_is "$P7/root-ca/private/root-ca.key.pem" "-----BEGIN ENCRYPTED PRIVATE KEY-----"
check "quickstart: server-ca key encrypted" first_line_is "$P7/server-ca/private/server-ca.key.pem" "-----BEGIN ENCRYPTED PRIVATE KEY-----"
check "quickstart: server key unencrypted" first_line_is "$P7/mqtt-server-1/private/mqtt-server-1.key.pem" "-----BEGIN PRIVATE KEY-----"
check "quickstart: root key opens with the passphrase" openssl pkey -in "$P7/root-ca/private/root-ca.key.pem" -passin "file:$PP" -noout

# --- a terminal: the passphrase is asked for twice, without echo (script(1) provides the pseudo-terminal) --------
if command -v script >/dev/null; then
    P8=$T/pki8
    check "root create prompts on a terminal and encrypts with the typed passphrase" bash -c '
        { sleep 0.5; printf "%s\n" "$1"; sleep 0.3; printf "%s\n" "$1"; } |
            script -qec "\"$2\" --pki \"$3\" root create" /dev/null > "$4" 2>&1' _ "$SECRET" "$MQTTPKI" "$P8" "$T/tty.out"
    check "the prompt named the key file" grep -qF "Passphrase for $P8/root-ca/private/root-ca.key.pem" "$T/tty.out"
    check "the typed passphrase was not echoed" bash -c '! grep -qF -- "$1" "$2"' _ "$SECRET" "$T/tty.out"
    check "openssl opens the prompted key with that passphrase" \
        openssl pkey -in "$P8/root-ca/private/root-ca.key.pem" -passin "file:$PP" -noout
    check "mismatched repeat is refused" bash -c '
        { sleep 0.5; printf "first-passphrase\n"; sleep 0.3; printf "second-passphrase\n"; } |
            script -qec "\"$1\" --pki \"$2\" root create" /dev/null > "$3" 2>&1; [ $? -eq 3 ]' _ "$MQTTPKI" "$T/pki9" "$T/tty2.out"
    check "mismatch message" grep -qF "the passphrases do not match" "$T/tty2.out"
    check "mismatch wrote nothing" test ! -e "$T/pki9/root-ca"
fi

# --- the passphrase is never printed nor stored in clear -------------------------------------------------------
expect_exit 0 "inspect the encrypted root key with --passphrase-file" \
    "$MQTTPKI" --pki "$P" inspect "$RK" --passphrase-file "$PP"
expect_exit 0 "--json inspect the encrypted root key" \
    "$MQTTPKI" --pki "$P" --json inspect "$RK" --passphrase-file "$PP"
check "the passphrase never appears in any mqttpki output" bash -c '! grep -qF -- "$1" <<<"$2"' _ "$SECRET" "$(all_output)"
check "the passphrase is not stored in clear in any PKI file" bash -c \
    '! grep -rqF -- "$1" "$2" "$3" "$4"' _ "$SECRET" "$P" "$P3" "$P7"

finish

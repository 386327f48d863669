#!/usr/bin/env bash
# export device: the devices' trust bundle as PEM, DER and a C header, judged by openssl, cc and mbedTLS
# (mbedtls_x509_crt_parse of the header, mbedtls_x509_crt_verify of the broker's chain).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v cc >/dev/null 2>&1 || { echo "Bail out! required tool missing: cc"; echo "0 passed, 1 failed"; exit 1; }
[ -f /usr/include/mbedtls/x509_crt.h ] || { echo "Bail out! mbedTLS headers missing (libmbedtls-dev)"; echo "0 passed, 1 failed"; exit 1; }

# --- helpers ---------------------------------------------------------------------------------------------
# dump.c: writes the header's string (without its NUL) to stdout; exits 1 unless _len = strlen + 1 and the last
# byte is NUL
cat >"$T/dump.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include "ca_bundle.h"
int main(void) {
    if (mqttpki_ca_bundle_pem_len != strlen(mqttpki_ca_bundle_pem) + 1) {
        fprintf(stderr, "len %zu, strlen %zu\n", mqttpki_ca_bundle_pem_len, strlen(mqttpki_ca_bundle_pem));
        return 1;
    }
    if (mqttpki_ca_bundle_pem[mqttpki_ca_bundle_pem_len - 1] != '\0') { fprintf(stderr, "no NUL at len-1\n"); return 1; }
    fwrite(mqttpki_ca_bundle_pem, 1, mqttpki_ca_bundle_pem_len - 1, stdout);
    return 0;
}
EOF
# verify.c [CHAIN HOST]: parses the header with mbedtls_x509_crt_parse (exit 2 if that fails), prints the number
# of CA certificates; with CHAIN and HOST, verifies CHAIN (leaf first) against it: exit 0 verified, 1 not
cat >"$T/verify.c" <<'EOF'
#include <stdio.h>
#include <stdint.h>
#include "mbedtls/x509_crt.h"
#include "ca_bundle.h"
int main(int argc, char **argv) {
    mbedtls_x509_crt ca, chain;
    const mbedtls_x509_crt *c;
    uint32_t flags = 0;
    int rc, n = 0;
    mbedtls_x509_crt_init(&ca);
    mbedtls_x509_crt_init(&chain);
    rc = mbedtls_x509_crt_parse(&ca, (const unsigned char *)mqttpki_ca_bundle_pem, mqttpki_ca_bundle_pem_len);
    if (rc != 0) { printf("mbedtls_x509_crt_parse: %d (-0x%04x)\n", rc, (unsigned)-rc); return 2; }
    for (c = &ca; c != NULL && c->raw.len > 0; c = c->next) n++;
    printf("ca certificates: %d\n", n);
    if (argc < 3) return 0;
    rc = mbedtls_x509_crt_parse_file(&chain, argv[1]);
    if (rc != 0) { printf("mbedtls_x509_crt_parse_file: -0x%04x\n", (unsigned)-rc); return 2; }
    rc = mbedtls_x509_crt_verify(&chain, &ca, NULL, argv[2], &flags, NULL, NULL);
    printf("verify %s: rc -0x%04x flags 0x%08x%s%s\n", argv[2], (unsigned)-rc, (unsigned)flags,
           (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH) ? " CN_MISMATCH" : "",
           (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) ? " NOT_TRUSTED" : "");
    mbedtls_x509_crt_free(&chain);
    mbedtls_x509_crt_free(&ca);
    return rc == 0 ? 0 : 1;
}
EOF
# build PROG HEADER_DIR OUT: compile with warnings as errors
build() { cc -std=c99 -Wall -Wextra -Werror -o "$3" "$T/$1.c" -I"$2" -lmbedtls -lmbedx509 -lmbedcrypto 2>&1; }
# run_expect CODE PATTERN CMD...: CMD exits CODE and its output matches PATTERN (extended regex)
run_expect() {
    local code=$1 pat=$2 out rc; shift 2
    out=$("$@" 2>&1); rc=$?
    [ "$rc" -eq "$code" ] && grep -qE -- "$pat" <<<"$out" && return 0
    echo "exit $rc (expected $code), output:"; echo "$out"; return 1
}
files_are() { # DIR NAME...: DIR holds exactly these files
    local d=$1; shift
    local want got
    want=$(printf '%s\n' "$@" | sort); got=$(ls -A "$d" 2>/dev/null | sort)
    [ "$want" = "$got" ] && return 0
    echo "files: [$(paste -sd' ' <<<"$got")], expected [$(paste -sd' ' <<<"$want")]"; return 1
}
der_is_pem() { # DER PEM: same certificate, byte for byte
    openssl x509 -in "$2" -outform der 2>/dev/null | cmp -s - "$1" && return 0
    echo "$1 is not the DER of $2"; return 1
}
der_fingerprint() { openssl x509 -inform der -in "$1" -noout -fingerprint -sha256 2>/dev/null | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f'; }

# --- PKI, export -----------------------------------------------------------------------------------------
P=$T/pki
expect_exit 0 "quickstart" "$MQTTPKI" --pki "$P" quickstart --san mqtt.example.com --san 10.0.0.5 --no-passphrase
CHAIN=$P/mqtt-server-1/mqtt-server-1.chain.pem
E=$T/dev
expect_exit 0 "export device --out dev" "$MQTTPKI" --pki "$P" export device --out "$E"
check "default formats: ca-bundle.pem, ca-bundle.der, ca_bundle.h" files_are "$E" ca-bundle.pem ca-bundle.der ca_bundle.h
check "ca-bundle.pem is the PKI's bundle" cmp "$E/ca-bundle.pem" "$P/ca-bundle.pem"
check "ca-bundle.der parses with openssl x509 -inform der" openssl x509 -inform der -in "$E/ca-bundle.der" -noout
check "ca-bundle.der has the PEM's SHA-256 fingerprint" test "$(der_fingerprint "$E/ca-bundle.der")" = "$(fingerprint "$E/ca-bundle.pem")"
check "ca-bundle.der is the PEM's DER byte for byte" der_is_pem "$E/ca-bundle.der" "$E/ca-bundle.pem"
for f in ca-bundle.pem ca-bundle.der ca_bundle.h; do check "$f not writable by group/others" \
    bash -c "(( (8#\$(stat -c %a '$E/$f') & 8#022) == 0 ))"; done
check "ca_bundle.h declares 'static const char mqttpki_ca_bundle_pem[]'" \
    grep -qF "static const char mqttpki_ca_bundle_pem[]" "$E/ca_bundle.h"
check "ca_bundle.h: mqttpki_ca_bundle_pem_len = sizeof(mqttpki_ca_bundle_pem)" \
    grep -qE "static const size_t mqttpki_ca_bundle_pem_len = sizeof\(mqttpki_ca_bundle_pem\);" "$E/ca_bundle.h"

# --- the header in C --------------------------------------------------------------------------------------
check "dump.c compiles with ca_bundle.h (-Wall -Wextra -Werror)" build dump "$E" "$T/dump"
check "the header's string is ca-bundle.pem; _len = strlen + 1 (the NUL)" bash -c "'$T/dump' | cmp - '$E/ca-bundle.pem'"
check "header included twice in one unit compiles (include guard)" bash -c \
    "printf '#include \"ca_bundle.h\"\n#include \"ca_bundle.h\"\nint main(void){return (int)mqttpki_ca_bundle_pem_len == 0;}\n' >'$T/twice.c' && cc -std=c99 -Wall -Werror -I'$E' -o '$T/twice' '$T/twice.c'"
check "verify.c compiles against mbedTLS with ca_bundle.h" build verify "$E" "$T/verify"
check "mbedtls_x509_crt_parse(header, _len) parses 1 certificate" run_expect 0 '^ca certificates: 1$' "$T/verify"
check "mbedtls_x509_crt_verify: the server chain verifies for mqtt.example.com" \
    run_expect 0 'flags 0x00000000' "$T/verify" "$CHAIN" mqtt.example.com
check "mbedtls_x509_crt_verify: wrong.example.com fails with CN_MISMATCH (and is otherwise trusted)" \
    run_expect 1 'CN_MISMATCH$' "$T/verify" "$CHAIN" wrong.example.com
check "mbedtls: the leaf alone (no intermediate) is not trusted" \
    run_expect 1 'NOT_TRUSTED' "$T/verify" "$P/mqtt-server-1/certs/mqtt-server-1.cert.pem" mqtt.example.com

# another PKI's bundle does not trust this broker
OTHER=$T/other
expect_exit 0 "a second, unrelated PKI" "$MQTTPKI" --pki "$OTHER" quickstart --san mqtt.example.com --no-passphrase
expect_exit 0 "export device of the other PKI (--format c-header)" \
    "$MQTTPKI" --pki "$OTHER" export device --out "$T/dev-other" --format c-header
check "--format c-header writes only ca_bundle.h" files_are "$T/dev-other" ca_bundle.h
check "verify.c compiles with the other PKI's header" build verify "$T/dev-other" "$T/verify-other"
check "mbedtls: the other PKI's bundle does not trust this broker (NOT_TRUSTED)" \
    run_expect 1 'NOT_TRUSTED' "$T/verify-other" "$CHAIN" mqtt.example.com
check "mbedtls: the other PKI's bundle trusts its own broker" \
    run_expect 0 'flags 0x00000000' "$T/verify-other" "$OTHER/mqtt-server-1/mqtt-server-1.chain.pem" mqtt.example.com

# --- formats ----------------------------------------------------------------------------------------------
expect_exit 0 "export device --format der" "$MQTTPKI" --pki "$P" export device --out "$T/only-der" --format der
check "--format der writes only ca-bundle.der" files_are "$T/only-der" ca-bundle.der
check "--format der: the same DER" cmp "$T/only-der/ca-bundle.der" "$E/ca-bundle.der"
expect_exit 0 "export device --format pem --format c-header" \
    "$MQTTPKI" --pki "$P" export device --out "$T/pem-h" --format pem --format c-header
check "--format pem --format c-header writes those two" files_are "$T/pem-h" ca-bundle.pem ca_bundle.h
expect_exit 2 "--format p12 is refused" "$MQTTPKI" --pki "$P" export device --out "$T/bad-format" --format p12
check "--format p12: nothing written" test ! -e "$T/bad-format"

# --- a bundle of two certificates (bundle --with-intermediate) -----------------------------------------------
P2=$T/pki2
expect_exit 0 "quickstart (second PKI for a 2-certificate bundle)" \
    "$MQTTPKI" --pki "$P2" quickstart --san mqtt.example.com --no-passphrase
expect_exit 0 "bundle --with-intermediate --force" "$MQTTPKI" --pki "$P2" bundle --with-intermediate --force
check "the bundle now holds 2 certificates" test "$(cert_count "$P2/ca-bundle.pem")" = 2
E2=$T/dev2
expect_exit 0 "export device of a 2-certificate bundle" "$MQTTPKI" --pki "$P2" export device --out "$E2"
check "2 certificates: ca-bundle-1.der and ca-bundle-2.der (docs/cli.md)" \
    files_are "$E2" ca-bundle.pem ca-bundle-1.der ca-bundle-2.der ca_bundle.h
n=$(split_pem "$P2/ca-bundle.pem" "$T/b2-")
for ((i = 1; i <= n; i++)); do
    check "ca-bundle-$i.der is certificate $i of the bundle" der_is_pem "$E2/ca-bundle-$i.der" "$T/b2-$i.pem"
done
check "verify.c compiles with the 2-certificate header" build verify "$E2" "$T/verify2"
check "mbedtls_x509_crt_parse(header) parses 2 certificates" run_expect 0 '^ca certificates: 2$' "$T/verify2"
check "mbedtls: the chain verifies against the 2-certificate bundle" \
    run_expect 0 'flags 0x00000000' "$T/verify2" "$P2/mqtt-server-1/mqtt-server-1.chain.pem" mqtt.example.com

# --- --bundle, existing files, missing bundle ------------------------------------------------------------------
expect_exit 0 "export device --bundle <other PKI's bundle>" \
    "$MQTTPKI" --pki "$P" export device --out "$T/dev-b" --bundle "$OTHER/ca-bundle.pem" --format pem --format der
check "--bundle: that bundle is exported" cmp "$T/dev-b/ca-bundle.pem" "$OTHER/ca-bundle.pem"
check "--bundle: its DER" der_is_pem "$T/dev-b/ca-bundle.der" "$OTHER/ca-bundle.pem"

snapshot "$E"
expect_exit 3 "export again without --force" "$MQTTPKI" --pki "$P" export device --out "$E"
expect_error_prefix
assert_unchanged "$E" "refused export changed nothing"
expect_exit 0 "export --force --bundle <other> over existing files" \
    "$MQTTPKI" --pki "$P" export device --out "$E" --force --bundle "$OTHER/ca-bundle.pem"
check "--force: ca-bundle.pem replaced" cmp "$E/ca-bundle.pem" "$OTHER/ca-bundle.pem"
check "--force: ca-bundle.der replaced" der_is_pem "$E/ca-bundle.der" "$OTHER/ca-bundle.pem"
check "--force: ca_bundle.h replaced (dump = new bundle)" bash -c \
    "cc -std=c99 -Wall -Werror -I'$E' -o '$T/dump3' '$T/dump.c' && '$T/dump3' | cmp - '$OTHER/ca-bundle.pem'"

expect_exit 3 "no PKI: export device" "$MQTTPKI" --pki "$T/no-such-pki" export device --out "$T/dev-none"
expect_error_prefix
expect_out_contains "ca-bundle.pem" "missing bundle: the message names ca-bundle.pem"
check "missing bundle: nothing written" test ! -e "$T/dev-none"
expect_exit 3 "--bundle of a file that does not exist" \
    "$MQTTPKI" --pki "$P" export device --out "$T/dev-none2" --bundle "$T/nope.pem"
check "missing --bundle: nothing written" test ! -e "$T/dev-none2"
printf 'not a certificate\n' >"$T/junk.pem"
expect_exit 3 "--bundle of a file without certificates" \
    "$MQTTPKI" --pki "$P" export device --out "$T/dev-junk" --bundle "$T/junk.pem"
check "junk --bundle: nothing written" test ! -e "$T/dev-junk"

finish

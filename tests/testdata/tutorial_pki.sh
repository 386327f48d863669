#!/usr/bin/env bash
# The tutorial's PKI (../shared/seeds/000_b902755c3b2ede71.txt, sections 2-6) built with its own openssl commands,
# verbatim but for the paths. Sourced by bench/quickstart_vs_openssl.sh (the timing baseline) and run by the
# import test (a hand-built PKI to adopt).
#   source tests/testdata/tutorial_pki.sh; (cd DIR && tutorial_sequence)
#   bash tests/testdata/tutorial_pki.sh DIR

tutorial_sequence() {
    mkdir -p root-ca/private root-ca/certs \
        server-ca/private server-ca/certs server-ca/csr \
        mqtt-server-1/private mqtt-server-1/certs mqtt-server-1/csr || return 1

    cat >root-ca/signcsr.conf <<'EOF'
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
EOF
    cat >mqtt-server-1/mqtt-server.csr.conf <<'EOF'
[ req ]
prompt = no
default_md = sha256
distinguished_name = dn
req_extensions = req_ext
[ dn ]
C = DE
O = my IoT Cloud Organization
CN = my-iot-cloud.com
[ req_ext ]
subjectAltName = @alt_names
[ alt_names ]
DNS.1 = my-iot-cloud.com
DNS.2 = mqtt.my-iot-cloud.com
DNS.3 = my-iot-cloud.net
DNS.4 = mqtt.my-iot-cloud.com
EOF
    cat >server-ca/signcsr.conf <<'EOF'
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = @alt_names
[ alt_names ]
DNS.1 = my-iot-cloud.com
DNS.2 = mqtt.my-iot-cloud.com
DNS.3 = my-iot-cloud.net
DNS.4 = mqtt.my-iot-cloud.com
EOF

    # 2.1 / 2.2 Root CA
    openssl ecparam -out root-ca/private/root-ca.key.pem -name secp256r1 -genkey || return 1
    chmod 400 root-ca/private/root-ca.key.pem
    openssl req -x509 -new -nodes \
        -key root-ca/private/root-ca.key.pem \
        -sha256 -days 3650 \
        -out root-ca/certs/root-ca.cert.pem \
        -subj "/C=DE/O=My IoT Cloud/OU=PKI/CN=My IoT Cloud Root CA" || return 1
    # 3.1 - 3.3 Intermediate CA
    openssl ecparam -out server-ca/private/server-ca.key.pem -name secp256r1 -genkey || return 1
    chmod 400 server-ca/private/server-ca.key.pem
    openssl req -new \
        -key server-ca/private/server-ca.key.pem \
        -out server-ca/csr/server-ca.csr.pem \
        -subj "/C=DE/O=IoT Cloud Server/OU=PKI/CN=IoT Cloud (MQTT) Server CA" || return 1
    openssl x509 -req \
        -in server-ca/csr/server-ca.csr.pem \
        -CA root-ca/certs/root-ca.cert.pem \
        -CAkey root-ca/private/root-ca.key.pem \
        -CAcreateserial \
        -out server-ca/certs/server-ca.cert.pem \
        -days 1825 \
        -sha256 \
        -extfile root-ca/signcsr.conf || return 1
    # 4.1 - 4.3 MQTT server
    openssl ecparam -out mqtt-server-1/private/mqtt-server.key.pem -name secp256r1 -genkey || return 1
    chmod 400 mqtt-server-1/private/mqtt-server.key.pem
    openssl req -new \
        -key mqtt-server-1/private/mqtt-server.key.pem \
        -out mqtt-server-1/csr/mqtt-server.csr.pem \
        -config mqtt-server-1/mqtt-server.csr.conf || return 1
    openssl x509 -req \
        -in mqtt-server-1/csr/mqtt-server.csr.pem \
        -CA server-ca/certs/server-ca.cert.pem \
        -CAkey server-ca/private/server-ca.key.pem \
        -CAcreateserial \
        -out mqtt-server-1/certs/mqtt-server.cert.pem \
        -days 365 \
        -sha256 \
        -extfile server-ca/signcsr.conf || return 1
    # 5. chain, 6. bundle
    cat mqtt-server-1/certs/mqtt-server.cert.pem \
        server-ca/certs/server-ca.cert.pem \
        >mqtt-server-1/mqtt-server.chain.pem
    cat root-ca/certs/root-ca.cert.pem \
        >ca-bundle.pem
    # 5.1 and 6.2 sanity checks
    openssl verify \
        -CAfile ca-bundle.pem \
        -untrusted server-ca/certs/server-ca.cert.pem \
        mqtt-server-1/mqtt-server.chain.pem || return 1
    openssl verify \
        -CAfile ca-bundle.pem \
        -untrusted server-ca/certs/server-ca.cert.pem \
        mqtt-server-1/certs/mqtt-server.cert.pem || return 1
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    [ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
    mkdir -p "$1" && cd "$1" && tutorial_sequence
fi

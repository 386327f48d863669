#!/usr/bin/python3
"""The job of `mqttpki device issue --count N --archive FILE.tar`, done with pyca/cryptography in one process.

Per device: a new EC P-256 key; a client certificate (subject O = the device CA's O, CN = id; SAN DNS:id;
BasicConstraints CA:FALSE; KeyUsage digitalSignature, critical; EKU clientAuth; SKI; AKI = the device CA's SKI;
valid from 5 minutes ago for DAYS days; a random serial), signed ECDSA-SHA256 by the device CA's key; the key as
PKCS#8 PEM, the certificate as PEM and the chain (certificate + device CA) as PEM, written into one tar as
ID/ID.key.pem, ID/ID.cert.pem, ID/ID.chain.pem (the members of mqttpki's archive), each from an in-memory buffer.
What mqttpki also does and this does not: the inventory rows, the manifests, the durable commits (fdatasync).

The device CA is read from an mqttpki PKI directory: CA/private/CA.key.pem (unencrypted) and CA/certs/CA.cert.pem.

usage: pyca_devices.py --pki DIR --count N --archive FILE.tar [--ca device-ca] [--prefix dev-] [--days 365]
Prints one line: "pyca/cryptography VERSION: N devices in S s (R/s)", timing the loop only (after imports and
loading the CA); time the whole process from outside for a figure comparable with a command's wall time.
"""

import argparse
import datetime
import io
import sys
import tarfile
import time

try:
    import cryptography
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
except ImportError as e:  # the caller checks first; this is for a direct run
    sys.exit(f"pyca_devices.py: pyca/cryptography is not importable ({e}); install python3-cryptography")


def add_member(tar, name, data, mode, mtime):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    info.mtime = mtime
    tar.addfile(info, io.BytesIO(data))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pki", required=True)
    ap.add_argument("--ca", default="device-ca")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--prefix", default="dev-")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--archive", required=True)
    a = ap.parse_args()
    if a.count <= 0:
        ap.error("--count must be positive")

    with open(f"{a.pki}/{a.ca}/private/{a.ca}.key.pem", "rb") as f:
        ca_key = serialization.load_pem_private_key(f.read(), password=None)
    with open(f"{a.pki}/{a.ca}/certs/{a.ca}.cert.pem", "rb") as f:
        ca_pem = f.read()
    ca_cert = x509.load_pem_x509_certificate(ca_pem)
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski)
    orgs = ca_cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    base_rdns = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, orgs[0].value)] if orgs else []
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    not_before = now - datetime.timedelta(minutes=5)
    not_after = now + datetime.timedelta(days=a.days)
    bc = x509.BasicConstraints(ca=False, path_length=None)
    ku = x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                       data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                       encipher_only=False, decipher_only=False)
    eku = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH])
    mtime = int(now.timestamp())
    width = max(6, len(str(a.count)))

    t0 = time.perf_counter()
    with tarfile.open(a.archive, "w", format=tarfile.USTAR_FORMAT) as tar:
        for i in range(1, a.count + 1):
            dev_id = f"{a.prefix}{i:0{width}d}"
            key = ec.generate_private_key(ec.SECP256R1())
            pub = key.public_key()
            cert = (x509.CertificateBuilder()
                    .subject_name(x509.Name(base_rdns + [x509.NameAttribute(NameOID.COMMON_NAME, dev_id)]))
                    .issuer_name(ca_cert.subject)
                    .public_key(pub)
                    .serial_number(x509.random_serial_number())
                    .not_valid_before(not_before)
                    .not_valid_after(not_after)
                    .add_extension(bc, critical=False)
                    .add_extension(ku, critical=True)
                    .add_extension(eku, critical=False)
                    .add_extension(x509.SubjectKeyIdentifier.from_public_key(pub), critical=False)
                    .add_extension(aki, critical=False)
                    .add_extension(x509.SubjectAlternativeName([x509.DNSName(dev_id)]), critical=False)
                    .sign(ca_key, hashes.SHA256()))
            key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
            cert_pem = cert.public_bytes(serialization.Encoding.PEM)
            add_member(tar, f"{dev_id}/{dev_id}.key.pem", key_pem, 0o400, mtime)
            add_member(tar, f"{dev_id}/{dev_id}.cert.pem", cert_pem, 0o644, mtime)
            add_member(tar, f"{dev_id}/{dev_id}.chain.pem", cert_pem + ca_pem, 0o644, mtime)
    seconds = time.perf_counter() - t0
    print(f"pyca/cryptography {cryptography.__version__}: {a.count} devices in {seconds:.2f} s "
          f"({a.count / seconds:.0f}/s)")


if __name__ == "__main__":
    main()

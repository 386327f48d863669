// Helpers shared by the library's own .cc files; not part of the public API.
#ifndef MQTTPKI_PKI_INTERNAL_H_
#define MQTTPKI_PKI_INTERNAL_H_

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mqttpki/certificate.h"
#include "mqttpki/name.h"
#include "mqttpki/signer.h"
#include "mqttpki/result.h"
#include "ossl/ptr.h"

namespace mqttpki {

// IoError is the kIo error of a failed system call: "cannot WHAT PATH: <the system's reason for |err|>".
Error IoError(const std::string& what, const std::string& path, int err);
// BioToString copies the contents of a memory BIO.
std::string BioToString(BIO* bio);
// DescribeKey is "EC P-256", "RSA 2048", ...
std::string DescribeKey(const EVP_PKEY* pkey);
// PublicKeyDerOf is the DER SubjectPublicKeyInfo of |pkey|.
std::string PublicKeyDerOf(const EVP_PKEY* pkey);
// NameToString renders an X509_NAME as "C=DE, O=..., CN=...".
std::string NameToString(const X509_NAME* name);
// NameToFields takes C, O, OU and CN out of an X509_NAME (first of each).
DistinguishedName NameToFields(const X509_NAME* name);
// SansOf reads DNS and IP entries of a GENERAL_NAMES.
std::vector<SubjectAltName> SansOf(const GENERAL_NAMES* names);
// OtherSansOf describes the entries of a GENERAL_NAMES that SansOf skips (email, URI, malformed IP, ...).
std::vector<std::string> OtherSansOf(const GENERAL_NAMES* names);
// Asn1TimeToUnix converts an ASN1_TIME to seconds since the epoch.
int64_t Asn1TimeToUnix(const ASN1_TIME* t);
// DigestFor picks the signature digest for a signing key: SHA-384 for P-384 (and larger EC), else SHA-256.
const EVP_MD* DigestFor(const EVP_PKEY* signing_key);
// SignTbs signs the DER |tbs| with |signer|: SEQUENCE { tbs, algorithm, BIT STRING signature }, the signed
// certificate, CRL or CSR. |tbs| must name signer.Algorithm() where its type has a signature field.
Result<std::string> SignTbs(std::string tbs, Signer& signer);
// SignRequest sets |req|'s signature algorithm to |signer|'s, and signs it.
Status SignRequest(X509_REQ* req, Signer& signer);
// SignCertificate sets |cert|'s signature algorithm to |signer|'s, signs it, and returns it (a second reference
// to |cert|, which must not change after).
Result<Certificate> SignCertificate(X509* cert, Signer& signer);
// BuildName makes an X509_NAME of C, O, OU, CN (the non-empty ones, in that order).
Result<ossl::UniquePtr<X509_NAME>> BuildName(const DistinguishedName& dn);
// BuildGeneralNames makes the GENERAL_NAMES of a subjectAltName extension.
Result<ossl::UniquePtr<GENERAL_NAMES>> BuildGeneralNames(const std::vector<SubjectAltName>& sans);
// WrongPem explains that |pem| (from |what|) does not hold |expected| ("a certificate", ...), saying what it holds.
Error WrongPem(std::string_view pem, const std::string& what, const std::string& expected);
// MemBio is a read-only memory BIO over |data| (which must outlive it).
ossl::UniquePtr<BIO> MemBio(std::string_view data);
// ObjectName is the short name of an OID ("serverAuth"), or its dotted form when OpenSSL has no name for it.
std::string ObjectName(const ASN1_OBJECT* obj);
// RandomHex is |bytes| random bytes from OpenSSL's DRBG as lower-case hex (for unique names, not secrets).
std::string RandomHex(size_t bytes);
// Hex renders bytes as upper-case hex with |sep| between bytes (0 for none).
std::string Hex(const unsigned char* data, size_t len, char sep);

}  // namespace mqttpki

#endif  // MQTTPKI_PKI_INTERNAL_H_

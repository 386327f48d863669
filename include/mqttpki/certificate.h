// X.509 certificates and certificate signing requests: parsing, encoding and the facts a user asks about.
#ifndef MQTTPKI_CERTIFICATE_H_
#define MQTTPKI_CERTIFICATE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mqttpki/key.h"
#include "mqttpki/name.h"
#include "mqttpki/result.h"

struct x509_st;      // OpenSSL's X509
struct X509_req_st;  // OpenSSL's X509_REQ

namespace mqttpki {

// PemFingerprint is the SHA-256 fingerprint (as Certificate::Sha256Fingerprint) of the first certificate in
// |pem|, computed on its DER without parsing the X.509 structure (OpenSSL 3.0's parser is slow); empty when
// there is none.
std::string PemFingerprint(std::string_view pem);

// FormatTime renders seconds since the epoch as "2026-11-25 16:29:52 UTC".
std::string FormatTime(int64_t t);
// FormatTimeIso renders it as ISO 8601 in UTC, "2026-11-25T16:29:52Z" (manifests, machine-read output).
std::string FormatTimeIso(int64_t t);

// Certificate shares one OpenSSL X509 (copies take a reference).
class Certificate {
 public:
  // FromPem reads exactly one PEM certificate from |pem|; |what| names the source in errors.
  static Result<Certificate> FromPem(std::string_view pem, const std::string& what);
  // AllFromPem reads every PEM certificate in |pem|, in file order (at least one).
  static Result<std::vector<Certificate>> AllFromPem(std::string_view pem, const std::string& what);
  // FromDer reads one DER certificate (all of |der|).
  static Result<Certificate> FromDer(std::string_view der, const std::string& what);
  // Adopt takes ownership of |x509|.
  static Certificate Adopt(x509_st* x509);

  Certificate() = default;
  ~Certificate();
  Certificate(const Certificate& other);
  Certificate& operator=(const Certificate& other);
  Certificate(Certificate&& other) noexcept;
  Certificate& operator=(Certificate&& other) noexcept;

  std::string ToPem() const;
  std::string ToDer() const;

  std::string Subject() const;     // "C=DE, O=My IoT Cloud, OU=PKI, CN=My IoT Cloud Root CA"
  std::string Issuer() const;
  std::string CommonName() const;  // empty when there is none
  DistinguishedName SubjectFields() const;
  std::vector<SubjectAltName> Sans() const;  // DNS and IP entries only
  int64_t NotBefore() const;                 // seconds since the epoch
  int64_t NotAfter() const;
  std::string SerialHex() const;             // upper-case hex, no separators
  int SerialBytes() const;                   // length of the DER serial's content
  std::string Sha256Fingerprint() const;     // "AB:CD:..." as openssl x509 -fingerprint prints it
  std::string SignatureAlgorithm() const;    // "ecdsa-with-SHA256", "sha256WithRSAEncryption", ...
  std::string KeyDescription() const;        // "EC P-256", "RSA 2048"
  evp_pkey_st* PublicKey() const;            // owned by the certificate
  bool IsCa() const;
  int PathLength() const;                    // -1 when unlimited or not a CA
  std::vector<std::string> KeyUsage() const;          // "digitalSignature", "keyCertSign", ...
  std::vector<std::string> ExtendedKeyUsage() const;  // "serverAuth", "clientAuth", ...
  bool HasExtendedKeyUsage() const;
  bool IsSelfIssued() const;                 // subject == issuer and self-signed
  // NamesIssuer says whether |issuer| is this certificate's issuer by name and key identifier (no signature check:
  // that is path validation's job, which then reports a bad signature as such).
  bool NamesIssuer(const Certificate& issuer) const;
  // IssuedBy says whether |issuer| signed this certificate (names, key identifiers and signature).
  bool IssuedBy(const Certificate& issuer) const;
  // MatchesHost says whether this certificate is valid for |host| (a DNS name or an IP address), by the rules a
  // TLS client applies (RFC 6125: subjectAltName, wildcards in the leftmost label).
  bool MatchesHost(const std::string& host) const;
  // MatchesKey says whether |key| is the private key of this certificate.
  bool MatchesKey(const PrivateKey& key) const;
  // MatchesPublicKey says whether this certificate carries the public key |spki_der| (DER SubjectPublicKeyInfo).
  bool MatchesPublicKey(std::string_view spki_der) const;

  x509_st* get() const { return x509_; }
  bool empty() const { return x509_ == nullptr; }

 private:
  x509_st* x509_ = nullptr;
};

// CertificateRequest is a PKCS#10 CSR.
class CertificateRequest {
 public:
  // Create makes a CSR for |key| with |subject| and a subjectAltName extension holding |sans| (if any), signed
  // with SHA-256 (SHA-384 for P-384).
  static Result<CertificateRequest> Create(const PrivateKey& key, const DistinguishedName& subject,
                                           const std::vector<SubjectAltName>& sans);
  // FromPem reads one PEM "CERTIFICATE REQUEST" (or "NEW CERTIFICATE REQUEST").
  static Result<CertificateRequest> FromPem(std::string_view pem, const std::string& what);

  CertificateRequest() = default;
  ~CertificateRequest();
  CertificateRequest(CertificateRequest&& other) noexcept;
  CertificateRequest& operator=(CertificateRequest&& other) noexcept;
  CertificateRequest(const CertificateRequest&) = delete;
  CertificateRequest& operator=(const CertificateRequest&) = delete;

  // VerifySignature checks the CSR's self-signature (proof that the requester holds the key): kInput if bad.
  Status VerifySignature(const std::string& what) const;
  std::string ToPem() const;
  std::string Subject() const;
  DistinguishedName SubjectFields() const;
  std::vector<SubjectAltName> Sans() const;
  // CaRequest names what the CSR asks for that only a CA has ("basicConstraints CA:TRUE", "keyUsage
  // keyCertSign", "keyUsage cRLSign"), or is empty.
  std::string CaRequest() const;
  // UnsupportedSans describes the subjectAltName entries that are neither a DNS name nor an IP address (email,
  // URI, an IP address of the wrong length, ...), which Sans() leaves out.
  std::vector<std::string> UnsupportedSans() const;
  // RequestedExtensions names every extension the CSR asks for ("basicConstraints", "keyUsage", ...).
  std::vector<std::string> RequestedExtensions() const;
  std::string KeyDescription() const;
  // PublicKey returns the requested public key (owned by this request).
  evp_pkey_st* PublicKey() const;

  X509_req_st* get() const { return req_; }

 private:
  X509_req_st* req_ = nullptr;
};

}  // namespace mqttpki

#endif  // MQTTPKI_CERTIFICATE_H_

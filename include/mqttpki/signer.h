// Signer: the one seam every signature goes through (certificates, CSRs, CRLs, the device batch).
//
// Whatever holds a CA key signs bytes in, bytes out: a key in memory today (KeySigner), a PKCS#11 token next. The
// engine builds the to-be-signed DER (TBSCertificate, TBSCertList, CertificationRequestInfo) with the signer's
// algorithm inside it, asks for the signature, and assembles the signed object itself.
#ifndef MQTTPKI_SIGNER_H_
#define MQTTPKI_SIGNER_H_

#include <memory>
#include <string>
#include <string_view>

#include "mqttpki/result.h"

namespace mqttpki {

class PrivateKey;

class Signer {
 public:
  virtual ~Signer() = default;

  // Algorithm is the signature AlgorithmIdentifier (DER) of the signatures this signer makes:
  // ecdsa-with-SHA256 (P-256 and smaller EC keys), ecdsa-with-SHA384 (P-384 and larger), sha256WithRSAEncryption.
  virtual const std::string& Algorithm() const = 0;
  // PublicKeyDer is the DER SubjectPublicKeyInfo of the signing key (what a CA certificate must carry).
  virtual const std::string& PublicKeyDer() const = 0;
  // Description names the key as PrivateKey::Description does: "EC P-256", "RSA 3072", ...
  virtual const std::string& Description() const = 0;

  // Sign signs |tbs| (hashed here with the algorithm's digest) and returns the signature as it goes in the
  // signatureValue BIT STRING: an ECDSA-Sig-Value's DER, or the RSA PKCS#1 v1.5 block. A signer is used by one
  // thread at a time.
  virtual Result<std::string> Sign(std::string_view tbs) = 0;
  // Fork is another signer over the same key, for another thread.
  virtual Result<std::unique_ptr<Signer>> Fork() const = 0;
};

// KeySigner signs with a private key held in memory (EC or RSA; kInput for other kinds of key).
Result<std::unique_ptr<Signer>> KeySigner(const PrivateKey& key);

}  // namespace mqttpki

#endif  // MQTTPKI_SIGNER_H_

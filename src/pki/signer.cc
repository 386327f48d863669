// Signing: KeySigner (the Signer over a private key in memory), and the assembly of signed certificates, CSRs and
// CRLs from their TBS and a Signer (SignTbs, SignCertificate, SignRequest in pki/internal.h).
//
// Signing hashes with the low-level SHA functions and signs EC keys with ECDSA_do_sign on this signer's own copy of
// the key: the EVP layer's fetches and ASN.1 templates cost more than the device batch's whole certificate
// encoding (see fleet.cc). RSA keys sign through one EVP_PKEY_CTX prepared once per signer.
#define OPENSSL_SUPPRESS_DEPRECATED  // EC_KEY, ECDSA_do_sign and SHA*_Init: the fast paths

#include "mqttpki/signer.h"

#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "mqttpki/key.h"
#include "ossl/error.h"
#include "ossl/ptr.h"
#include "pki/der.h"
#include "pki/internal.h"

namespace mqttpki {

namespace {

// The AlgorithmIdentifiers: ecdsa-with-SHA256/384 have no parameters, sha256WithRSAEncryption a NULL.
constexpr std::string_view kEcdsaSha256("\x30\x0a\x06\x08\x2a\x86\x48\xce\x3d\x04\x03\x02", 12);
constexpr std::string_view kEcdsaSha384("\x30\x0a\x06\x08\x2a\x86\x48\xce\x3d\x04\x03\x03", 12);
constexpr std::string_view kRsaSha256("\x30\x0d\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b\x05\x00", 15);

class KeySignerImpl final : public Signer {
 public:
  const std::string& Algorithm() const override { return algorithm_; }
  const std::string& PublicKeyDer() const override { return spki_; }
  const std::string& Description() const override { return description_; }

  Result<std::string> Sign(std::string_view tbs) override {
    unsigned char md[SHA384_DIGEST_LENGTH];
    size_t mdlen = sha384_ ? SHA384_DIGEST_LENGTH : SHA256_DIGEST_LENGTH;
    const auto* data = reinterpret_cast<const unsigned char*>(tbs.data());
    if (sha384_) {
      SHA512_CTX c;
      SHA384_Init(&c);
      SHA384_Update(&c, data, tbs.size());
      SHA384_Final(md, &c);
    } else {
      SHA256_CTX c;
      SHA256_Init(&c);
      SHA256_Update(&c, data, tbs.size());
      SHA256_Final(md, &c);
    }
    return ec_ != nullptr ? SignEc(md, mdlen) : SignRsa(md, mdlen);
  }

  Result<std::unique_ptr<Signer>> Fork() const override { return New(pkey_.get()); }

  static Result<std::unique_ptr<Signer>> New(EVP_PKEY* pkey) {
    std::unique_ptr<KeySignerImpl> s(new KeySignerImpl);
    if (EVP_PKEY_up_ref(pkey) != 1) return ossl::OsslError(ErrorCode::kInternal, "cannot share the key");
    s->pkey_.reset(pkey);
    s->description_ = DescribeKey(pkey);
    s->spki_ = PublicKeyDerOf(pkey);
    if (s->spki_.empty()) return ossl::OsslError(ErrorCode::kInternal, "cannot encode the public key");
    switch (EVP_PKEY_get_base_id(pkey)) {
      case EVP_PKEY_EC: {
        s->sha384_ = DigestFor(pkey) == EVP_sha384();
        s->algorithm_ = std::string(s->sha384_ ? kEcdsaSha384 : kEcdsaSha256);
        const EC_KEY* ec = EVP_PKEY_get0_EC_KEY(pkey);
        s->ec_.reset(ec != nullptr ? EC_KEY_dup(ec) : nullptr);
        if (s->ec_ == nullptr) return ossl::OsslError(ErrorCode::kInternal, "cannot copy the EC key");
        break;
      }
      case EVP_PKEY_RSA:
        s->algorithm_ = std::string(kRsaSha256);
        s->rsa_.reset(EVP_PKEY_CTX_new(pkey, nullptr));
        if (s->rsa_ == nullptr || EVP_PKEY_sign_init(s->rsa_.get()) != 1 ||
            EVP_PKEY_CTX_set_rsa_padding(s->rsa_.get(), RSA_PKCS1_PADDING) != 1 ||
            EVP_PKEY_CTX_set_signature_md(s->rsa_.get(), EVP_sha256()) != 1) {
          return ossl::OsslError(ErrorCode::kInternal, "cannot prepare RSA signing");
        }
        break;
      default:
        return MakeError(ErrorCode::kInput,
                         "a " + s->description_ + " key cannot sign certificates: CA keys are EC or RSA");
    }
    return std::unique_ptr<Signer>(std::move(s));
  }

 private:
  KeySignerImpl() = default;

  Result<std::string> SignEc(const unsigned char* md, size_t mdlen) {
    auto sig = ossl::Wrap(ECDSA_do_sign(md, static_cast<int>(mdlen), ec_.get()));
    if (!sig) return ossl::OsslError(ErrorCode::kInternal, "cannot sign with the " + description_ + " key");
    // Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (i2d_ECDSA_SIG's ASN.1 templates cost more).
    const BIGNUM* r = nullptr;
    const BIGNUM* s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    unsigned char rb[72], sb[72];
    int rn = BN_num_bytes(r) <= 72 ? BN_bn2bin(r, rb) : -1;
    int sn = BN_num_bytes(s) <= 72 ? BN_bn2bin(s, sb) : -1;
    if (rn < 0 || sn < 0) return ossl::OsslError(ErrorCode::kInternal, "cannot encode a signature");
    ints_.clear();
    der::AppendUnsigned(ints_, der::kInteger, std::string_view(reinterpret_cast<char*>(rb), static_cast<size_t>(rn)));
    der::AppendUnsigned(ints_, der::kInteger, std::string_view(reinterpret_cast<char*>(sb), static_cast<size_t>(sn)));
    return der::Wrap(der::kSequence, ints_);
  }

  Result<std::string> SignRsa(const unsigned char* md, size_t mdlen) {
    size_t len = 0;
    if (EVP_PKEY_sign(rsa_.get(), nullptr, &len, md, mdlen) != 1) {
      return ossl::OsslError(ErrorCode::kInternal, "cannot sign with the " + description_ + " key");
    }
    std::string sig(len, '\0');
    if (EVP_PKEY_sign(rsa_.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, md, mdlen) != 1) {
      return ossl::OsslError(ErrorCode::kInternal, "cannot sign with the " + description_ + " key");
    }
    sig.resize(len);
    return sig;
  }

  ossl::UniquePtr<EVP_PKEY> pkey_;
  ossl::UniquePtr<EC_KEY> ec_;         // EC: this signer's copy of the key
  ossl::UniquePtr<EVP_PKEY_CTX> rsa_;  // RSA: prepared for PKCS#1 v1.5 over SHA-256
  bool sha384_ = false;
  std::string algorithm_, spki_, description_;
  std::string ints_;  // SignEc's buffer, reused
};

}  // namespace

namespace {

// SignatureAlgorithmOf is |signer|'s AlgorithmIdentifier, parsed.
Result<ossl::UniquePtr<X509_ALGOR>> SignatureAlgorithmOf(const Signer& signer) {
  const auto* p = reinterpret_cast<const unsigned char*>(signer.Algorithm().data());
  auto alg = ossl::Wrap(d2i_X509_ALGOR(nullptr, &p, static_cast<long>(signer.Algorithm().size())));
  if (!alg) return ossl::OsslError(ErrorCode::kInternal, "the signer's algorithm does not parse");
  return alg;
}

// SetSignature puts |sig| (and |alg|, where the outer structure has its own copy) into a certificate or CSR, as
// X509_sign and X509_REQ_sign do. Parsing the signed DER instead would decode the public key again through
// OpenSSL's decoders, which costs more than the signature itself.
Status SetSignature(const ASN1_BIT_STRING* to, const X509_ALGOR* to_alg, const X509_ALGOR* alg, std::string& sig) {
  auto* bits = const_cast<ASN1_BIT_STRING*>(to);
  if (bits == nullptr || (to_alg != nullptr && X509_ALGOR_copy(const_cast<X509_ALGOR*>(to_alg), alg) != 1) ||
      ASN1_BIT_STRING_set(bits, reinterpret_cast<unsigned char*>(sig.data()), static_cast<int>(sig.size())) != 1) {
    return ossl::OsslError(ErrorCode::kInternal, "cannot set the signature");
  }
  bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);  // no unused bits
  bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
  return Status::Ok();
}

}  // namespace

Result<std::string> SignTbs(std::string tbs, Signer& signer) {
  MQTTPKI_ASSIGN_OR_RETURN(std::string sig, signer.Sign(tbs));
  std::string body = std::move(tbs);
  body += signer.Algorithm();
  der::AppendLength(body.append(1, static_cast<char>(der::kBitString)), 1 + sig.size());
  body.push_back('\0');  // no unused bits
  body += sig;
  return der::Wrap(der::kSequence, body);
}

Status SignRequest(X509_REQ* req, Signer& signer) {
  ossl::ClearErrors();
  MQTTPKI_ASSIGN_OR_RETURN(auto alg, SignatureAlgorithmOf(signer));
  if (X509_REQ_set1_signature_algo(req, alg.get()) != 1) {
    return ossl::OsslError(ErrorCode::kInternal, "cannot set the CSR's signature algorithm");
  }
  std::string tbs = ossl::I2d(i2d_re_X509_REQ_tbs, req);
  if (tbs.empty()) return ossl::OsslError(ErrorCode::kInternal, "cannot encode the CSR");
  MQTTPKI_ASSIGN_OR_RETURN(std::string sig, signer.Sign(tbs));
  const ASN1_BIT_STRING* req_sig = nullptr;
  const X509_ALGOR* req_alg = nullptr;
  X509_REQ_get0_signature(req, &req_sig, &req_alg);
  return SetSignature(req_sig, nullptr, alg.get(), sig);
}

Result<Certificate> SignCertificate(x509_st* cert, Signer& signer) {
  ossl::ClearErrors();
  MQTTPKI_ASSIGN_OR_RETURN(auto alg, SignatureAlgorithmOf(signer));
  // The TBS names the signature algorithm too. OpenSSL sets it only while signing with a key it holds, so it is
  // set here on the (unsigned, ours) certificate directly; i2d_re_X509_tbs then encodes the TBS afresh.
  auto* tbs_alg = const_cast<X509_ALGOR*>(X509_get0_tbs_sigalg(cert));
  if (tbs_alg == nullptr || X509_ALGOR_copy(tbs_alg, alg.get()) != 1) {
    return ossl::OsslError(ErrorCode::kInternal, "cannot set the signature algorithm");
  }
  std::string tbs = ossl::I2d(i2d_re_X509_tbs, cert);
  if (tbs.empty()) return ossl::OsslError(ErrorCode::kInternal, "cannot encode the certificate");
  MQTTPKI_ASSIGN_OR_RETURN(std::string sig, signer.Sign(tbs));
  const ASN1_BIT_STRING* cert_sig = nullptr;
  const X509_ALGOR* cert_alg = nullptr;
  X509_get0_signature(&cert_sig, &cert_alg, cert);
  MQTTPKI_TRY(SetSignature(cert_sig, cert_alg, alg.get(), sig));
  if (X509_up_ref(cert) != 1) return ossl::OsslError(ErrorCode::kInternal, "cannot share the certificate");
  return Certificate::Adopt(cert);
}

Result<std::unique_ptr<Signer>> KeySigner(const PrivateKey& key) {
  if (key.get() == nullptr) return MakeError(ErrorCode::kInternal, "KeySigner: no key");
  ossl::ClearErrors();
  return KeySignerImpl::New(key.get());
}

}  // namespace mqttpki

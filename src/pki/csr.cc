// CertificateRequest: PKCS#10 CSRs, made (signed through the Signer seam by their own key) and read.
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "mqttpki/certificate.h"
#include "mqttpki/signer.h"
#include "ossl/error.h"
#include "ossl/ptr.h"
#include "pki/internal.h"

namespace mqttpki {

CertificateRequest::~CertificateRequest() { ossl::Deleter<X509_REQ>()(req_); }
CertificateRequest::CertificateRequest(CertificateRequest&& other) noexcept : req_(other.req_) { other.req_ = nullptr; }
CertificateRequest& CertificateRequest::operator=(CertificateRequest&& other) noexcept {
  if (this != &other) {
    ossl::Deleter<X509_REQ>()(req_);
    req_ = other.req_;
    other.req_ = nullptr;
  }
  return *this;
}

Result<CertificateRequest> CertificateRequest::Create(const PrivateKey& key, const DistinguishedName& subject,
                                                      const std::vector<SubjectAltName>& sans) {
  MQTTPKI_TRY(subject.Validate());
  ossl::ClearErrors();
  auto req = ossl::Wrap(X509_REQ_new());
  if (!req || X509_REQ_set_version(req.get(), 0) != 1) return ossl::OsslError(ErrorCode::kInternal, "X509_REQ_new");
  MQTTPKI_ASSIGN_OR_RETURN(auto name, BuildName(subject));
  if (X509_REQ_set_subject_name(req.get(), name.get()) != 1 || X509_REQ_set_pubkey(req.get(), key.get()) != 1) {
    return ossl::OsslError(ErrorCode::kInternal, "cannot fill the CSR");
  }
  if (!sans.empty()) {
    MQTTPKI_ASSIGN_OR_RETURN(auto names, BuildGeneralNames(sans));
    ossl::ExtensionStack exts(sk_X509_EXTENSION_new_null());
    auto ext = ossl::Wrap(X509V3_EXT_i2d(NID_subject_alt_name, 0, names.get()));
    bool ok = exts && ext && sk_X509_EXTENSION_push(exts.get(), ext.get()) > 0;
    if (ok) ext.release();  // now the stack's
    if (!ok || X509_REQ_add_extensions(req.get(), exts.get()) != 1)
      return ossl::OsslError(ErrorCode::kInternal, "cannot add subjectAltName to the CSR");
  }
  // Signed through the Signer seam like everything else, by the CSR's own key.
  MQTTPKI_ASSIGN_OR_RETURN(std::unique_ptr<Signer> signer, KeySigner(key));
  MQTTPKI_TRY(SignRequest(req.get(), *signer));
  CertificateRequest out;
  out.req_ = req.release();
  return out;
}

Result<CertificateRequest> CertificateRequest::FromPem(std::string_view pem, const std::string& what) {
  if (pem.find("CERTIFICATE REQUEST-----") == std::string_view::npos) {
    return WrongPem(pem, what, "a certificate request (CSR)");
  }
  ossl::ClearErrors();
  auto bio = MemBio(pem);
  if (!bio) return ossl::OsslError(ErrorCode::kInternal, "out of memory");
  X509_REQ* req = PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr);
  if (req == nullptr) {
    return ossl::OsslError(ErrorCode::kInput, what + " holds a CSR that cannot be parsed (truncated or corrupt PEM?)");
  }
  CertificateRequest out;
  out.req_ = req;
  return out;
}

Status CertificateRequest::VerifySignature(const std::string& what) const {
  ossl::ClearErrors();
  EVP_PKEY* pub = X509_REQ_get0_pubkey(req_);
  if (pub == nullptr) return ossl::OsslError(ErrorCode::kInput, what + ": the CSR's public key cannot be read");
  if (X509_REQ_verify(req_, pub) != 1) {
    return ossl::OsslError(ErrorCode::kInput,
                           what + ": the CSR's signature does not verify (tampered or corrupt); refusing to sign it");
  }
  return Status::Ok();
}

std::string CertificateRequest::ToPem() const {
  auto bio = ossl::Wrap(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_REQ(bio.get(), req_) != 1) return {};
  return BioToString(bio.get());
}

std::string CertificateRequest::Subject() const { return NameToString(X509_REQ_get_subject_name(req_)); }
DistinguishedName CertificateRequest::SubjectFields() const { return NameToFields(X509_REQ_get_subject_name(req_)); }

namespace {

// ForEachRequestedExtension calls |fn| with every extension a CSR asks for.
template <typename Fn>
void ForEachRequestedExtension(X509_REQ* req, Fn fn) {
  ossl::ExtensionStack exts(X509_REQ_get_extensions(req));
  if (!exts) return;
  for (int i = 0; i < sk_X509_EXTENSION_num(exts.get()); ++i) fn(sk_X509_EXTENSION_value(exts.get(), i));
  ossl::ClearErrors();
}

}  // namespace

std::vector<SubjectAltName> CertificateRequest::Sans() const {
  std::vector<SubjectAltName> out;
  ForEachRequestedExtension(req_, [&out](X509_EXTENSION* ext) {
    if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) != NID_subject_alt_name) return;
    auto names = ossl::Wrap(static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(ext)));
    for (auto& san : SansOf(names.get())) AddUnique(out, san);
  });
  return out;
}

std::string CertificateRequest::CaRequest() const {
  std::string out;
  ForEachRequestedExtension(req_, [&out](X509_EXTENSION* ext) {
    if (!out.empty()) return;
    int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
    if (nid == NID_basic_constraints) {
      auto bc = ossl::Wrap(static_cast<BASIC_CONSTRAINTS*>(X509V3_EXT_d2i(ext)));
      if (bc && bc->ca != 0) out = "basicConstraints CA:TRUE";
    } else if (nid == NID_key_usage) {
      auto ku = ossl::Wrap(static_cast<ASN1_BIT_STRING*>(X509V3_EXT_d2i(ext)));
      if (ku && ASN1_BIT_STRING_get_bit(ku.get(), 5) == 1) out = "keyUsage keyCertSign";
      if (ku && out.empty() && ASN1_BIT_STRING_get_bit(ku.get(), 6) == 1) out = "keyUsage cRLSign";
    }
  });
  return out;
}

std::vector<std::string> CertificateRequest::UnsupportedSans() const {
  std::vector<std::string> out;
  ForEachRequestedExtension(req_, [&out](X509_EXTENSION* ext) {
    if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) != NID_subject_alt_name) return;
    auto names = ossl::Wrap(static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(ext)));
    if (!names) {
      out.push_back("a subjectAltName that cannot be decoded");
      return;
    }
    for (auto& other : OtherSansOf(names.get())) out.push_back(other);
  });
  return out;
}

std::vector<std::string> CertificateRequest::RequestedExtensions() const {
  std::vector<std::string> out;
  ForEachRequestedExtension(req_,
                            [&out](X509_EXTENSION* ext) { out.push_back(ObjectName(X509_EXTENSION_get_object(ext))); });
  return out;
}

std::string CertificateRequest::KeyDescription() const { return DescribeKey(X509_REQ_get0_pubkey(req_)); }
evp_pkey_st* CertificateRequest::PublicKey() const { return X509_REQ_get0_pubkey(req_); }

}  // namespace mqttpki

#include "mqttpki/crl.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ossl/error.h"
#include "ossl/ptr.h"
#include "pki/internal.h"

namespace mqttpki {
namespace {

struct CrlFree {
  void operator()(X509_CRL* p) const { X509_CRL_free(p); }
};
using CrlPtr = std::unique_ptr<X509_CRL, CrlFree>;

}  // namespace

Result<CrlFiles> MakeCrl(const Certificate& ca_cert, const PrivateKey& ca_key, const std::vector<CertRecord>& revoked,
                         const CrlRequest& r) {
  if (!ca_cert.MatchesKey(ca_key)) return MakeError(ErrorCode::kInput, "the CA key does not match its certificate");
  ossl::ClearErrors();
  CrlPtr crl(X509_CRL_new());
  if (!crl || X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca_cert.get())) != 1) {
    return ossl::OsslError(ErrorCode::kInternal, "cannot start the CRL");
  }
  auto this_update = ossl::Wrap(ASN1_TIME_set(nullptr, static_cast<time_t>(r.this_update)));
  auto next_update = ossl::Wrap(ASN1_TIME_set(nullptr, static_cast<time_t>(r.next_update)));
  if (!this_update || !next_update || X509_CRL_set1_lastUpdate(crl.get(), this_update.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next_update.get()) != 1) {
    return ossl::OsslError(ErrorCode::kInternal, "cannot set the CRL's dates");
  }
  auto bn = ossl::Wrap(BN_new());
  for (const CertRecord& rec : revoked) {
    X509_REVOKED* entry = X509_REVOKED_new();
    if (entry == nullptr) return ossl::OsslError(ErrorCode::kInternal, "out of memory");
    // The stack owns |entry| from here on (X509_CRL_add0_revoked), so a failure below leaks nothing.
    if (X509_CRL_add0_revoked(crl.get(), entry) != 1) {
      X509_REVOKED_free(entry);
      return ossl::OsslError(ErrorCode::kInternal, "out of memory");
    }
    BIGNUM* raw = bn.get();
    if (BN_hex2bn(&raw, rec.serial.c_str()) == 0) {
      return MakeError(ErrorCode::kInput, "invalid serial '" + rec.serial + "' in the inventory");
    }
    auto serial = ossl::Wrap(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    auto when = ossl::Wrap(ASN1_TIME_set(nullptr, static_cast<time_t>(rec.revoked_at)));
    if (!serial || !when || X509_REVOKED_set_serialNumber(entry, serial.get()) != 1 ||
        X509_REVOKED_set_revocationDate(entry, when.get()) != 1) {
      return ossl::OsslError(ErrorCode::kInternal, "cannot fill a CRL entry");
    }
    if (rec.reason != RevocationReason::kUnspecified) {
      auto code = ossl::Wrap(ASN1_ENUMERATED_new());
      if (!code || ASN1_ENUMERATED_set(code.get(), static_cast<long>(rec.reason)) != 1 ||
          X509_REVOKED_add1_ext_i2d(entry, NID_crl_reason, code.get(), 0, 0) != 1) {
        return ossl::OsslError(ErrorCode::kInternal, "cannot set a reason code");
      }
    }
  }
  auto number = ossl::Wrap(ASN1_INTEGER_new());
  if (!number || ASN1_INTEGER_set_int64(number.get(), r.number) != 1 ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0) != 1) {
    return ossl::OsslError(ErrorCode::kInternal, "cannot set the crlNumber");
  }
  auto aki = ossl::Wrap(AUTHORITY_KEYID_new());
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(ca_cert.get());
  if (!aki || ski == nullptr || (aki->keyid = ASN1_OCTET_STRING_dup(ski)) == nullptr ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_authority_key_identifier, aki.get(), 0, 0) != 1) {
    return ossl::OsslError(ErrorCode::kInternal, "cannot set the CRL's authority key identifier");
  }
  if (X509_CRL_sort(crl.get()) != 1 || X509_CRL_sign(crl.get(), ca_key.get(), DigestFor(ca_key.get())) <= 0) {
    return ossl::OsslError(ErrorCode::kInternal, "cannot sign the CRL");
  }
  CrlFiles out;
  out.entries = revoked.size();
  auto bio = ossl::Wrap(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_CRL(bio.get(), crl.get()) != 1) {
    return ossl::OsslError(ErrorCode::kInternal, "cannot encode the CRL");
  }
  out.pem = BioToString(bio.get());
  unsigned char* der = nullptr;
  int len = i2d_X509_CRL(crl.get(), &der);
  if (len <= 0) return ossl::OsslError(ErrorCode::kInternal, "cannot encode the CRL");
  out.der.assign(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

Result<CrlInfo> ReadCrl(std::string_view data, const std::string& what) {
  ossl::ClearErrors();
  CrlPtr crl;
  if (data.find("-----BEGIN X509 CRL-----") != std::string_view::npos) {
    auto bio = MemBio(data);
    crl.reset(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  } else {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(data.data());
    crl.reset(d2i_X509_CRL(nullptr, &p, static_cast<long>(data.size())));
  }
  if (!crl) return ossl::OsslError(ErrorCode::kInput, what + " holds no CRL that can be parsed");
  CrlInfo info;
  info.issuer = NameToString(X509_CRL_get_issuer(crl.get()));
  info.this_update = Asn1TimeToUnix(X509_CRL_get0_lastUpdate(crl.get()));
  info.next_update = Asn1TimeToUnix(X509_CRL_get0_nextUpdate(crl.get()));
  STACK_OF(X509_REVOKED)* entries = X509_CRL_get_REVOKED(crl.get());
  info.entries = entries == nullptr ? 0 : static_cast<size_t>(sk_X509_REVOKED_num(entries));
  auto number = ossl::Wrap(static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl.get(), NID_crl_number, nullptr, nullptr)));
  int64_t n = -1;
  if (number && ASN1_INTEGER_get_int64(&n, number.get()) == 1) info.number = n;
  return info;
}

}  // namespace mqttpki

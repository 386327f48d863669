#include "mqttpki/issuer.h"

#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <algorithm>

#include "ossl/error.h"
#include "ossl/ptr.h"
#include "pki/der.h"
#include "pki/internal.h"

namespace mqttpki {

std::string ProfileName(Profile profile) {
  switch (profile) {
    case Profile::kRoot: return "root";
    case Profile::kIntermediate: return "intermediate";
    case Profile::kServer: return "server";
    case Profile::kClient: return "client";
  }
  return "unknown";
}

Profile ProfileOf(const Certificate& cert) {
  if (cert.IsCa()) return cert.IsSelfIssued() ? Profile::kRoot : Profile::kIntermediate;
  std::vector<std::string> eku = cert.ExtendedKeyUsage();
  bool client = std::find(eku.begin(), eku.end(), "clientAuth") != eku.end();
  bool server = std::find(eku.begin(), eku.end(), "serverAuth") != eku.end();
  return client && !server ? Profile::kClient : Profile::kServer;
}

std::optional<Profile> CaIssuesFor(const Certificate& ca) {
  std::vector<std::string> eku = ca.ExtendedKeyUsage();
  if (eku.empty()) return std::nullopt;
  bool client = std::find(eku.begin(), eku.end(), "clientAuth") != eku.end();
  bool server = std::find(eku.begin(), eku.end(), "serverAuth") != eku.end();
  if (client && !server) return Profile::kClient;
  if (server && !client) return Profile::kServer;
  return std::nullopt;
}

Status CheckCaMayIssue(const Certificate& ca, Profile leaf) {
  if (leaf != Profile::kServer && leaf != Profile::kClient) return Status::Ok();
  std::vector<std::string> eku = ca.ExtendedKeyUsage();
  if (eku.empty()) return Status::Ok();
  const char* needed = leaf == Profile::kServer ? "serverAuth" : "clientAuth";
  if (std::find(eku.begin(), eku.end(), needed) != eku.end()) return Status::Ok();
  std::string what = CaIssuesFor(ca) == Profile::kClient ? "client (device) certificates only" : "no " + ProfileName(leaf) + " certificates";
  return MakeError(ErrorCode::kInput, "the CA '" + ca.CommonName() + "' may issue " + what +
                                          " (its extendedKeyUsage lacks " + needed + "): use another CA");
}

ProfileExtensions ExtensionsOf(Profile profile, std::optional<Profile> ca_for, bool rsa_key) {
  ProfileExtensions e;
  e.ca = profile == Profile::kRoot || profile == Profile::kIntermediate;
  e.basic_constraints_critical = e.ca;
  if (profile == Profile::kIntermediate) {
    e.path_len = 0;
    e.eku = ca_for;
  }
  if (e.ca) {
    e.key_usage = {kKeyCertSign, kCrlSign};
  } else {
    e.key_usage = {kDigitalSignature};
    if (profile == Profile::kServer && rsa_key) e.key_usage.push_back(kKeyEncipherment);
    e.eku = profile;
  }
  return e;
}

std::string ProfileExtensionsDer(const ProfileExtensions& e) {
  static constexpr std::string_view kOidBasicConstraints("\x06\x03\x55\x1d\x13", 5);
  static constexpr std::string_view kOidKeyUsage("\x06\x03\x55\x1d\x0f", 5);
  static constexpr std::string_view kOidExtKeyUsage("\x06\x03\x55\x1d\x25", 5);
  static constexpr std::string_view kOidServerAuth("\x06\x08\x2b\x06\x01\x05\x05\x07\x03\x01", 10);
  static constexpr std::string_view kOidClientAuth("\x06\x08\x2b\x06\x01\x05\x05\x07\x03\x02", 10);
  std::string out;
  std::string bc;
  if (e.ca) der::Append(bc, der::kBoolean, std::string_view("\xff", 1));
  if (e.path_len) der::AppendUnsigned(bc, der::kInteger, static_cast<uint64_t>(*e.path_len));
  der::AppendExtension(out, kOidBasicConstraints, der::Wrap(der::kSequence, bc), e.basic_constraints_critical);
  // A BIT STRING without trailing zero bits: the octet of unused bits, then the bits from the first.
  unsigned highest = 0;
  for (unsigned bit : e.key_usage) highest = std::max(highest, bit);
  std::string bits(1 + highest / 8 + 1, '\0');
  bits[0] = static_cast<char>(7 - highest % 8);
  for (unsigned bit : e.key_usage) bits[1 + bit / 8] = static_cast<char>(bits[1 + bit / 8] | (0x80 >> (bit % 8)));
  der::AppendExtension(out, kOidKeyUsage, der::Wrap(der::kBitString, bits), true);
  if (e.eku) {
    std::string_view oid = *e.eku == Profile::kServer ? kOidServerAuth : kOidClientAuth;
    der::AppendExtension(out, kOidExtKeyUsage, der::Wrap(der::kSequence, oid));
  }
  return out;
}

int DefaultDays(Profile profile) {
  switch (profile) {
    case Profile::kRoot: return 3650;
    case Profile::kIntermediate: return 1825;
    case Profile::kServer:
    case Profile::kClient: return 365;
  }
  return 365;
}

Result<ossl::UniquePtr<X509_NAME>> BuildName(const DistinguishedName& dn) {
  auto name = ossl::Wrap(X509_NAME_new());
  if (!name) return ossl::OsslError(ErrorCode::kInternal, "out of memory");
  auto add = [&name](const char* field, const std::string& value) {
    if (value.empty()) return true;
    return X509_NAME_add_entry_by_txt(name.get(), field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(value.data()),
                                      static_cast<int>(value.size()), -1, 0) == 1;
  };
  if (!add("C", dn.country) || !add("O", dn.organization) || !add("OU", dn.org_unit) ||
      !add("CN", dn.common_name)) {
    return ossl::OsslError(ErrorCode::kInput, "invalid subject '" + dn.ToString() + "'");
  }
  return name;
}

Result<ossl::UniquePtr<GENERAL_NAMES>> BuildGeneralNames(const std::vector<SubjectAltName>& sans) {
  auto names = ossl::Wrap(GENERAL_NAMES_new());
  if (!names) return ossl::OsslError(ErrorCode::kInternal, "out of memory");
  for (const SubjectAltName& san : sans) {
    auto gn = ossl::Wrap(GENERAL_NAME_new());
    if (!gn) return ossl::OsslError(ErrorCode::kInternal, "out of memory");
    if (san.kind == SubjectAltName::Kind::kDns) {
      auto s = ossl::Wrap(ASN1_IA5STRING_new());
      if (!s || ASN1_STRING_set(s.get(), san.value.data(), static_cast<int>(san.value.size())) != 1) {
        return ossl::OsslError(ErrorCode::kInternal, "out of memory");
      }
      GENERAL_NAME_set0_value(gn.get(), GEN_DNS, s.release());
    } else {
      unsigned char buf[16];
      int len = 0;
      if (inet_pton(AF_INET, san.value.c_str(), buf) == 1) {
        len = 4;
      } else if (inet_pton(AF_INET6, san.value.c_str(), buf) == 1) {
        len = 16;
      } else {
        return MakeError(ErrorCode::kUsage, "invalid IP address '" + san.value + "'");
      }
      auto s = ossl::Wrap(ASN1_OCTET_STRING_new());
      if (!s || ASN1_OCTET_STRING_set(s.get(), buf, len) != 1) {
        return ossl::OsslError(ErrorCode::kInternal, "out of memory");
      }
      GENERAL_NAME_set0_value(gn.get(), GEN_IPADD, s.release());
    }
    if (sk_GENERAL_NAME_push(names.get(), gn.get()) <= 0) return ossl::OsslError(ErrorCode::kInternal, "oom");
    gn.release();
  }
  return names;
}

namespace {

// AddExtension encodes |value| as extension |nid| and appends it to |cert|.
Status AddExtension(X509* cert, int nid, bool critical, void* value) {
  if (X509_add1_ext_i2d(cert, nid, value, critical ? 1 : 0, X509V3_ADD_REPLACE) != 1) {
    return ossl::OsslError(ErrorCode::kInternal, std::string("cannot add extension ") + OBJ_nid2sn(nid));
  }
  return Status::Ok();
}

// KeyIdentifier is the RFC 5280 method-1 key identifier: SHA-1 of the subjectPublicKey bit string.
Result<ossl::UniquePtr<ASN1_OCTET_STRING>> KeyIdentifier(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_pubkey_digest(cert, EVP_sha1(), md, &len) != 1) {
    return ossl::OsslError(ErrorCode::kInternal, "cannot hash the public key");
  }
  auto id = ossl::Wrap(ASN1_OCTET_STRING_new());
  if (!id || ASN1_OCTET_STRING_set(id.get(), md, static_cast<int>(len)) != 1) {
    return ossl::OsslError(ErrorCode::kInternal, "out of memory");
  }
  return id;
}

Status SetRandomSerial(X509* cert) {
  unsigned char buf[kSerialBytes];
  if (RAND_bytes(buf, sizeof(buf)) != 1) return ossl::OsslError(ErrorCode::kInternal, "RNG failure");
  // Positive (top bit clear) and full length (next bit set): always exactly kSerialBytes octets in DER.
  buf[0] = static_cast<unsigned char>((buf[0] & 0x7f) | 0x40);
  auto bn = ossl::Wrap(BN_bin2bn(buf, sizeof(buf), nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
    return ossl::OsslError(ErrorCode::kInternal, "cannot set the serial number");
  }
  return Status::Ok();
}

// AddProfileExtensions adds what ExtensionsOf defines for the profile, then the key identifiers and the SANs.
Status AddProfileExtensions(X509* cert, const IssueOptions& o, EVP_PKEY* subject_key, const Certificate* issuer) {
  const ProfileExtensions e =
      ExtensionsOf(o.profile, o.ca_for, EVP_PKEY_get_base_id(subject_key) == EVP_PKEY_RSA);
  auto bc = ossl::Wrap(BASIC_CONSTRAINTS_new());
  if (!bc) return ossl::OsslError(ErrorCode::kInternal, "out of memory");
  bc->ca = e.ca ? 0xff : 0;
  if (e.path_len) {
    bc->pathlen = ASN1_INTEGER_new();
    if (bc->pathlen == nullptr || ASN1_INTEGER_set(bc->pathlen, *e.path_len) != 1) {
      return ossl::OsslError(ErrorCode::kInternal, "out of memory");
    }
  }
  MQTTPKI_TRY(AddExtension(cert, NID_basic_constraints, e.basic_constraints_critical, bc.get()));

  auto ku = ossl::Wrap(ASN1_BIT_STRING_new());
  if (!ku) return ossl::OsslError(ErrorCode::kInternal, "out of memory");
  for (unsigned bit : e.key_usage) {
    if (ASN1_BIT_STRING_set_bit(ku.get(), static_cast<int>(bit), 1) != 1) {
      return ossl::OsslError(ErrorCode::kInternal, "out of memory");
    }
  }
  MQTTPKI_TRY(AddExtension(cert, NID_key_usage, true, ku.get()));

  if (e.eku) {
    auto eku = ossl::Wrap(sk_ASN1_OBJECT_new_null());
    if (!eku) return ossl::OsslError(ErrorCode::kInternal, "out of memory");
    int nid = *e.eku == Profile::kServer ? NID_server_auth : NID_client_auth;
    if (sk_ASN1_OBJECT_push(eku.get(), OBJ_nid2obj(nid)) <= 0) {
      return ossl::OsslError(ErrorCode::kInternal, "out of memory");
    }
    MQTTPKI_TRY(AddExtension(cert, NID_ext_key_usage, false, eku.get()));
  }

  MQTTPKI_ASSIGN_OR_RETURN(auto ski, KeyIdentifier(cert));
  MQTTPKI_TRY(AddExtension(cert, NID_subject_key_identifier, false, ski.get()));

  if (issuer != nullptr) {
    auto aki = ossl::Wrap(AUTHORITY_KEYID_new());
    if (!aki) return ossl::OsslError(ErrorCode::kInternal, "out of memory");
    const ASN1_OCTET_STRING* issuer_ski = X509_get0_subject_key_id(issuer->get());
    if (issuer_ski != nullptr) {
      aki->keyid = ASN1_OCTET_STRING_dup(issuer_ski);
    } else {
      MQTTPKI_ASSIGN_OR_RETURN(auto id, KeyIdentifier(issuer->get()));
      aki->keyid = id.release();
    }
    if (aki->keyid == nullptr) return ossl::OsslError(ErrorCode::kInternal, "out of memory");
    MQTTPKI_TRY(AddExtension(cert, NID_authority_key_identifier, false, aki.get()));
  }

  if (!o.sans.empty()) {
    MQTTPKI_ASSIGN_OR_RETURN(auto names, BuildGeneralNames(o.sans));
    // Critical only when the subject is empty (RFC 5280 4.2.1.6); we always have a subject.
    MQTTPKI_TRY(AddExtension(cert, NID_subject_alt_name, false, names.get()));
  }
  return Status::Ok();
}

}  // namespace

Result<IssueResult> Issue(const IssueOptions& options, evp_pkey_st* subject_key, const Certificate* issuer_cert,
                          Signer& issuer) {
  IssueOptions o = options;
  IssueResult result;
  if (o.days <= 0) return MakeError(ErrorCode::kUsage, Arg("days") + " must be a positive number of days");
  if (subject_key == nullptr) {
    return MakeError(ErrorCode::kInternal, "Issue: missing key");
  }
  if (issuer_cert == nullptr && o.profile != Profile::kRoot) {
    return MakeError(ErrorCode::kInternal, "Issue: only a root is self-signed");
  }
  if (issuer_cert == nullptr && PublicKeyDerOf(subject_key) != issuer.PublicKeyDer()) {
    return MakeError(ErrorCode::kInternal, "Issue: a self-signed certificate is signed by its own key");
  }
  if (issuer_cert != nullptr) {
    if (!issuer_cert->MatchesPublicKey(issuer.PublicKeyDer())) {
      return MakeError(ErrorCode::kInput, "the issuer's private key does not match its certificate");
    }
    if (!issuer_cert->IsCa()) {
      return MakeError(ErrorCode::kInput, "'" + issuer_cert->Subject() + "' is not a CA certificate");
    }
    if (issuer_cert->PathLength() == 0 && o.profile == Profile::kIntermediate) {
      return MakeError(ErrorCode::kInput, "'" + issuer_cert->Subject() +
                                              "' has pathlen 0 and cannot sign another CA");
    }
    MQTTPKI_TRY(CheckCaMayIssue(*issuer_cert, o.profile));
    if (issuer_cert->NotAfter() <= o.now) {
      return MakeError(ErrorCode::kInput, "the issuer '" + issuer_cert->Subject() + "' expired on " +
                                              FormatTime(issuer_cert->NotAfter()));
    }
  }
  if (o.ca_for && (o.profile != Profile::kIntermediate ||
                   (*o.ca_for != Profile::kServer && *o.ca_for != Profile::kClient))) {
    return MakeError(ErrorCode::kInternal, "Issue: ca_for is for intermediates, server or client");
  }
  MQTTPKI_TRY(o.subject.Validate());
  if (o.profile == Profile::kServer || o.profile == Profile::kClient) {
    // The SANs are taken as given (a renewal keeps the old list as it was, duplicates and all); only the CN is
    // made sure of, for a caller whose names did not come through CanonicalLeafNames.
    AddCommonName(o.sans, o.subject.common_name);
    if (o.profile == Profile::kServer && o.sans.empty()) {
      return MakeError(ErrorCode::kUsage, "a server certificate needs at least one " + Arg("san") + " (DNS name or IP address)");
    }
  } else if (!o.sans.empty()) {
    return MakeError(ErrorCode::kInternal, "CA certificates carry no subjectAltName");
  }

  ossl::ClearErrors();
  auto cert = ossl::Wrap(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    return ossl::OsslError(ErrorCode::kInternal, "X509_new");
  }
  MQTTPKI_TRY(SetRandomSerial(cert.get()));
  MQTTPKI_ASSIGN_OR_RETURN(auto subject, BuildName(o.subject));
  if (X509_set_subject_name(cert.get(), subject.get()) != 1) {
    return ossl::OsslError(ErrorCode::kInternal, "cannot set the subject");
  }
  X509_NAME* issuer_name = issuer_cert != nullptr ? X509_get_subject_name(issuer_cert->get()) : subject.get();
  if (X509_set_issuer_name(cert.get(), issuer_name) != 1) {
    return ossl::OsslError(ErrorCode::kInternal, "cannot set the issuer");
  }
  int64_t not_before = o.now - kBackdateSeconds;
  int64_t not_after = o.now + static_cast<int64_t>(o.days) * 86400;
  if (issuer_cert != nullptr && o.clamp_to_issuer && not_after > issuer_cert->NotAfter()) {
    not_after = issuer_cert->NotAfter();
    result.warnings.push_back("the certificate would outlive its issuer '" + issuer_cert->CommonName() +
                              "'; it ends with it, on " + FormatTime(not_after));
  }
  if (issuer_cert != nullptr && not_before < issuer_cert->NotBefore()) not_before = issuer_cert->NotBefore();
  if (ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(not_before)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(not_after)) == nullptr) {
    return ossl::OsslError(ErrorCode::kInternal, "cannot set the validity");
  }
  if (X509_set_pubkey(cert.get(), subject_key) != 1) {
    return ossl::OsslError(ErrorCode::kInternal, "cannot set the public key");
  }
  MQTTPKI_TRY(AddProfileExtensions(cert.get(), o, subject_key, issuer_cert));
  MQTTPKI_ASSIGN_OR_RETURN(result.certificate, SignCertificate(cert.get(), issuer));
  return result;
}

}  // namespace mqttpki

#include "mqttpki/certificate.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <unistd.h>

#include <openssl/rand.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <ctime>

#include "mqttpki/signer.h"
#include "ossl/error.h"
#include "ossl/ptr.h"
#include "pki/der.h"
#include "pki/internal.h"

namespace mqttpki {

// --- shared helpers (pki/internal.h) ---

std::string NameToString(const X509_NAME* name) {
  auto bio = ossl::Wrap(BIO_new(BIO_s_mem()));
  if (!bio || name == nullptr) return {};
  // RFC 2253 separators but in the natural order (C first), as "openssl x509 -nameopt oneline" minus spaces.
  unsigned long flags = (XN_FLAG_ONELINE & ~XN_FLAG_SPC_EQ) | ASN1_STRFLGS_UTF8_CONVERT;
  flags &= ~ASN1_STRFLGS_ESC_MSB;
  X509_NAME_print_ex(bio.get(), name, 0, flags);
  return BioToString(bio.get());
}

DistinguishedName NameToFields(const X509_NAME* name) {
  DistinguishedName dn;
  auto get = [name](int nid) -> std::string {
    int idx = X509_NAME_get_index_by_NID(name, nid, -1);
    if (idx < 0) return {};
    const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, s);
    ossl::OsslBuffer<unsigned char> owned(utf8);
    if (len < 0) return {};
    return std::string(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
  };
  if (name == nullptr) return dn;
  dn.country = get(NID_countryName);
  dn.organization = get(NID_organizationName);
  dn.org_unit = get(NID_organizationalUnitName);
  dn.common_name = get(NID_commonName);
  return dn;
}

std::vector<SubjectAltName> SansOf(const GENERAL_NAMES* names) {
  std::vector<SubjectAltName> out;
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    if (gn->type == GEN_DNS) {
      const ASN1_IA5STRING* s = gn->d.dNSName;
      out.push_back({SubjectAltName::Kind::kDns,
                     std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                 static_cast<size_t>(ASN1_STRING_length(s)))});
    } else if (gn->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = gn->d.iPAddress;
      int len = ASN1_STRING_length(ip);
      char text[INET6_ADDRSTRLEN] = {0};
      int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : 0;
      if (family != 0 && inet_ntop(family, ASN1_STRING_get0_data(ip), text, sizeof(text)) != nullptr) {
        out.push_back({SubjectAltName::Kind::kIp, text});
      }
    }
  }
  return out;
}

std::vector<std::string> OtherSansOf(const GENERAL_NAMES* names) {
  std::vector<std::string> out;
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    auto text = [](const ASN1_STRING* s) {
      return Printable(std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                        static_cast<size_t>(ASN1_STRING_length(s))));
    };
    switch (gn->type) {
      case GEN_DNS: break;
      case GEN_IPADD: {
        int len = ASN1_STRING_length(gn->d.iPAddress);
        if (len != 4 && len != 16) out.push_back("an IP address of " + std::to_string(len) + " bytes");
        break;
      }
      case GEN_EMAIL: out.push_back("email:" + text(gn->d.rfc822Name)); break;
      case GEN_URI: out.push_back("URI:" + text(gn->d.uniformResourceIdentifier)); break;
      case GEN_DIRNAME: out.push_back("a directory name"); break;
      case GEN_RID: out.push_back("a registered ID"); break;
      default: out.push_back("an otherName or other name form"); break;
    }
  }
  return out;
}

int64_t Asn1TimeToUnix(const ASN1_TIME* t) {
  struct tm tm = {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

namespace {

std::string FormatUtc(int64_t t, const char* format) {
  time_t tt = static_cast<time_t>(t);
  struct tm tm = {};
  gmtime_r(&tt, &tm);
  char buf[64];
  strftime(buf, sizeof(buf), format, &tm);
  return buf;
}

}  // namespace

std::string FormatTime(int64_t t) { return FormatUtc(t, "%Y-%m-%d %H:%M:%S UTC"); }
std::string FormatTimeIso(int64_t t) { return FormatUtc(t, "%Y-%m-%dT%H:%M:%SZ"); }

const EVP_MD* DigestFor(const EVP_PKEY* signing_key) {
  if (EVP_PKEY_get_base_id(signing_key) == EVP_PKEY_EC && EVP_PKEY_get_bits(signing_key) >= 384) {
    return EVP_sha384();
  }
  return EVP_sha256();
}

Error WrongPem(std::string_view pem, const std::string& what, const std::string& expected) {
  std::string holds = "no PEM data";
  if (pem.find("PRIVATE KEY-----") != std::string_view::npos) {
    holds = "a private key";
  } else if (pem.find("CERTIFICATE REQUEST-----") != std::string_view::npos) {
    holds = "a certificate request (CSR)";
  } else if (pem.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos) {
    holds = "a certificate";
  } else if (pem.find("-----BEGIN X509 CRL-----") != std::string_view::npos) {
    holds = "a CRL";
  }
  return MakeError(ErrorCode::kInput, what + " holds " + holds + ", not " + expected);
}

ossl::UniquePtr<BIO> MemBio(std::string_view data) {
  return ossl::Wrap(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string ObjectName(const ASN1_OBJECT* obj) {
  int nid = OBJ_obj2nid(obj);
  if (nid != NID_undef) return OBJ_nid2sn(nid);
  char buf[128];
  OBJ_obj2txt(buf, sizeof(buf), obj, 1);
  return buf;
}

std::string RandomHex(size_t bytes) {
  static std::atomic<uint64_t> counter{0};
  std::vector<unsigned char> b(bytes, 0);
  if (RAND_bytes(b.data(), static_cast<int>(bytes)) != 1) {
    uint64_t n = ++counter ^ static_cast<uint64_t>(::getpid()) << 32;  // unique, if not random
    std::memcpy(b.data(), &n, std::min(bytes, sizeof(n)));
  }
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  for (unsigned char c : b) {
    s += kHex[c >> 4];
    s += kHex[c & 15];
  }
  return s;
}

std::string Hex(const unsigned char* data, size_t len, char sep) {
  static const char kHex[] = "0123456789ABCDEF";
  if (len == 0) return {};
  std::string out(2 * len + (sep != 0 ? len - 1 : 0), '\0');
  char* o = out.data();
  for (size_t i = 0; i < len; ++i) {
    if (i > 0 && sep != 0) *o++ = sep;
    *o++ = kHex[data[i] >> 4];
    *o++ = kHex[data[i] & 15];
  }
  return out;
}

std::string PemFingerprint(std::string_view pem) {
  auto bio = MemBio(pem);
  unsigned char* der = nullptr;
  long len = 0;
  char* name = nullptr;
  char* header = nullptr;
  int read = bio ? PEM_read_bio(bio.get(), &name, &header, &der, &len) : 0;
  ossl::OsslBuffer<char> owned_name(name), owned_header(header);
  ossl::OsslBuffer<unsigned char> owned_der(der);
  if (read != 1) {
    ossl::ClearErrors();
    return {};
  }
  std::string out;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (std::string_view(name) == PEM_STRING_X509 &&
      EVP_Digest(der, static_cast<size_t>(len), md, &md_len, EVP_sha256(), nullptr) == 1) {
    out = Hex(md, md_len, ':');
  }
  return out;
}

// --- Certificate ---

Certificate Certificate::Adopt(x509_st* x509) {
  Certificate c;
  c.x509_ = x509;
  return c;
}

Certificate::~Certificate() { ossl::Deleter<X509>()(x509_); }
Certificate::Certificate(const Certificate& other) : x509_(other.x509_) {
  if (x509_ != nullptr) X509_up_ref(x509_);
}
Certificate& Certificate::operator=(const Certificate& other) {
  if (this != &other) {
    if (other.x509_ != nullptr) X509_up_ref(other.x509_);
    ossl::Deleter<X509>()(x509_);
    x509_ = other.x509_;
  }
  return *this;
}
Certificate::Certificate(Certificate&& other) noexcept : x509_(other.x509_) { other.x509_ = nullptr; }
Certificate& Certificate::operator=(Certificate&& other) noexcept {
  if (this != &other) {
    ossl::Deleter<X509>()(x509_);
    x509_ = other.x509_;
    other.x509_ = nullptr;
  }
  return *this;
}

Result<std::vector<Certificate>> Certificate::AllFromPem(std::string_view pem, const std::string& what) {
  if (pem.find("-----BEGIN CERTIFICATE-----") == std::string_view::npos) {
    return WrongPem(pem, what, "a certificate");
  }
  ossl::ClearErrors();
  auto bio = MemBio(pem);
  if (!bio) return ossl::OsslError(ErrorCode::kInternal, "out of memory");
  std::vector<Certificate> out;
  for (;;) {
    X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (x == nullptr) {
      unsigned long err = ERR_peek_last_error();
      if (ERR_GET_REASON(err) == PEM_R_NO_START_LINE && !out.empty()) {
        ossl::ClearErrors();
        break;
      }
      return ossl::OsslError(ErrorCode::kInput, "certificate " + std::to_string(out.size() + 1) + " in " + what +
                                                    " cannot be parsed (truncated or corrupt PEM?)");
    }
    out.push_back(Adopt(x));
  }
  return out;
}

Result<Certificate> Certificate::FromDer(std::string_view der, const std::string& what) {
  ossl::ClearErrors();
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (x == nullptr) return ossl::OsslError(ErrorCode::kInput, what + " is neither PEM nor a DER certificate");
  Certificate c = Adopt(x);
  if (p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    return MakeError(ErrorCode::kInput, what + " has data after its DER certificate");
  }
  return c;
}

Result<Certificate> Certificate::FromPem(std::string_view pem, const std::string& what) {
  MQTTPKI_ASSIGN_OR_RETURN(std::vector<Certificate> all, AllFromPem(pem, what));
  if (all.size() != 1) {
    return MakeError(ErrorCode::kInput,
                     what + " holds " + std::to_string(all.size()) + " certificates where one was expected");
  }
  return std::move(all.front());
}

std::string Certificate::ToPem() const {
  auto bio = ossl::Wrap(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), x509_) != 1) return {};
  return BioToString(bio.get());
}

std::string Certificate::ToDer() const {
  return ossl::I2d(i2d_X509, x509_);
}

std::string Certificate::Subject() const { return NameToString(X509_get_subject_name(x509_)); }
std::string Certificate::Issuer() const { return NameToString(X509_get_issuer_name(x509_)); }
std::string Certificate::CommonName() const { return SubjectFields().common_name; }
DistinguishedName Certificate::SubjectFields() const { return NameToFields(X509_get_subject_name(x509_)); }

std::vector<SubjectAltName> Certificate::Sans() const {
  auto names = ossl::Wrap(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x509_, NID_subject_alt_name, nullptr, nullptr)));
  return SansOf(names.get());
}

int64_t Certificate::NotBefore() const { return Asn1TimeToUnix(X509_get0_notBefore(x509_)); }
int64_t Certificate::NotAfter() const { return Asn1TimeToUnix(X509_get0_notAfter(x509_)); }

std::string Certificate::SerialHex() const {
  auto bn = ossl::Wrap(ASN1_INTEGER_to_BN(X509_get0_serialNumber(x509_), nullptr));
  if (!bn) return {};
  ossl::OsslBuffer<char> hex(BN_bn2hex(bn.get()));
  return hex ? std::string(hex.get()) : std::string();
}

int Certificate::SerialBytes() const { return ASN1_STRING_length(X509_get0_serialNumber(x509_)); }

std::string Certificate::Sha256Fingerprint() const {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(x509_, EVP_sha256(), md, &len) != 1) return {};
  return Hex(md, len, ':');
}

std::string Certificate::SignatureAlgorithm() const {
  int nid = X509_get_signature_nid(x509_);
  return nid == NID_undef ? "unknown" : OBJ_nid2ln(nid);
}

std::string Certificate::KeyDescription() const { return DescribeKey(X509_get0_pubkey(x509_)); }
evp_pkey_st* Certificate::PublicKey() const { return X509_get0_pubkey(x509_); }

bool Certificate::IsCa() const { return (X509_get_extension_flags(x509_) & EXFLAG_CA) != 0; }

int Certificate::PathLength() const {
  long p = X509_get_pathlen(x509_);
  return p < 0 ? -1 : static_cast<int>(p);
}

std::vector<std::string> Certificate::KeyUsage() const {
  std::vector<std::string> out;
  if ((X509_get_extension_flags(x509_) & EXFLAG_KUSAGE) == 0) return out;
  uint32_t ku = X509_get_key_usage(x509_);
  static const struct {
    uint32_t bit;
    const char* name;
  } kBits[] = {{KU_DIGITAL_SIGNATURE, "digitalSignature"}, {KU_NON_REPUDIATION, "nonRepudiation"},
               {KU_KEY_ENCIPHERMENT, "keyEncipherment"},   {KU_DATA_ENCIPHERMENT, "dataEncipherment"},
               {KU_KEY_AGREEMENT, "keyAgreement"},         {KU_KEY_CERT_SIGN, "keyCertSign"},
               {KU_CRL_SIGN, "cRLSign"},                   {KU_ENCIPHER_ONLY, "encipherOnly"},
               {KU_DECIPHER_ONLY, "decipherOnly"}};
  for (const auto& b : kBits) {
    if (ku & b.bit) out.push_back(b.name);
  }
  return out;
}

bool Certificate::HasExtendedKeyUsage() const { return (X509_get_extension_flags(x509_) & EXFLAG_XKUSAGE) != 0; }

std::vector<std::string> Certificate::ExtendedKeyUsage() const {
  std::vector<std::string> out;
  auto eku = ossl::Wrap(
      static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(x509_, NID_ext_key_usage, nullptr, nullptr)));
  if (!eku) return out;
  for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
    out.push_back(ObjectName(sk_ASN1_OBJECT_value(eku.get(), i)));
  }
  return out;
}

bool Certificate::IsSelfIssued() const {
  return (X509_get_extension_flags(x509_) & EXFLAG_SS) != 0 ||
         (X509_check_issued(x509_, x509_) == X509_V_OK && X509_verify(x509_, X509_get0_pubkey(x509_)) == 1);
}

bool Certificate::NamesIssuer(const Certificate& issuer) const {
  return X509_check_issued(issuer.x509_, x509_) == X509_V_OK;
}

bool Certificate::IssuedBy(const Certificate& issuer) const {
  if (X509_check_issued(issuer.x509_, x509_) != X509_V_OK) return false;
  int ok = X509_verify(x509_, X509_get0_pubkey(issuer.x509_));
  ossl::ClearErrors();
  return ok == 1;
}

bool Certificate::MatchesHost(const std::string& host) const {
  int rc = IsIpAddress(host) ? X509_check_ip_asc(x509_, host.c_str(), 0)
                             : X509_check_host(x509_, host.c_str(), host.size(), 0, nullptr);
  ossl::ClearErrors();
  return rc == 1;
}

bool Certificate::MatchesKey(const PrivateKey& key) const {
  int ok = X509_check_private_key(x509_, key.get());
  ossl::ClearErrors();
  return ok == 1;
}

bool Certificate::MatchesPublicKey(std::string_view spki_der) const {
  // The certificate's own SubjectPublicKeyInfo, as parsed (encoding its EVP_PKEY again would cost more).
  std::string mine = ossl::I2d(i2d_X509_PUBKEY, X509_get_X509_PUBKEY(x509_));
  return !mine.empty() && mine == spki_der;
}

}  // namespace mqttpki

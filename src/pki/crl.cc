#include "mqttpki/crl.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include "ossl/error.h"
#include "ossl/ptr.h"
#include "pki/der.h"
#include "pki/internal.h"

namespace mqttpki {
namespace {

using CrlPtr = ossl::UniquePtr<X509_CRL>;

}  // namespace

namespace {

// SerialBytes turns upper-case hex into big-endian bytes (kInput on anything else).
Result<std::string> SerialBytes(const std::string& hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (hex.empty() || hex.size() > 42) return MakeError(ErrorCode::kInput, "invalid serial '" + Printable(hex) + "' in the inventory");
  std::string out;
  size_t i = hex.size() % 2;
  if (i == 1) {
    int v = nibble(hex[0]);
    if (v < 0) return MakeError(ErrorCode::kInput, "invalid serial '" + Printable(hex) + "' in the inventory");
    out.push_back(static_cast<char>(v));
  }
  for (; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]);
    int lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return MakeError(ErrorCode::kInput, "invalid serial '" + Printable(hex) + "' in the inventory");
    out.push_back(static_cast<char>(hi << 4 | lo));
  }
  size_t nz = out.find_first_not_of('\0');
  return nz == std::string::npos ? std::string(1, '\0') : out.substr(nz);
}

constexpr std::string_view kOidCrlNumber("\x06\x03\x55\x1d\x14", 5);
constexpr std::string_view kOidAuthorityKeyId("\x06\x03\x55\x1d\x23", 5);
constexpr std::string_view kOidReasonCode("\x06\x03\x55\x1d\x15", 5);

}  // namespace

Result<CrlFiles> MakeCrl(const Certificate& ca_cert, Signer& signer, std::vector<RevokedEntry> revoked,
                         const CrlRequest& r) {
  if (!ca_cert.MatchesPublicKey(signer.PublicKeyDer())) return MakeError(ErrorCode::kInput, "the CA key does not match its certificate");
  // RFC 5280 5.2.3: a crlNumber is a non-negative integer; the CRL is valid from thisUpdate until nextUpdate.
  if (r.number < 0) {
    return MakeError(ErrorCode::kInput, "invalid crlNumber " + std::to_string(r.number) + ": it is 0 or more");
  }
  if (r.next_update <= r.this_update) {
    return MakeError(ErrorCode::kInput, "a CRL's nextUpdate (" + FormatTime(r.next_update) +
                                            ") must come after its thisUpdate (" + FormatTime(r.this_update) + ")");
  }
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(ca_cert.get());
  if (ski == nullptr) return MakeError(ErrorCode::kInput, "the CA certificate has no subjectKeyIdentifier");
  ossl::ClearErrors();

  const std::string& alg_bytes = signer.Algorithm();
  std::string name_bytes = ossl::I2d(i2d_X509_NAME, X509_get_subject_name(ca_cert.get()));
  if (name_bytes.empty()) {
    return ossl::OsslError(ErrorCode::kInternal, "cannot encode the CRL header");
  }

  // Entries, sorted by serial number (shorter magnitudes first, then bytewise: numeric order).
  struct Entry {
    std::string serial;
    const RevokedEntry* source;
  };
  std::vector<Entry> entries;
  entries.reserve(revoked.size());
  for (const RevokedEntry& e : revoked) {
    MQTTPKI_ASSIGN_OR_RETURN(std::string bytes, SerialBytes(e.serial));
    entries.push_back({std::move(bytes), &e});
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.serial.size() != b.serial.size() ? a.serial.size() < b.serial.size() : a.serial < b.serial;
  });
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].serial == entries[i - 1].serial) {
      return MakeError(ErrorCode::kInput, "serial " + Printable(entries[i].source->serial) +
                                              " is revoked twice in the inventory: a CRL lists each certificate once");
    }
  }
  std::string list;
  list.reserve(entries.size() * 48);
  std::string one;
  for (const Entry& e : entries) {
    one.clear();
    der::AppendUnsigned(one, der::kInteger, e.serial);
    der::AppendTime(one, e.source->revoked_at);
    if (e.source->reason != RevocationReason::kUnspecified) {
      std::string code;
      der::AppendUnsigned(code, der::kEnumerated, static_cast<uint64_t>(e.source->reason));
      std::string ext;
      der::AppendExtension(ext, kOidReasonCode, code);
      der::Append(one, der::kSequence, ext);
    }
    der::Append(list, der::kSequence, one);
  }

  std::string extensions;
  std::string number;
  der::AppendUnsigned(number, der::kInteger, static_cast<uint64_t>(r.number));
  std::string keyid = der::Wrap(0x80, std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(ski)),
                                                       static_cast<size_t>(ASN1_STRING_length(ski))));
  der::AppendExtension(extensions, kOidAuthorityKeyId, der::Wrap(der::kSequence, keyid));
  der::AppendExtension(extensions, kOidCrlNumber, number);

  std::string tbs_body;
  tbs_body.reserve(list.size() + 512);
  der::AppendUnsigned(tbs_body, der::kInteger, uint64_t{1});  // v2
  tbs_body += alg_bytes;
  tbs_body += name_bytes;
  der::AppendTime(tbs_body, r.this_update);
  der::AppendTime(tbs_body, r.next_update);
  if (!entries.empty()) der::Append(tbs_body, der::kSequence, list);
  der::Append(tbs_body, 0xa0, der::Wrap(der::kSequence, extensions));
  std::string tbs = der::Wrap(der::kSequence, tbs_body);

  MQTTPKI_ASSIGN_OR_RETURN(std::string der, SignTbs(std::move(tbs), signer));

  CrlFiles out;
  out.entries = entries.size();
  out.der = std::move(der);
  out.pem = PemEncode(out.der, "X509 CRL");
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

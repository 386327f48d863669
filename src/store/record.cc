// What the inventory records, named once: revocation reasons and certificate statuses as their words, and the
// facts a record takes from its certificate.
#include <iterator>

#include "mqttpki/store.h"

namespace mqttpki {
namespace {

// RFC 5280's names of the reasons, as openssl and every CRL tool print them.
constexpr struct {
  const char* name;
  RevocationReason reason;
} kReasons[] = {{"unspecified", RevocationReason::kUnspecified},
                {"keyCompromise", RevocationReason::kKeyCompromise},
                {"cACompromise", RevocationReason::kCaCompromise},
                {"affiliationChanged", RevocationReason::kAffiliationChanged},
                {"superseded", RevocationReason::kSuperseded},
                {"cessationOfOperation", RevocationReason::kCessationOfOperation},
                {"certificateHold", RevocationReason::kCertificateHold},
                {"privilegeWithdrawn", RevocationReason::kPrivilegeWithdrawn}};

constexpr struct {
  const char* name;
  CertStatus status;
} kStatuses[] = {
    {"valid", CertStatus::kValid}, {"revoked", CertStatus::kRevoked}, {"superseded", CertStatus::kSuperseded}};

}  // namespace

Result<RevocationReason> ParseRevocationReason(const std::string& name) {
  for (const auto& r : kReasons) {
    if (name == r.name) return r.reason;
  }
  std::string all;
  for (size_t i = 0; i < std::size(kReasons); ++i) {
    all += (i == 0 ? "" : i + 1 == std::size(kReasons) ? " or " : ", ") + std::string(kReasons[i].name);
  }
  return MakeError(ErrorCode::kUsage, "unknown " + Arg("reason") + " '" + Printable(name) + "': use " + all);
}

std::string RevocationReasonName(RevocationReason reason) {
  for (const auto& r : kReasons) {
    if (r.reason == reason) return r.name;
  }
  return "unspecified";
}

std::optional<CertStatus> ParseCertStatus(std::string_view name) {
  for (const auto& s : kStatuses) {
    if (name == s.name) return s.status;
  }
  return std::nullopt;
}

std::string CertStatusName(CertStatus status) {
  for (const auto& s : kStatuses) {
    if (s.status == status) return s.name;
  }
  return "valid";
}

CertRecord CertRecord::FromCertificate(const Certificate& cert) {
  CertRecord r;
  r.serial = cert.SerialHex();
  r.subject = cert.Subject();
  r.issuer = cert.Issuer();
  for (const SubjectAltName& s : cert.Sans()) r.sans += (r.sans.empty() ? "" : ", ") + s.ToString();
  r.not_before = cert.NotBefore();
  r.not_after = cert.NotAfter();
  r.sha256 = cert.Sha256Fingerprint();
  return r;
}

Result<int> ParseLockTimeout(std::string_view text) {
  long v = text.empty() ? -1 : 0;
  for (char c : text) {
    if (c < '0' || c > '9' || v > kMaxLockTimeoutSeconds) {
      v = -1;
      break;
    }
    v = v * 10 + (c - '0');
  }
  if (v < 0 || v > kMaxLockTimeoutSeconds) {
    return MakeError(ErrorCode::kUsage, "invalid " + Arg("lock_timeout") + " '" + Printable(text) +
                                            "': a whole number of seconds, 0 to " +
                                            std::to_string(kMaxLockTimeoutSeconds));
  }
  return static_cast<int>(v);
}

}  // namespace mqttpki

// The inventory's names (record.cc): revocation reasons and statuses, the facts a record takes from its
// certificate, and the lock timeout setting.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mqttpki/store.h"
#include "pki/test_util.h"

namespace mqttpki {
namespace {

using testing::RunCommand;
using testing::TempDir;

TEST(RevocationReason, EveryReasonIsNamedAsRfc5280AndOpensslNameIt) {
  const std::vector<std::pair<std::string, RevocationReason>> reasons = {
      {"unspecified", RevocationReason::kUnspecified},
      {"keyCompromise", RevocationReason::kKeyCompromise},
      {"cACompromise", RevocationReason::kCaCompromise},
      {"affiliationChanged", RevocationReason::kAffiliationChanged},
      {"superseded", RevocationReason::kSuperseded},
      {"cessationOfOperation", RevocationReason::kCessationOfOperation},
      {"certificateHold", RevocationReason::kCertificateHold},
      {"privilegeWithdrawn", RevocationReason::kPrivilegeWithdrawn}};
  for (const auto& [name, reason] : reasons) {
    Result<RevocationReason> parsed = ParseRevocationReason(name);
    ASSERT_TRUE(parsed.ok()) << name;
    EXPECT_EQ(*parsed, reason) << name;
    EXPECT_EQ(RevocationReasonName(reason), name);
  }
}

TEST(RevocationReason, AnUnknownReasonListsTheKnownOnesAndCannotForgeAReference) {
  Result<RevocationReason> bad = ParseRevocationReason("KeyCompromise");  // the names are case-sensitive
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kUsage);
  EXPECT_EQ(bad.error().argument, "reason");
  EXPECT_EQ(testing::Worded(bad.error()),
            "unknown --reason 'KeyCompromise': use unspecified, keyCompromise, cACompromise, affiliationChanged, "
            "superseded, cessationOfOperation, certificateHold or privilegeWithdrawn");
  // A value holding the bytes of a reference is quoted as text, not worded as a flag.
  Result<RevocationReason> forged = ParseRevocationReason(Arg("force") + "\n");
  ASSERT_FALSE(forged.ok());
  std::string worded = testing::Worded(forged.error());
  EXPECT_EQ(worded.substr(0, worded.find(':')), "unknown --reason '\\x01aforce\\x02\\n'");
}

TEST(CertStatus, NamesRoundTripAndUnknownOnesAreNone) {
  for (CertStatus s : {CertStatus::kValid, CertStatus::kRevoked, CertStatus::kSuperseded}) {
    EXPECT_EQ(ParseCertStatus(CertStatusName(s)), s);
  }
  EXPECT_EQ(CertStatusName(CertStatus::kRevoked), "revoked");
  EXPECT_EQ(ParseCertStatus("Revoked"), std::nullopt);
  EXPECT_EQ(ParseCertStatus(""), std::nullopt);
}

TEST(CertRecord, FromCertificateSaysWhatOpensslReadsInIt) {
  testing::TestCa root = testing::MakeTestRoot();
  PrivateKey key = testing::TestKey();
  Certificate leaf =
      testing::IssueTest(Profile::kServer, "broker.example.com", {"broker.example.com", "10.0.0.9"}, key, &root);
  CertRecord r = CertRecord::FromCertificate(leaf);
  TempDir dir;
  testing::WriteTestFile(dir / "leaf.pem", leaf.ToPem());
  testing::CommandResult o =
      RunCommand("openssl x509 -noout -serial -fingerprint -sha256 -dates -in '" + (dir / "leaf.pem") + "'");
  ASSERT_EQ(o.status, 0) << o.output;
  EXPECT_NE(o.output.find("serial=" + r.serial + "\n"), std::string::npos) << o.output << r.serial;
  EXPECT_NE(o.output.find("sha256 Fingerprint=" + r.sha256 + "\n"), std::string::npos) << o.output << r.sha256;
  EXPECT_EQ(r.subject, leaf.Subject());
  EXPECT_EQ(r.issuer, root.cert.Subject());
  EXPECT_EQ(r.sans, "DNS:broker.example.com, IP:10.0.0.9");
  EXPECT_EQ(r.not_before, leaf.NotBefore());
  EXPECT_EQ(r.not_after, leaf.NotAfter());
  EXPECT_EQ(r.status, CertStatus::kValid);
}

TEST(ParseLockTimeout, WholeSecondsInRange) {
  for (const auto& [text, want] :
       std::vector<std::pair<const char*, int>>{{"0", 0}, {"7", 7}, {"007", 7}, {"86400", 86400}}) {
    Result<int> r = ParseLockTimeout(text);
    ASSERT_TRUE(r.ok()) << text;
    EXPECT_EQ(*r, want) << text;
  }
  for (const char* bad : {"", "86401", "-1", "1.5", "5s", " 5", "99999999999999999999", "\x1b[31m"}) {
    Result<int> r = ParseLockTimeout(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kUsage);
    EXPECT_EQ(r.error().argument, "lock_timeout");
    EXPECT_EQ(testing::Worded(r.error()),
              "invalid --lock_timeout '" + Printable(bad) + "': a whole number of seconds, 0 to 86400");
  }
}

}  // namespace
}  // namespace mqttpki

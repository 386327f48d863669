// The lifecycle operations called directly, as a server or a test harness would: no CLI involved.
#include <gtest/gtest.h>


#include "mqttpki/ops.h"
#include "mqttpki/verify.h"
#include "pki/test_util.h"

namespace mqttpki {
namespace {

using testing::TempDir;
using testing::Worded;

constexpr int64_t kNow = 1790000000;
constexpr int64_t kDay = 86400;

// LifecycleTest builds the tutorial's PKI (root-ca, server-ca, mqtt-server-1), recorded in its inventory.
class LifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::TestCas cas = testing::MakeTestCas(pki_, dir_ / "pass", kNow, "server-ca");
    FileTransaction tx(RealFileSystem(), false);
    Report report;
    LeafOptions leaf;
    leaf.sans = {ParseSan("mqtt.example.com").value()};
    Result<Certificate> server = pki_.IssueLeaf("mqtt-server-1", leaf, cas.ca, kNow, tx, report);
    ASSERT_TRUE(server.ok()) << server.error().message;
    ASSERT_TRUE(pki_.WriteBundle(cas.root.cert, {}, tx, report).ok());
    Status st = CommitWithInventory(pki_, tx, report.inventory, kNow);
    ASSERT_TRUE(st.ok()) << st.error().message;
    root_ = cas.root.cert;
    server_serial_ = server->SerialHex();
  }

  PassphraseProvider Pass() const { return PassphraseProvider(RealFileSystem(), dir_ / "pass"); }

  CertRecord Record(const std::string& serial) {
    std::unique_ptr<Inventory> inv = ops::RequireInventory(pki_, ops::Access::kRead, kNow).value();
    return inv->store().BySerial(serial).value().value();
  }

  // ServerVerifies checks mqtt-server-1's chain file against the root, as a device would.
  bool ServerVerifies(int64_t now) {
    std::string pem = RealFileSystem().ReadFile(pki_.ChainPath("mqtt-server-1"), kMaxInputBytes).value();
    VerifyOptions vo;
    vo.trusted = {root_};
    vo.host = "mqtt.example.com";
    vo.now = now;
    return VerifyChain(Certificate::AllFromPem(pem, "chain").value(), vo)->ok;
  }

  TempDir dir_;
  PkiDir pki_{dir_ / "pki"};
  Certificate root_;
  std::string server_serial_;
};

TEST_F(LifecycleTest, RevokeThenPublishCrls) {
  Result<ops::RevokeResult> revoked = ops::Revoke(pki_, "mqtt-server-1", RevocationReason::kKeyCompromise, kNow);
  ASSERT_TRUE(revoked.ok()) << revoked.error().message;
  EXPECT_EQ(revoked->record.serial, server_serial_);
  EXPECT_EQ(Record(server_serial_).status, CertStatus::kRevoked);

  // Nothing is revoked twice, and the root never.
  Result<ops::RevokeResult> again = ops::Revoke(pki_, server_serial_, RevocationReason::kUnspecified, kNow);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().certificate, server_serial_);
  EXPECT_NE(again.error().message.find("is already revoked since"), std::string::npos) << again.error().message;
  Result<ops::RevokeResult> root = ops::Revoke(pki_, "root-ca", RevocationReason::kUnspecified, kNow);
  ASSERT_FALSE(root.ok());
  EXPECT_NE(root.error().message.find("the root CA cannot be revoked"), std::string::npos);

  PassphraseProvider pass = Pass();
  Result<ops::CrlResult> crls = ops::PublishCrls(pki_, {}, pass, kNow);
  ASSERT_TRUE(crls.ok()) << crls.error().message;
  ASSERT_EQ(crls->crls.size(), 2u);  // root-ca and server-ca
  for (const ops::PublishedCrl& c : crls->crls) {
    EXPECT_EQ(c.number, 1);
    EXPECT_EQ(c.entries, c.ca == "server-ca" ? 1u : 0u) << c.ca;
    EXPECT_EQ(c.next_update, kNow + 30 * kDay);
  }
  EXPECT_TRUE(RealFileSystem().Exists(pki_.CombinedCrlPath()).value());
  // The next CRL of a CA has the next crlNumber.
  ops::CrlOptions only;
  only.ca = "server-ca";
  only.days = 7;
  Result<ops::CrlResult> next = ops::PublishCrls(pki_, only, pass, kNow + kDay);
  ASSERT_TRUE(next.ok()) << next.error().message;
  ASSERT_EQ(next->crls.size(), 1u);
  EXPECT_EQ(next->crls[0].number, 2);
  // Seven days to go: the warning of a CRL about to lapse.
  std::unique_ptr<Inventory> inv = ops::RequireInventory(pki_, ops::Access::kRead, kNow).value();
  std::vector<std::string> warnings = ops::CrlWarnings(inv->store(), kNow + 5 * kDay);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(Worded(warnings[0]).find("run 'mqttpki crl --ca server-ca'"), std::string::npos) << warnings[0];
}

TEST_F(LifecycleTest, RenewSupersedesTheOldCertificate) {
  PassphraseProvider pass = Pass();
  ops::RenewOptions o;
  o.name = "mqtt-server-1";
  Result<ops::RenewResult> renewed = ops::Renew(pki_, o, pass, kNow + 300 * kDay);
  ASSERT_TRUE(renewed.ok()) << renewed.error().message;
  EXPECT_EQ(renewed->superseded, server_serial_);
  EXPECT_NE(renewed->cert.SerialHex(), server_serial_);
  EXPECT_EQ(Record(server_serial_).status, CertStatus::kSuperseded);
  EXPECT_EQ(Record(renewed->cert.SerialHex()).status, CertStatus::kValid);
  EXPECT_TRUE(ServerVerifies(kNow + 400 * kDay));

  // A CA is rotated, not renewed; --key without --rekey is a usage error.
  o.name = "server-ca";
  Result<ops::RenewResult> ca = ops::Renew(pki_, o, pass, kNow);
  ASSERT_FALSE(ca.ok());
  EXPECT_EQ(Worded(ca.error()), "'server-ca' is a CA: use 'mqttpki rotate server-ca'");
  o.name = "mqtt-server-1";
  o.key = KeyType::kRsa2048;
  Result<ops::RenewResult> key = ops::Renew(pki_, o, pass, kNow);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kUsage);
  EXPECT_EQ(key.error().argument, "key");
}

TEST_F(LifecycleTest, NeedsRenewalByShareOfLifeOrWindow) {
  ops::RenewalPolicy by_share;  // 66% of 365 days: due after about 241 days
  Result<ops::RenewalCheck> early = ops::NeedsRenewal(pki_, "mqtt-server-1", by_share, kNow + 200 * kDay);
  ASSERT_TRUE(early.ok()) << early.error().message;
  EXPECT_FALSE(early->due);
  EXPECT_EQ(early->file, pki_.CertPath("mqtt-server-1"));
  EXPECT_TRUE(ops::NeedsRenewal(pki_, "mqtt-server-1", by_share, kNow + 250 * kDay)->due);
  ops::RenewalPolicy by_window;
  by_window.window = 30 * kDay;
  EXPECT_FALSE(ops::NeedsRenewal(pki_, pki_.CertPath("mqtt-server-1"), by_window, kNow + 300 * kDay)->due);
  EXPECT_TRUE(ops::NeedsRenewal(pki_, pki_.CertPath("mqtt-server-1"), by_window, kNow + 340 * kDay)->due);
}

TEST_F(LifecycleTest, RotateReissuesTheServersUnderTheNewIntermediate) {
  PassphraseProvider pass = Pass();
  ops::RotateOptions o;
  o.ca = "server-ca";
  Result<ops::RotateResult> rotated = ops::Rotate(pki_, o, pass, kNow + kDay);
  ASSERT_TRUE(rotated.ok()) << rotated.error().message;
  EXPECT_EQ(rotated->reissued, std::vector<std::string>{"mqtt-server-1"});
  EXPECT_EQ(Record(server_serial_).status, CertStatus::kSuperseded);
  // The device's trust anchor is unchanged: the new chain verifies against the same root.
  EXPECT_TRUE(ServerVerifies(kNow + 2 * kDay));
  Certificate current = pki_.LoadCertificate("mqtt-server-1").value();
  EXPECT_TRUE(current.IssuedBy(rotated->cert));

  o.ca = "root-ca";
  Result<ops::RotateResult> root = ops::Rotate(pki_, o, pass, kNow + kDay);
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.error().message, "'root-ca' is the root: devices trust it, it is not rotated");
}

TEST_F(LifecycleTest, ARevokedCaRefusesToIssueThroughEveryOperation) {
  ASSERT_TRUE(ops::Revoke(pki_, "server-ca", RevocationReason::kCaCompromise, kNow).ok());
  PassphraseProvider pass = Pass();
  const std::string refusal = "the CA 'server-ca' was revoked on ";

  Result<CaMaterial> loaded = ops::LoadIssuer(pki_, "server-ca", pass, kNow);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(Worded(loaded.error()).rfind(refusal, 0), 0u) << loaded.error().message;
  EXPECT_NE(Worded(loaded.error())
                .find("(cACompromise): it must not issue; give it a new key first "
                      "('mqttpki rotate server-ca')"),
            std::string::npos)
      << Worded(loaded.error());

  ops::RenewOptions renew;
  renew.name = "mqtt-server-1";
  Result<ops::RenewResult> renewed = ops::Renew(pki_, renew, pass, kNow);
  ASSERT_FALSE(renewed.ok());
  EXPECT_EQ(renewed.error().message.rfind(refusal, 0), 0u) << renewed.error().message;

  ops::IssueServerOptions server;
  server.name = "mqtt-server-2";
  server.leaf.sans = {ParseSan("mqtt2.example.com").value()};
  Result<ops::IssueResult> issued = ops::IssueServer(pki_, server, pass, kNow);
  ASSERT_FALSE(issued.ok());
  EXPECT_EQ(issued.error().message.rfind(refusal, 0), 0u) << issued.error().message;

  // A CSR made where its key lives (another directory), signed here.
  PkiDir broker(dir_ / "broker");
  FileTransaction csr_tx(RealFileSystem(), false);
  Report csr_report;
  LeafOptions csr_options;
  csr_options.sans = {ParseSan("mqtt3.example.com").value()};
  Result<CertificateRequest> csr = broker.CreateCsr("mqtt-server-3", csr_options, csr_tx, csr_report);
  ASSERT_TRUE(csr.ok()) << csr.error().message;
  ops::SignCsrOptions sign;
  sign.name = "mqtt-server-3";
  Result<ops::IssueResult> signed_csr = ops::SignCsr(pki_, *csr, "mqtt-server-3.csr.pem", sign, pass, kNow);
  ASSERT_FALSE(signed_csr.ok());
  EXPECT_EQ(signed_csr.error().message.rfind(refusal, 0), 0u) << signed_csr.error().message;

  ops::DeviceBatchOptions devices;
  devices.batch.ca_name = "server-ca";
  devices.batch.out_dir = dir_ / "devices";
  std::unique_ptr<DeviceSource> source = CountSource("dev-", 1, 3);
  Result<BatchResult> batch = ops::IssueDevices(pki_, devices, *source, pass, kNow, nullptr, nullptr);
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.error().message.rfind(refusal, 0), 0u) << batch.error().message;
  // Nothing of any of them was written.
  EXPECT_FALSE(RealFileSystem().Exists(pki_.CertPath("mqtt-server-2")).value());
  EXPECT_FALSE(RealFileSystem().Exists(pki_.CertPath("mqtt-server-3")).value());
  EXPECT_FALSE(RealFileSystem().Exists(dir_ / "devices").value());

  // Rotation gives it a new key: the new intermediate issues again.
  ops::RotateOptions rotate;
  rotate.ca = "server-ca";
  Result<ops::RotateResult> rotated = ops::Rotate(pki_, rotate, pass, kNow + kDay);
  ASSERT_TRUE(rotated.ok()) << rotated.error().message;
  EXPECT_TRUE(ops::LoadIssuer(pki_, "server-ca", pass, kNow + kDay).ok());
  EXPECT_TRUE(ops::Renew(pki_, renew, pass, kNow + 2 * kDay).ok());
  EXPECT_TRUE(ops::IssueServer(pki_, server, pass, kNow + 2 * kDay).ok());
}

TEST_F(LifecycleTest, NoPkiSaysWhatToRun) {
  PkiDir none(dir_ / "none");
  Result<std::unique_ptr<Inventory>> inv = ops::RequireInventory(none, ops::Access::kRead, kNow);
  ASSERT_FALSE(inv.ok());
  EXPECT_EQ(Worded(inv.error()), "no PKI in " + none.root() + " (run 'mqttpki quickstart' or give --pki DIR)");
  EXPECT_EQ(inv.error().file, none.root());
}

TEST_F(LifecycleTest, AnUnknownNameIsQuotedAsText) {
  // A name from a request is quoted escaped: it can neither move the terminal nor pass for a reference.
  std::string hostile = "x\x1b[2J" + Arg("force");
  Result<ops::RevokeResult> r = ops::Revoke(pki_, hostile, RevocationReason::kUnspecified, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInput);
  EXPECT_EQ(r.error().argument, "");
  EXPECT_EQ(Worded(r.error()), "no certificate named or with serial 'x\\x1b[2J\\x01aforce\\x02' in the inventory");
}

}  // namespace
}  // namespace mqttpki

// The issuing operations (issue.cc) called directly, as a server would: broker certificates, CSRs signed under
// the policy, device batches. What they write is checked by the openssl CLI and GNU tar.
#include <gtest/gtest.h>


#include "mqttpki/ops.h"
#include "pki/test_util.h"

namespace mqttpki {
namespace {

using testing::Listing;
using testing::ReadTestFile;
using testing::RunCommand;
using testing::TempDir;
using testing::Worded;

constexpr int64_t kNow = 1790000000;  // 2026-09-21, pinned

// IssueOpsTest is a PKI with root-ca and server-ca (encrypted keys), recorded in its inventory.
class IssueOpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CaOptions servers;
    servers.issues_for = Profile::kServer;
    testing::TestCas cas = testing::MakeTestCas(pki_, dir_ / "pass", kNow, "server-ca", servers);
    FileTransaction tx(RealFileSystem(), false);
    Report report;
    ASSERT_TRUE(pki_.WriteBundle(cas.root.cert, {}, tx, report).ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  PassphraseProvider Pass() const { return PassphraseProvider(RealFileSystem(), dir_ / "pass"); }
  CertRecord Record(const std::string& serial) {
    std::unique_ptr<Inventory> inv = ops::RequireInventory(pki_, ops::Access::kRead, kNow).value();
    return inv->store().BySerial(serial).value().value();
  }
  // OpensslVerifies: openssl verify -x509_strict of |chain|'s first certificate for |purpose| (and |host|),
  // under ca-bundle.pem, at the test's pinned time.
  bool OpensslVerifies(const std::string& chain, const std::string& purpose, const std::string& host = "") {
    testing::CommandResult r =
        RunCommand("openssl verify -x509_strict -attime " + std::to_string(kNow + 60) + " -purpose " + purpose +
                   (host.empty() ? "" : " -verify_hostname " + host) + " -CAfile '" + pki_.BundlePath() +
                   "' -untrusted '" + chain + "' '" + chain + "'");
    EXPECT_EQ(r.status, 0) << r.output;
    return r.status == 0;
  }

  TempDir dir_;
  PkiDir pki_{dir_ / "pki"};
};

TEST_F(IssueOpsTest, IssueServerWritesWhatADeviceVerifiesAndRecordsIt) {
  ops::IssueServerOptions o;
  o.name = "broker";
  o.leaf.sans = {ParseSan("mqtt.example.com").value(), ParseSan("10.0.0.7").value()};
  PassphraseProvider pass = Pass();
  Result<ops::IssueResult> issued = ops::IssueServer(pki_, o, pass, kNow);
  ASSERT_TRUE(issued.ok()) << issued.error().message;
  EXPECT_TRUE(OpensslVerifies(pki_.ChainPath("broker"), "sslserver", "mqtt.example.com"));
  CertRecord r = Record(issued->cert.SerialHex());
  EXPECT_EQ(r.name, "broker");
  EXPECT_EQ(r.ca, "server-ca");
  EXPECT_EQ(r.profile, "server");
  EXPECT_EQ(r.key_path, "broker/private/broker.key.pem");
  EXPECT_EQ(r.chain_path, "broker/broker.chain.pem");

  // Again: refused before a passphrase is asked for, and nothing changes.
  std::vector<std::string> before = Listing(pki_.root());
  PassphraseProvider none(RealFileSystem(), "");
  Result<ops::IssueResult> again = ops::IssueServer(pki_, o, none, kNow);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kExists);
  EXPECT_EQ(Listing(pki_.root()), before);
  // With force, a new certificate replaces it and the first one is superseded.
  o.force = true;
  Result<ops::IssueResult> replaced = ops::IssueServer(pki_, o, pass, kNow + 10);
  ASSERT_TRUE(replaced.ok()) << replaced.error().message;
  EXPECT_EQ(Record(issued->cert.SerialHex()).status, CertStatus::kSuperseded);
  EXPECT_EQ(Record(replaced->cert.SerialHex()).status, CertStatus::kValid);
}

TEST_F(IssueOpsTest, SignCsrKeepsTheCsrAndSaysWhatItIgnored) {
  testing::CommandResult made = RunCommand(
      "cd '" + dir_.path() +
      "' && openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout r.key "
      "-subj /CN=edge.example.com -addext subjectAltName=DNS:edge.example.com -addext extendedKeyUsage=codeSigning "
      "-addext keyUsage=keyEncipherment -out r.csr");
  ASSERT_EQ(made.status, 0) << made.output;
  Result<CertificateRequest> csr = CertificateRequest::FromPem(ReadTestFile(dir_ / "r.csr"), "r.csr");
  ASSERT_TRUE(csr.ok()) << csr.error().message;
  ops::SignCsrOptions o;
  o.name = "edge";
  PassphraseProvider pass = Pass();
  Result<ops::IssueResult> signed_csr = ops::SignCsr(pki_, *csr, "r.csr", o, pass, kNow);
  ASSERT_TRUE(signed_csr.ok()) << signed_csr.error().message;
  ASSERT_EQ(signed_csr->report.warnings.size(), 1u);
  EXPECT_EQ(signed_csr->report.warnings[0],
            "the CSR asked for extendedKeyUsage, keyUsage; ignored: the server profile decides these");
  EXPECT_TRUE(OpensslVerifies(pki_.ChainPath("edge"), "sslserver", "edge.example.com"));
  testing::CommandResult kept = RunCommand("openssl req -verify -noout -in '" + pki_.CsrPath("edge") + "'");
  EXPECT_EQ(kept.status, 0) << kept.output;
  EXPECT_TRUE(Record(signed_csr->cert.SerialHex()).key_path.empty());  // the key stays with the requester

  // A server-only CA never issues a client certificate, whatever the CSR.
  o.name = "edge-client";
  o.sign.profile = Profile::kClient;
  Result<ops::IssueResult> client = ops::SignCsr(pki_, *csr, "r.csr", o, pass, kNow);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error().message,
            "the CA 'mqttpki MQTT Server CA' may issue no client certificates (its extendedKeyUsage lacks clientAuth): "
            "use another CA");
  EXPECT_FALSE(std::filesystem::exists(pki_.CertPath("edge-client")));
}

TEST_F(IssueOpsTest, IssueDevicesNeedsAClientCaAndWritesWhatTarAndOpensslRead) {
  ops::DeviceBatchOptions o;
  o.batch.archive = dir_ / "devices.tar";
  o.batch.jobs = 1;
  PassphraseProvider pass = Pass();
  std::unique_ptr<DeviceSource> three = CountSource("dev-", 1, 3);
  Result<BatchResult> no_ca = ops::IssueDevices(pki_, o, *three, pass, kNow, nullptr, nullptr);
  ASSERT_FALSE(no_ca.ok());
  EXPECT_EQ(Worded(no_ca.error()), "there is no CA 'device-ca' in " + pki_.root() +
                                       ": create it with 'mqttpki ca create device-ca --for client'");

  {
    CaMaterial root = std::move(pki_.LoadCa(kRootName, pass).value());
    FileTransaction tx(RealFileSystem(), false);
    Report report;
    CaOptions devices;
    devices.issues_for = Profile::kClient;
    devices.protection.encrypt = false;
    ASSERT_TRUE(pki_.CreateIntermediate("device-ca", devices, root, kNow, pass, tx, report).ok());
    ASSERT_TRUE(pki_.WriteBundle(root.cert, {}, tx, report).ok());
    ASSERT_TRUE(CommitWithInventory(pki_, tx, report.inventory, kNow).ok());
  }
  Result<BatchResult> batch = ops::IssueDevices(pki_, o, *three, pass, kNow, nullptr, nullptr);
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  EXPECT_EQ(batch->issued, 3u);
  EXPECT_EQ(batch->outputs, std::vector<std::string>{dir_ / "devices.tar"});
  testing::CommandResult x = RunCommand("cd '" + dir_.path() + "' && tar -xf devices.tar && ls dev-000002");
  ASSERT_EQ(x.status, 0) << x.output;
  EXPECT_EQ(x.output, "dev-000002.cert.pem\ndev-000002.chain.pem\ndev-000002.key.pem\n");
  EXPECT_TRUE(OpensslVerifies(dir_ / "dev-000002/dev-000002.chain.pem", "sslclient"));

  // The same batch again: every device is done already.
  std::unique_ptr<DeviceSource> same = CountSource("dev-", 1, 3);
  Result<BatchResult> rerun = ops::IssueDevices(pki_, o, *same, pass, kNow, nullptr, nullptr);
  ASSERT_TRUE(rerun.ok()) << rerun.error().message;
  EXPECT_EQ(rerun->issued, 0u);
  EXPECT_EQ(rerun->skipped, 3u);
}

}  // namespace
}  // namespace mqttpki

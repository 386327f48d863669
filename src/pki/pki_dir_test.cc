#include "mqttpki/pki_dir.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include "mqttpki/deploy.h"
#include "mqttpki/import.h"
#include "mqttpki/verify.h"
#include "pki/test_util.h"

namespace mqttpki {
namespace {

using testing::FaultyFileSystem;
using testing::Listing;
using testing::TempDir;

constexpr int64_t kNow = 1790000000;

class PkiDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_ / "pass") << "correct horse battery\n";
  }
  std::string PassFile() const { return dir_ / "pass"; }
  TempDir dir_;
};

TEST_F(PkiDirTest, BuildsTheTutorialLayout) {
  PkiDir pki(dir_ / "pki");
  PassphraseProvider pass(RealFileSystem(), PassFile());
  FileTransaction tx(RealFileSystem(), false);
  Report report;
  Result<CaMaterial> root = pki.CreateRoot({}, kNow, pass, tx, report);
  ASSERT_TRUE(root.ok()) << root.error().message;
  Result<CaMaterial> inter = pki.CreateIntermediate("server-ca", {}, *root, kNow, pass, tx, report);
  ASSERT_TRUE(inter.ok()) << inter.error().message;
  LeafOptions leaf;
  leaf.sans = {ParseSan("mqtt.example.com").value()};
  Result<Certificate> server = pki.IssueLeaf("mqtt-server-1", leaf, *inter, kNow, tx, report);
  ASSERT_TRUE(server.ok()) << server.error().message;
  ASSERT_TRUE(pki.WriteBundle(root->cert, {}, tx, report).ok());
  ASSERT_TRUE(tx.Commit().ok());

  std::vector<std::string> expected = {
      "root-ca/private/root-ca.key.pem",           "root-ca/certs/root-ca.cert.pem",
      "server-ca/private/server-ca.key.pem",       "server-ca/csr/server-ca.csr.pem",
      "server-ca/certs/server-ca.cert.pem",        "mqtt-server-1/private/mqtt-server-1.key.pem",
      "mqtt-server-1/csr/mqtt-server-1.csr.pem",   "mqtt-server-1/certs/mqtt-server-1.cert.pem",
      "mqtt-server-1/mqtt-server-1.chain.pem",     "ca-bundle.pem"};
  ASSERT_EQ(report.files.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(report.files[i].path, pki.Path(expected[i]));

  // Reading back: the CA loads with the passphrase, and the chain file is leaf first.
  PassphraseProvider again(RealFileSystem(), PassFile());
  Result<CaMaterial> loaded = pki.LoadCa("server-ca", again);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  Result<std::string> chain_pem = RealFileSystem().ReadFile(pki.ChainPath("mqtt-server-1"), kMaxInputBytes);
  std::vector<Certificate> chain = Certificate::AllFromPem(*chain_pem, "chain").value();
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_EQ(chain[0].CommonName(), "mqtt.example.com");
  EXPECT_EQ(chain[1].CommonName(), "mqttpki MQTT Server CA");
  VerifyOptions vo;
  vo.trusted = {root->cert};
  vo.host = "mqtt.example.com";
  vo.now = kNow;
  EXPECT_TRUE(VerifyChain(chain, vo)->ok);

  // A device bundle holds CA certificates only: the server's own certificate is no trust anchor.
  EXPECT_TRUE(CheckTrustAnchors({root->cert, inter->cert}, "bundle").ok());
  Status leaf_anchor = CheckTrustAnchors(chain, "chain.pem");
  ASSERT_FALSE(leaf_anchor.ok());
  EXPECT_EQ(leaf_anchor.error().code, ErrorCode::kInput);
  EXPECT_NE(leaf_anchor.error().message.find("certificate 1 of 2 ('mqtt.example.com') is not a CA certificate"),
            std::string::npos)
      << leaf_anchor.error().message;
  FileTransaction export_tx(RealFileSystem(), false);
  Report export_report;
  EXPECT_FALSE(ExportDevice({*server}, {DeviceFormat::kPem}, dir_ / "fw", export_tx, export_report).ok());
  EXPECT_TRUE(export_tx.StagedPaths().empty());
}

TEST_F(PkiDirTest, FailedCommitLeavesNothing) {
  for (int fail_at = 1; fail_at < 60; fail_at += 3) {
    TempDir dir;
    auto before = Listing(dir.path());
    FaultyFileSystem fs(fail_at);
    PkiDir pki(dir / "pki", fs);
    CaOptions plain;
    plain.protection.encrypt = false;
    PassphraseProvider pass(fs, "");
    Status st;
    {
      FileTransaction tx(fs, false);
      Report report;
      Result<CaMaterial> root = pki.CreateRoot(plain, kNow, pass, tx, report);
      ASSERT_TRUE(root.ok());
      Result<CaMaterial> inter = pki.CreateIntermediate("server-ca", plain, *root, kNow, pass, tx, report);
      ASSERT_TRUE(inter.ok());
      LeafOptions leaf;
      leaf.sans = {ParseSan("10.0.0.5").value()};
      ASSERT_TRUE(pki.IssueLeaf("mqtt-server-1", leaf, *inter, kNow, tx, report).ok());
      st = tx.Commit();
    }
    if (fs.calls() < fail_at) break;
    EXPECT_FALSE(st.ok());
    EXPECT_EQ(Listing(dir.path()), before) << "fail_at=" << fail_at;
  }
}

TEST_F(PkiDirTest, BadDefaultsNameTheConfigFile) {
  PkiDir pki(dir_.path());
  std::ofstream(pki.ConfigPath()) << R"({"country": "DEUX", "organization": "mqttpki", "org_unit": "PKI"})";
  Result<SubjectDefaults> d = pki.Defaults();
  ASSERT_FALSE(d.ok());
  // A bad value read from a file is bad input (exit 3), not a usage error, and the file is named.
  EXPECT_EQ(d.error().code, ErrorCode::kInput);
  EXPECT_NE(d.error().message.find(pki.ConfigPath()), std::string::npos) << d.error().message;
  EXPECT_NE(d.error().message.find("'DEUX'"), std::string::npos) << d.error().message;
  std::ofstream(pki.ConfigPath(), std::ios::trunc) << R"({"country": "DE", "organization": "Acme"})";
  d = pki.Defaults();
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->country, "DE");
  EXPECT_EQ(d->organization, "Acme");
}

TEST_F(PkiDirTest, ImportRefusesAnExpiredIntermediate) {
  // The source: the tutorial's layout (mqttpki's), with an intermediate valid for one day.
  PkiDir src(dir_ / "ecpki");
  {
    PassphraseProvider none(RealFileSystem(), "");
    FileTransaction tx(RealFileSystem(), false);
    Report report;
    CaOptions plain;
    plain.protection.encrypt = false;
    Result<CaMaterial> root = src.CreateRoot(plain, kNow, none, tx, report);
    ASSERT_TRUE(root.ok()) << root.error().message;
    CaOptions short_lived = plain;
    short_lived.days = 1;
    Result<CaMaterial> inter = src.CreateIntermediate("server-ca", short_lived, *root, kNow, none, tx, report);
    ASSERT_TRUE(inter.ok()) << inter.error().message;
    LeafOptions leaf;
    leaf.sans = {ParseSan("mqtt.example.com").value()};
    ASSERT_TRUE(src.IssueLeaf("mqtt-server-1", leaf, *inter, kNow, tx, report).ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  std::string dest_dir = dir_ / "imported";
  auto import_at = [&](int64_t now, Report& report) {
    PkiDir dest(dest_dir);
    PassphraseProvider pass(RealFileSystem(), "");
    FileTransaction tx(RealFileSystem(), false);
    Status st = ImportTutorialPki(src.root(), dest, now, pass, tx, report);
    if (st.ok()) st = tx.Commit();
    return st;
  };
  Report late;
  Status st = import_at(kNow + 30 * 86400, late);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInput);
  EXPECT_NE(st.error().message.find("intermediate CA server-ca"), std::string::npos) << st.error().message;
  EXPECT_NE(st.error().message.find("expired on"), std::string::npos) << st.error().message;
  EXPECT_FALSE(std::filesystem::exists(dest_dir));
  // While it is valid, the same PKI is adopted.
  Report in_time;
  st = import_at(kNow + 3600, in_time);
  EXPECT_TRUE(st.ok()) << st.error().message;
}

TEST(PkiDirNames, ValidateName) {
  EXPECT_TRUE(PkiDir::ValidateName("mqtt-server-1").ok());
  for (const char* bad : {"", "../etc", "a/b", ".hidden", "-x", "a b"}) {
    EXPECT_FALSE(PkiDir::ValidateName(bad).ok()) << bad;
  }
  EXPECT_EQ(PkiDir::ValidateName("a/b").error().message,
            "invalid name 'a/b': it contains '/'; use letters, digits, '.', '_' and '-' only (it becomes a directory)");
}

}  // namespace
}  // namespace mqttpki

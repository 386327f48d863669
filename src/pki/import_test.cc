#include "mqttpki/import.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "mqttpki/signer.h"
#include "pki/test_util.h"

namespace mqttpki {
namespace {

using testing::IssueTest;
using testing::kTestNow;
using testing::Listing;
using testing::MakeTestIntermediate;
using testing::MakeTestRoot;
using testing::ReadTestFile;
using testing::RunCommand;
using testing::TempDir;
using testing::TestCa;
using testing::TestKey;
using testing::Worded;
using testing::WriteTestFile;

constexpr int64_t kDay = 86400;

// RepoRoot is the source tree this test was built from (tests/testdata lives there).
std::string RepoRoot() { return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().string(); }

std::vector<std::string> Names(const std::vector<Certificate>& certs) {
  std::vector<std::string> out;
  for (const Certificate& c : certs) out.push_back(c.CommonName());
  return out;
}

bool HasWarning(const Report& report, const std::string& text) {
  for (const std::string& w : report.warnings) {
    if (Worded(w) == text) return true;
  }
  return false;
}

std::string AllWarnings(const Report& report) {
  std::string out;
  for (const std::string& w : report.warnings) out += "\n  " + Worded(w);
  return out;
}

class ImportTest : public ::testing::Test {
 protected:
  // WriteEntity writes directory |dir| of the source in the tutorial's layout: certs/FILE.cert.pem, and
  // private/FILE.key.pem and csr/FILE.csr.pem when given.
  void WriteEntity(const std::string& dir, const std::string& file, const std::string& cert_pem,
                   const std::string& key_pem = "", const std::string& csr_pem = "") {
    WriteTestFile(src_ + "/" + dir + "/certs/" + file + ".cert.pem", cert_pem);
    if (!key_pem.empty()) WriteTestFile(src_ + "/" + dir + "/private/" + file + ".key.pem", key_pem);
    if (!csr_pem.empty()) WriteTestFile(src_ + "/" + dir + "/csr/" + file + ".csr.pem", csr_pem);
  }
  static std::string KeyPem(const PrivateKey& key) { return key.ToPem(nullptr)->str(); }

  // WriteStandard writes root-ca, server-ca and mqtt-server-1 (a leaf of server-ca) made in memory.
  void WriteStandard() {
    WriteEntity("root-ca", "root-ca", root_.cert.ToPem(), KeyPem(root_.key));
    Result<CertificateRequest> csr = CertificateRequest::Create(inter_.key, inter_.cert.SubjectFields(), {});
    ASSERT_TRUE(csr.ok());
    WriteEntity("server-ca", "server-ca", inter_.cert.ToPem(), KeyPem(inter_.key), csr->ToPem());
    WriteEntity("mqtt-server-1", "mqtt-server", leaf_.ToPem(), KeyPem(leaf_key_));
  }

  // Import runs the import at |now| into a fresh transaction (tx_), leaving the report in report_.
  Status Import(int64_t now = kTestNow) {
    report_ = Report();
    tx_ = std::make_unique<FileTransaction>(RealFileSystem(), false);
    return ImportTutorialPki(src_, dest_, now, pass_, *tx_, report_);
  }

  // ExpectRefused checks that the import fails with kInput and |message| (as the CLI words it), having staged
  // nothing, and that it leaves the source and the destination as they were.
  void ExpectRefused(const std::string& message, int64_t now = kTestNow) {
    std::vector<std::string> before = SourceListing();
    Status st = Import(now);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, ErrorCode::kInput);
    EXPECT_EQ(Worded(st.error()), message);
    EXPECT_TRUE(tx_->StagedPaths().empty());
    tx_.reset();
    EXPECT_FALSE(std::filesystem::exists(dest_.root()));
    EXPECT_EQ(SourceListing(), before);
  }

  // SourceListing is Listing(src_), or nothing when there is no source.
  std::vector<std::string> SourceListing() const {
    return std::filesystem::is_directory(src_) ? Listing(src_) : std::vector<std::string>();
  }

  TempDir dir_;
  std::string src_ = dir_ / "ecpki";
  PkiDir dest_{dir_ / "pki"};
  PassphraseProvider pass_{RealFileSystem(), ""};
  Report report_;
  std::unique_ptr<FileTransaction> tx_;
  TestCa root_ = MakeTestRoot();
  TestCa inter_ = MakeTestIntermediate(root_);
  PrivateKey leaf_key_ = TestKey();
  Certificate leaf_ = IssueTest(Profile::kServer, "mqtt.example.com", {}, leaf_key_, &inter_);
};

// The tutorial's own PKI, made by its openssl commands (tests/testdata/tutorial_pki.sh), is adopted whole.
TEST_F(ImportTest, AdoptsTheTutorialsPki) {
  testing::CommandResult made = RunCommand("bash '" + RepoRoot() + "/tests/testdata/tutorial_pki.sh' '" + src_ + "'");
  ASSERT_EQ(made.status, 0) << made.output;
  std::vector<std::string> before = Listing(src_);
  int64_t now = ::time(nullptr);  // the openssl commands used the real clock
  Status st = Import(now);
  ASSERT_TRUE(st.ok()) << Worded(st.error());
  ASSERT_TRUE(tx_->Commit().ok());
  EXPECT_EQ(Listing(src_), before);  // the source is never modified

  // Keys byte for byte, 0400; certificates as they were.
  const struct {
    const char* name;
    const char* file;
  } kEntities[] = {{"root-ca", "root-ca"}, {"server-ca", "server-ca"}, {"mqtt-server-1", "mqtt-server"}};
  for (const auto& e : kEntities) {
    std::string key = dest_.KeyPath(e.name);
    EXPECT_EQ(ReadTestFile(key), ReadTestFile(src_ + "/" + e.name + "/private/" + e.file + ".key.pem")) << key;
    struct stat sb;
    ASSERT_EQ(::stat(key.c_str(), &sb), 0) << key;
    EXPECT_EQ(sb.st_mode & 07777, 0400u) << key;
    Result<Certificate> theirs =
        Certificate::FromPem(ReadTestFile(src_ + "/" + e.name + "/certs/" + e.file + ".cert.pem"), "theirs");
    Result<Certificate> ours = Certificate::FromPem(ReadTestFile(dest_.CertPath(e.name)), "ours");
    ASSERT_TRUE(theirs.ok() && ours.ok()) << e.name;
    EXPECT_EQ(ours->ToDer(), theirs->ToDer()) << e.name;
  }
  EXPECT_FALSE(std::filesystem::exists(dest_.CsrPath("root-ca")));
  EXPECT_TRUE(CertificateRequest::FromPem(ReadTestFile(dest_.CsrPath("server-ca")), "csr").ok());
  EXPECT_TRUE(CertificateRequest::FromPem(ReadTestFile(dest_.CsrPath("mqtt-server-1")), "csr").ok());

  // The chain leaf first, without the root; the bundle the root alone.
  Result<std::vector<Certificate>> chain =
      Certificate::AllFromPem(ReadTestFile(dest_.ChainPath("mqtt-server-1")), "chain");
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ(Names(*chain), (std::vector<std::string>{"my-iot-cloud.com", "IoT Cloud (MQTT) Server CA"}));
  Result<std::vector<Certificate>> bundle = Certificate::AllFromPem(ReadTestFile(dest_.BundlePath()), "bundle");
  ASSERT_TRUE(bundle.ok());
  EXPECT_EQ(Names(*bundle), std::vector<std::string>{"My IoT Cloud Root CA"});
  // openssl agrees that what was written is a chain to what was written as the bundle.
  testing::CommandResult verify =
      RunCommand("openssl verify -purpose sslserver -CAfile '" + dest_.BundlePath() + "' -untrusted '" +
                 dest_.ChainPath("mqtt-server-1") + "' '" + dest_.ChainPath("mqtt-server-1") + "'");
  EXPECT_EQ(verify.status, 0) << verify.output;

  // Every certificate recorded, under its role.
  ASSERT_EQ(report_.inventory.inserts.size(), 3u);
  const struct {
    const char* name;
    const char* ca;
    const char* profile;
    bool chain;
  } kRows[] = {{"mqtt-server-1", "server-ca", "server", true},
               {"root-ca", "root-ca", "root", false},
               {"server-ca", "root-ca", "intermediate", false}};
  for (size_t i = 0; i < 3; ++i) {
    const CertRecord& r = report_.inventory.inserts[i];
    EXPECT_EQ(r.name, kRows[i].name);
    EXPECT_EQ(r.ca, kRows[i].ca) << r.name;
    EXPECT_EQ(r.profile, kRows[i].profile) << r.name;
    EXPECT_EQ(r.chain_path.empty(), !kRows[i].chain) << r.name;
    EXPECT_EQ(r.key_path, dest_.Relative(dest_.KeyPath(r.name)));
    EXPECT_EQ(r.recorded_at, now);
  }
  EXPECT_TRUE(report_.inventory.status_changes.empty());

  // What the user should know: the tutorial's root has no keyUsage; both CA keys lie unencrypted.
  std::string root_cert = src_ + "/root-ca/certs/root-ca.cert.pem";
  EXPECT_TRUE(HasWarning(report_, root_cert +
                                      " ('My IoT Cloud Root CA') has no keyUsage extension: strict clients reject "
                                      "chains through it ('mqttpki verify', openssl verify -x509_strict); consider a "
                                      "new root ('mqttpki root create --force', then a new bundle on the devices)"))
      << AllWarnings(report_);
  for (const char* ca : {"root-ca", "server-ca"}) {
    EXPECT_TRUE(HasWarning(report_, src_ + "/" + ca + "/private/" + ca +
                                        ".key.pem (a CA key) is not encrypted; keep the copy offline, or encrypt it: "
                                        "openssl pkey -aes256 -in KEY -out KEY.enc"))
        << AllWarnings(report_);
  }
  EXPECT_EQ(report_.warnings.size(), 3u) << AllWarnings(report_);
}

TEST_F(ImportTest, EncryptedCaKeyIsReadWithThePassphrase) {
  WriteStandard();
  Secret pass("correct horse battery");
  // The legacy PEM encryption (Proc-Type, DEK-Info) that hand-made PKIs often have; it also costs no PBKDF2 rounds.
  std::string encrypted = root_.key.ToLegacyEncryptedPem(pass)->str();
  ASSERT_TRUE(PrivateKey::IsEncryptedPem(encrypted));
  WriteEntity("root-ca", "root-ca", root_.cert.ToPem(), encrypted);
  WriteTestFile(dir_ / "pass.txt", "correct horse battery\n");
  pass_ = PassphraseProvider(RealFileSystem(), dir_ / "pass.txt");
  Status st = Import();
  ASSERT_TRUE(st.ok()) << Worded(st.error());
  ASSERT_TRUE(tx_->Commit().ok());
  EXPECT_EQ(ReadTestFile(dest_.KeyPath("root-ca")), encrypted);  // copied as it is, still encrypted
  for (const std::string& w : report_.warnings) EXPECT_EQ(w.find("root-ca.key.pem (a CA key)"), std::string::npos) << w;

  // The wrong passphrase is refused, naming the file.
  std::filesystem::remove_all(dest_.root());
  WriteTestFile(dir_ / "pass.txt", "incorrect horse\n");
  pass_ = PassphraseProvider(RealFileSystem(), dir_ / "pass.txt");
  ExpectRefused("wrong passphrase for " + src_ + "/root-ca/private/root-ca.key.pem");
}

TEST_F(ImportTest, NotAPki) {
  ExpectRefused(src_ + " is not a directory");
  std::filesystem::create_directories(src_ + "/backup/old");
  WriteTestFile(src_ + "/backup/notes.txt", "nothing here");
  WriteTestFile(src_ + "/root-ca/certs/readme.txt", "no certificate either");
  ExpectRefused(src_ +
                " holds no PKI: no */certs/*.pem certificate (expected the tutorial's layout: root-ca/, server-ca/, "
                "mqtt-server-1/, ...)");
}

TEST_F(ImportTest, ExactlyOneRoot) {
  WriteStandard();
  TestCa second = MakeTestRoot(KeyType::kEcP256, 3650, kTestNow, "Second Root");
  WriteEntity("other-root", "other-root", second.cert.ToPem(), KeyPem(second.key));
  ExpectRefused(src_ + " has 2 self-signed CA certificates; exactly one root is needed");
  std::filesystem::remove_all(src_ + "/other-root");
  std::filesystem::remove_all(src_ + "/root-ca");
  ExpectRefused(src_ + " has 0 self-signed CA certificates; exactly one root is needed");
}

TEST_F(ImportTest, RootCaDirectoryMustHoldTheRoot) {
  WriteEntity("my-root", "my-root", root_.cert.ToPem(), KeyPem(root_.key));
  WriteEntity("root-ca", "root-ca", inter_.cert.ToPem(), KeyPem(inter_.key));
  ExpectRefused(src_ + "/root-ca holds a certificate that is not a self-signed CA");
}

TEST_F(ImportTest, DirectoryNameMustBeAnEntityName) {
  WriteStandard();
  std::filesystem::rename(src_ + "/mqtt-server-1", src_ + "/mqtt server");
  std::vector<std::string> before = Listing(src_);
  Status st = Import();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUsage);
  EXPECT_EQ(st.error().message,
            "invalid name 'mqtt server': it contains ' '; use letters, digits, '.', '_' and '-' only (it becomes a "
            "directory)");
  EXPECT_TRUE(tx_->StagedPaths().empty());
  EXPECT_EQ(Listing(src_), before);
}

TEST_F(ImportTest, ExpiredCasAreRefused) {
  WriteStandard();
  int64_t later = inter_.cert.NotAfter() + 1;
  ExpectRefused(src_ + "/server-ca/certs/server-ca.cert.pem ('Test Server CA'), the intermediate CA server-ca of " +
                    src_ + ", expired on " + FormatTime(inter_.cert.NotAfter()) +
                    ": devices refuse every chain through it, so it is not imported; re-sign its CSR with the root "
                    "for a new validity period, then import again",
                later);
  later = root_.cert.NotAfter() + 1;
  std::filesystem::remove_all(src_ + "/server-ca");
  std::filesystem::remove_all(src_ + "/mqtt-server-1");
  ExpectRefused(src_ + "/root-ca/certs/root-ca.cert.pem ('Test Root CA'), the root CA of " + src_ + ", expired on " +
                    FormatTime(root_.cert.NotAfter()) +
                    ": devices refuse every chain through it, so it is not imported; build a new PKI ('mqttpki "
                    "quickstart') and give the devices its bundle",
                later);
}

TEST_F(ImportTest, LeafOfAStrangerIsRefused) {
  WriteStandard();
  TestCa stranger = MakeTestIntermediate(MakeTestRoot());
  PrivateKey key = TestKey();
  Certificate orphan = IssueTest(Profile::kServer, "orphan.example.com", {}, key, &stranger);
  WriteEntity("orphan", "orphan", orphan.ToPem(), KeyPem(key));
  ExpectRefused(src_ + "/orphan/certs/orphan.cert.pem ('orphan.example.com') was not issued by any CA in " + src_);
}

TEST_F(ImportTest, KeyMustBeTheCertificates) {
  WriteStandard();
  WriteEntity("mqtt-server-1", "mqtt-server", leaf_.ToPem(), KeyPem(TestKey()));
  ExpectRefused(src_ + "/mqtt-server-1/private/mqtt-server.key.pem is not the key of " + src_ +
                "/mqtt-server-1/certs/mqtt-server.cert.pem");
  WriteEntity("mqtt-server-1", "mqtt-server", leaf_.ToPem(),
              "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n");
  ExpectRefused(src_ + "/mqtt-server-1/private/mqtt-server.key.pem holds a private key that cannot be parsed");
}

TEST_F(ImportTest, WarnsAndGoesOn) {
  WriteStandard();
  // A leaf that expired, one that outlives its issuer, one without its key; a bundle without the root.
  PrivateKey k1 = TestKey(), k2 = TestKey(), k3 = TestKey();
  Certificate expired = IssueTest(Profile::kServer, "old.example.com", {}, k1, &inter_, 30, kTestNow - 60 * kDay);
  IssueOptions o;
  o.profile = Profile::kServer;
  o.subject.common_name = "long.example.com";
  o.days = 4000;
  o.now = kTestNow;
  o.clamp_to_issuer = false;
  Certificate long_lived = Issue(o, k2.get(), &root_.cert, *KeySigner(root_.key).value()).value().certificate;
  Certificate keyless = IssueTest(Profile::kClient, "dev-1", {}, k3, &inter_);
  WriteEntity("old", "old", expired.ToPem(), KeyPem(k1));
  WriteEntity("long", "long", long_lived.ToPem(), KeyPem(k2));
  WriteEntity("dev-1", "dev-1", keyless.ToPem());
  WriteTestFile(src_ + "/ca-bundle.pem", inter_.cert.ToPem());

  Status st = Import();
  ASSERT_TRUE(st.ok()) << Worded(st.error());
  EXPECT_TRUE(HasWarning(report_, src_ + "/old/certs/old.cert.pem ('old.example.com') expired on " +
                                      FormatTime(expired.NotAfter()) +
                                      ": renew it after the import ('mqttpki renew old')"))
      << AllWarnings(report_);
  EXPECT_TRUE(HasWarning(report_, src_ + "/long/certs/long.cert.pem ('long.example.com') is valid until " +
                                      FormatTime(long_lived.NotAfter()) + ", after its issuer root-ca (until " +
                                      FormatTime(root_.cert.NotAfter()) +
                                      "): devices refuse it from then on; plan a new root before then (new device "
                                      "bundles)"))
      << AllWarnings(report_);
  EXPECT_TRUE(HasWarning(report_, "no private key for dev-1 in " + src_ + "/dev-1/private: imported without it"))
      << AllWarnings(report_);
  EXPECT_TRUE(HasWarning(report_, src_ + "/ca-bundle.pem does not hold the root; wrote a root-only bundle"))
      << AllWarnings(report_);
  ASSERT_TRUE(tx_->Commit().ok());
  EXPECT_FALSE(std::filesystem::exists(dest_.KeyPath("dev-1")));
  EXPECT_TRUE(std::filesystem::exists(dest_.CertPath("dev-1")));
  for (const CertRecord& r : report_.inventory.inserts) {
    if (r.name == "dev-1") {
      EXPECT_EQ(r.profile, "client");
      EXPECT_EQ(r.key_path, "");
    }
  }
  Result<std::vector<Certificate>> bundle = Certificate::AllFromPem(ReadTestFile(dest_.BundlePath()), "bundle");
  ASSERT_TRUE(bundle.ok());
  EXPECT_EQ(Names(*bundle), std::vector<std::string>{"Test Root CA"});
  // The server under the root: its chain is the leaf alone.
  Result<std::vector<Certificate>> chain = Certificate::AllFromPem(ReadTestFile(dest_.ChainPath("long")), "chain");
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ(Names(*chain), std::vector<std::string>{"long.example.com"});
}

TEST_F(ImportTest, KeepsTheirBundleWhenItHoldsTheRoot) {
  WriteStandard();
  WriteTestFile(src_ + "/ca-bundle.pem", inter_.cert.ToPem() + root_.cert.ToPem());
  Status st = Import();
  ASSERT_TRUE(st.ok()) << Worded(st.error());
  EXPECT_TRUE(HasWarning(report_, "the imported ca-bundle.pem pins more than the root")) << AllWarnings(report_);
  ASSERT_TRUE(tx_->Commit().ok());
  Result<std::vector<Certificate>> bundle = Certificate::AllFromPem(ReadTestFile(dest_.BundlePath()), "bundle");
  ASSERT_TRUE(bundle.ok());
  EXPECT_EQ(Names(*bundle), (std::vector<std::string>{"Test Server CA", "Test Root CA"}));
}

}  // namespace
}  // namespace mqttpki

// PkiDir's CAs (pki_dir_ca.cc): made, loaded for signing, rotated and archived.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "mqttpki/issuer.h"
#include "mqttpki/pki_dir.h"
#include "pki/test_util.h"

namespace mqttpki {
namespace {

using testing::RunCommand;
using testing::TempDir;
using testing::Worded;

constexpr int64_t kNow = 1790000000;  // 2026-09-21, pinned

class PkiDirCaTest : public ::testing::Test {
 protected:
  void SetUp() override { std::ofstream(dir_ / "pass") << "correct horse battery\n"; }
  std::string PassFile() const { return dir_ / "pass"; }

  // MakeCas commits root-ca and an intermediate |name| made with |o| (encrypted keys under PassFile()).
  void MakeCas(const std::string& name, const CaOptions& o) { testing::MakeTestCas(pki_, PassFile(), kNow, name, o); }
  static unsigned ModeOf(const std::string& path) {
    struct stat sb;
    return ::stat(path.c_str(), &sb) == 0 ? sb.st_mode & 07777 : 0;
  }
  // OpensslVerifies: openssl verify -x509_strict of |cert| under the root (|untrusted|: intermediates), at the
  // test's pinned time (two days in), not the clock's.
  bool OpensslVerifies(const std::string& cert, const std::string& untrusted = "") {
    testing::CommandResult r =
        RunCommand("openssl verify -x509_strict -attime " + std::to_string(kNow + 2 * 86400) + " -CAfile '" +
                   pki_.CertPath(kRootName) + "' " + (untrusted.empty() ? "" : "-untrusted '" + untrusted + "' ") +
                   "'" + cert + "'");
    EXPECT_EQ(r.status, 0) << r.output;
    return r.status == 0;
  }

  TempDir dir_;
  PkiDir pki_{dir_ / "pki"};
};

TEST_F(PkiDirCaTest, MissingRootSaysWhatToRun) {
  PassphraseProvider pass(RealFileSystem(), PassFile());
  Result<CaMaterial> ca = pki_.LoadCa("root-ca", pass);
  ASSERT_FALSE(ca.ok());
  EXPECT_EQ(ca.error().code, ErrorCode::kInput);
  EXPECT_EQ(Worded(ca.error()), "no root CA in " + pki_.root() + ": " + pki_.CertPath("root-ca") +
                                    " does not exist (run 'mqttpki root create' or 'mqttpki quickstart')");
}

TEST_F(PkiDirCaTest, WrongPassphraseIsAClearError) {
  MakeCas("server-ca", {});
  std::ofstream(dir_ / "wrong") << "not the passphrase\n";
  PassphraseProvider wrong(RealFileSystem(), dir_ / "wrong");
  Result<CaMaterial> ca = pki_.LoadCa("root-ca", wrong);
  ASSERT_FALSE(ca.ok());
  EXPECT_EQ(ca.error().message, "wrong passphrase for " + pki_.KeyPath("root-ca"));
}

TEST_F(PkiDirCaTest, ShortPassphraseIsRefusedForNewKeys) {
  std::ofstream(dir_ / "short") << "abc\n";
  PassphraseProvider pass(RealFileSystem(), dir_ / "short");
  FileTransaction tx(RealFileSystem(), false);
  Report report;
  Result<CaMaterial> root = pki_.CreateRoot({}, kNow, pass, tx, report);
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.error().message,
            "the passphrase for " + pki_.KeyPath("root-ca") + " is too short: use at least 8 characters");
  EXPECT_TRUE(tx.StagedPaths().empty());
}

TEST_F(PkiDirCaTest, LoadCaSaysWhatIsMissingOrWrong) {
  MakeCas("server-ca", {});
  PassphraseProvider pass(RealFileSystem(), PassFile());
  Result<CaMaterial> none = pki_.LoadCa("device-ca", pass);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(Worded(none.error()), "no CA 'device-ca' in " + pki_.root() + ": " + pki_.CertPath("device-ca") +
                                      " does not exist (run 'mqttpki ca create device-ca')");

  // The root's key kept offline: its certificate is here, its key is not.
  std::filesystem::rename(pki_.KeyPath("root-ca"), dir_ / "offline.key.pem");
  Result<CaMaterial> offline = pki_.LoadCa("root-ca", pass);
  ASSERT_FALSE(offline.ok());
  EXPECT_EQ(offline.error().message, "the key of CA 'root-ca' is not here: " + pki_.KeyPath("root-ca") +
                                         " does not exist (is this the offline CA machine?)");
  // Another CA's key in its place.
  std::filesystem::copy_file(pki_.KeyPath("server-ca"), pki_.KeyPath("root-ca"));
  Result<CaMaterial> swapped = pki_.LoadCa("root-ca", pass);
  ASSERT_FALSE(swapped.ok());
  EXPECT_EQ(swapped.error().code, ErrorCode::kInput);
  EXPECT_EQ(swapped.error().message, pki_.KeyPath("root-ca") + " is not the key of " + pki_.CertPath("root-ca"));

  // A leaf is no CA.
  std::filesystem::remove(pki_.KeyPath("root-ca"));
  std::filesystem::rename(dir_ / "offline.key.pem", pki_.KeyPath("root-ca"));
  Result<CaMaterial> server_ca = pki_.LoadCa("server-ca", pass);
  ASSERT_TRUE(server_ca.ok()) << server_ca.error().message;
  {
    FileTransaction tx(RealFileSystem(), false);
    Report report;
    LeafOptions leaf;
    leaf.sans = {ParseSan("mqtt.example.com").value()};
    ASSERT_TRUE(pki_.IssueLeaf("broker", leaf, *server_ca, kNow, tx, report).ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  Result<CaMaterial> leaf = pki_.LoadCa("broker", pass);
  ASSERT_FALSE(leaf.ok());
  EXPECT_EQ(leaf.error().message, pki_.CertPath("broker") + " is not a CA certificate");
}

TEST_F(PkiDirCaTest, TheRootsNameIsTheRootsOnly) {
  MakeCas("server-ca", {});
  PassphraseProvider pass(RealFileSystem(), PassFile());
  CaMaterial root = std::move(pki_.LoadCa(kRootName, pass).value());
  FileTransaction tx(RealFileSystem(), true);
  Report report;
  Result<CaMaterial> inter = pki_.CreateIntermediate(kRootName, {}, root, kNow, pass, tx, report);
  ASSERT_FALSE(inter.ok());
  EXPECT_EQ(inter.error().code, ErrorCode::kUsage);
  EXPECT_EQ(Worded(inter.error()), "'root-ca' is the root; use 'mqttpki root create'");
  Result<CaMaterial> rotated = pki_.RotateIntermediate(root, root, 0, kNow, pass, tx, report);
  ASSERT_FALSE(rotated.ok());
  EXPECT_EQ(rotated.error().message, "the root is not rotated: devices trust it");
  EXPECT_TRUE(tx.StagedPaths().empty());
}

TEST_F(PkiDirCaTest, RotationArchivesTheOldCaWhichPublishesUntilItExpires) {
  CaOptions device;
  device.key = KeyType::kEcP384;
  device.issues_for = Profile::kClient;
  device.days = 30;
  MakeCas("device-ca", device);
  PassphraseProvider pass(RealFileSystem(), PassFile());
  CaMaterial root = std::move(pki_.LoadCa(kRootName, pass).value());
  CaMaterial old = std::move(pki_.LoadCa("device-ca", pass).value());
  std::string old_serial = old.cert.SerialHex();
  {
    FileTransaction tx(RealFileSystem(), true);
    Report report;
    Result<CaMaterial> fresh = pki_.RotateIntermediate(old, root, 0, kNow + 86400, pass, tx, report);
    ASSERT_TRUE(fresh.ok()) << fresh.error().message;
    ASSERT_TRUE(tx.Commit().ok());
  }
  // The new CA: the old one's subject, key type, limit to client certificates and key protection, a new key
  // and serial, the profile's default validity; the openssl CLI verifies it under the root.
  CaMaterial fresh = std::move(pki_.LoadCa("device-ca", pass).value());
  EXPECT_EQ(fresh.cert.Subject(), old.cert.Subject());
  EXPECT_NE(fresh.cert.SerialHex(), old_serial);
  EXPECT_FALSE(fresh.cert.MatchesKey(old.key));
  EXPECT_EQ(fresh.cert.KeyDescription(), "EC P-384");
  EXPECT_EQ(CaIssuesFor(fresh.cert), Profile::kClient);
  EXPECT_EQ(fresh.cert.NotAfter() - fresh.cert.NotBefore(), int64_t{1825} * 86400 + 300)
      << "notBefore is backdated 5 minutes";
  EXPECT_TRUE(PrivateKey::IsEncryptedPem(testing::ReadTestFile(pki_.KeyPath("device-ca"))));
  OpensslVerifies(pki_.CertPath("device-ca"));

  // The old CA's files, kept under its serial: the key as private as it was.
  std::string key = pki_.ArchivePath("device-ca", old_serial, "private/device-ca.key.pem");
  std::string cert = pki_.ArchivePath("device-ca", old_serial, "device-ca.cert.pem");
  EXPECT_EQ(ModeOf(key), 0400u);
  EXPECT_TRUE(std::filesystem::exists(pki_.ArchivePath("device-ca", old_serial, "device-ca.csr.pem")));
  EXPECT_EQ(testing::ReadTestFile(cert), old.cert.ToPem());
  OpensslVerifies(cert);

  // While it has not expired it is loaded to publish CRLs for what it issued; after, it is not.
  Result<std::vector<CaMaterial>> archived = pki_.LoadArchivedCas("device-ca", kNow + 86400, pass);
  ASSERT_TRUE(archived.ok()) << archived.error().message;
  ASSERT_EQ(archived->size(), 1u);
  EXPECT_EQ((*archived)[0].name, "device-ca@" + old_serial);
  EXPECT_EQ((*archived)[0].cert.SerialHex(), old_serial);
  EXPECT_TRUE((*archived)[0].cert.MatchesKey((*archived)[0].key));
  archived = pki_.LoadArchivedCas("device-ca", old.cert.NotAfter(), pass);
  ASSERT_TRUE(archived.ok());
  EXPECT_TRUE(archived->empty());
  EXPECT_TRUE(pki_.LoadArchivedCas("server-ca", kNow, pass)->empty());  // never rotated (nor made)

  // Archived again under the same serial: refused, nothing staged.
  FileTransaction tx(RealFileSystem(), true);
  Report report;
  Result<CaMaterial> again = pki_.RotateIntermediate(old, root, 0, kNow + 2 * 86400, pass, tx, report);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kExists);
  EXPECT_EQ(again.error().message, key + " exists: this CA was already archived");
}

}  // namespace
}  // namespace mqttpki

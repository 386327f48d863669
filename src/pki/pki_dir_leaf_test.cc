// PkiDir's leaves (pki_dir_leaf.cc): issued from a key made here or from a CSR under the signing policy, and
// re-issued. CSRs come from the openssl CLI, as a requester's would; the certificates are read by it too.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>

#include "mqttpki/pki_dir.h"
#include "pki/test_util.h"

namespace mqttpki {
namespace {

using testing::ReadTestFile;
using testing::RunCommand;
using testing::TempDir;
using testing::Worded;

constexpr int64_t kNow = 1790000000;  // 2026-09-21, pinned

class PkiDirLeafTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CaOptions servers;
    servers.issues_for = Profile::kServer;
    testing::TestCas cas = testing::MakeTestCas(pki_, dir_ / "pass", kNow, "server-ca", servers);
    root_ = std::move(cas.root);
    ca_ = std::move(cas.ca);
  }

  // Csr is a CSR made by `openssl req` with |args| (key, subject, -addext ...).
  Result<CertificateRequest> Csr(const std::string& args) {
    std::string out = dir_ / "req.csr";
    testing::CommandResult r = RunCommand("cd '" + dir_.path() + "' && openssl req -new -nodes -keyout req.key " +
                                          args + " -out '" + out + "'");
    EXPECT_EQ(r.status, 0) << r.output;
    return CertificateRequest::FromPem(ReadTestFile(out), "req.csr");
  }
  Result<Certificate> Sign(const std::string& name, const CertificateRequest& csr, const SignOptions& o = {}) {
    FileTransaction tx(RealFileSystem(), false);
    Report report;
    Result<Certificate> cert = pki_.SignCsr(name, csr, o, ca_, kNow, tx, report);
    if (cert.ok()) {
      EXPECT_TRUE(tx.Commit().ok());
    }
    return cert;
  }
  // Openssl runs the openssl CLI on |args| and returns what it printed (EXPECTs success).
  std::string Openssl(const std::string& args) {
    testing::CommandResult r = RunCommand("openssl " + args);
    EXPECT_EQ(r.status, 0) << r.output;
    return r.output;
  }
  std::string VerifyServer(const std::string& name, const std::string& host) {
    // At the test's pinned time (a day after the last issue), not the clock's.
    return Openssl("verify -x509_strict -attime " + std::to_string(kNow + 3 * 86400) + " -purpose sslserver " +
                   (std::isdigit(static_cast<unsigned char>(host[0])) ? "-verify_ip " : "-verify_hostname ") + host +
                   " -CAfile '" + pki_.CertPath(kRootName) + "' -untrusted '" + pki_.ChainPath(name) + "' '" +
                   pki_.CertPath(name) + "'");
  }

  TempDir dir_;
  PkiDir pki_{dir_ / "pki"};
  CaMaterial root_, ca_;
};

TEST_F(PkiDirLeafTest, TheCsrPolicyRefusesWhatARequesterMayNotAskFor) {
  struct Case {
    std::string args, message;
  } cases[] = {
      {"-newkey rsa:1024 -subj /CN=weak",
       "has a RSA 1024 key: mqttpki signs EC P-256/P-384 and RSA 2048-4096 keys only"},
      {"-newkey ed25519 -subj /CN=ed", "has a Ed25519 key: mqttpki signs EC P-256/P-384 and RSA 2048-4096 keys only"},
      {"-newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj /CN=sub -addext basicConstraints=critical,CA:TRUE",
       "asks for basicConstraints CA:TRUE: mqttpki signs leaf certificates from CSRs, never a CA (create CAs with "
       "'mqttpki ca create')"},
      {"-newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj /CN=mail -addext "
       "subjectAltName=DNS:ok.example.com,email:a@example.com",
       "asks for a name that is not allowed: email:a@example.com (mqttpki issues DNS names and IP addresses only)"},
      {"-newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj /CN=dots -addext subjectAltName=DNS:bad..example.com",
       "asks for a name that is not allowed: empty label (two dots in a row, or a leading dot) ('bad..example.com')"},
      {"-newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj \"/O=$(printf 'a\\tb')/CN=tab\"",
       "has an invalid subject: organization contains a control character"},
  };
  for (const Case& c : cases) {
    Result<CertificateRequest> csr = Csr(c.args);
    ASSERT_TRUE(csr.ok()) << c.args << ": " << csr.error().message;
    Result<Certificate> cert = Sign("x", *csr);
    ASSERT_FALSE(cert.ok()) << c.args;
    EXPECT_EQ(cert.error().code, ErrorCode::kInput) << c.args;
    EXPECT_EQ(Worded(cert.error()), "the CSR for x " + c.message) << c.args;
  }
  EXPECT_FALSE(std::filesystem::exists(pki_.Path("x")));  // nothing written for any of them
}

TEST_F(PkiDirLeafTest, ACsrDecidesItsSubjectAndNamesOnly) {
  Result<CertificateRequest> csr =
      Csr("-newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj '/C=DE/O=Req "
          "Org/OU=Ops/CN=broker.example.com/emailAddress=x@example.com'"
          " -addext subjectAltName=DNS:broker.example.com,IP:10.1.2.3 -addext extendedKeyUsage=codeSigning"
          " -addext keyUsage=digitalSignature,keyEncipherment,dataEncipherment -addext basicConstraints=CA:FALSE");
  ASSERT_TRUE(csr.ok()) << csr.error().message;
  Result<Certificate> cert = Sign("broker", *csr);
  ASSERT_TRUE(cert.ok()) << cert.error().message;
  std::string text =
      Openssl("x509 -noout -subject -ext subjectAltName,extendedKeyUsage,keyUsage,basicConstraints -in '" +
              pki_.CertPath("broker") + "'");
  EXPECT_NE(text.find("subject=C = DE, O = Req Org, OU = Ops, CN = broker.example.com\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("emailAddress"), std::string::npos) << text;
  EXPECT_NE(text.find("DNS:broker.example.com, IP Address:10.1.2.3"), std::string::npos) << text;
  EXPECT_NE(text.find("TLS Web Server Authentication"), std::string::npos) << text;
  EXPECT_EQ(text.find("Code Signing"), std::string::npos) << text;
  EXPECT_EQ(text.find("Data Encipherment"), std::string::npos) << text;
  EXPECT_NE(VerifyServer("broker", "broker.example.com").find(": OK"), std::string::npos);
  EXPECT_EQ(Openssl("x509 -noout -pubkey -in '" + pki_.CertPath("broker") + "'"),
            Openssl("pkey -pubout -in '" + (dir_ / "req.key") + "'"));  // the requester's key
  EXPECT_FALSE(std::filesystem::exists(pki_.KeyPath("broker")));        // the key stays with the requester

  // The CA's names replace the CSR's: a CN that is not among them gives way to the first.
  SignOptions o;
  o.sans = {ParseSan("mqtt.example.com").value()};
  Result<Certificate> renamed = Sign("renamed", *csr, o);
  ASSERT_TRUE(renamed.ok()) << renamed.error().message;
  EXPECT_EQ(renamed->CommonName(), "mqtt.example.com");
  ASSERT_EQ(renamed->Sans().size(), 1u);
  EXPECT_EQ(renamed->Sans()[0].ToString(), "DNS:mqtt.example.com");
  EXPECT_NE(VerifyServer("renamed", "mqtt.example.com").find(": OK"), std::string::npos);
}

TEST_F(PkiDirLeafTest, ALeafNeverTakesACasPlaceOrGoesWithoutANameForAServer) {
  FileTransaction tx(RealFileSystem(), true);
  Report report;
  LeafOptions leaf;
  leaf.sans = {ParseSan("mqtt.example.com").value()};
  Result<Certificate> over_ca = pki_.IssueLeaf("server-ca", leaf, ca_, kNow, tx, report);
  ASSERT_FALSE(over_ca.ok());
  EXPECT_EQ(over_ca.error().message,
            "'server-ca' is a CA in " + pki_.root() + ": a server or device needs another name");
  Result<Certificate> over_root = pki_.IssueLeaf(kRootName, leaf, ca_, kNow, tx, report);
  ASSERT_FALSE(over_root.ok());
  EXPECT_EQ(over_root.error().message, "'root-ca' is reserved for the root CA");
  Result<Certificate> no_san = pki_.IssueLeaf("broker", LeafOptions{}, ca_, kNow, tx, report);
  ASSERT_FALSE(no_san.ok());
  EXPECT_EQ(no_san.error().argument, "san");
  EXPECT_EQ(Worded(no_san.error()), "a server certificate needs at least one --san (DNS name or IP address)");
  EXPECT_TRUE(tx.StagedPaths().empty());

  // Signed by the root itself (a one-CA setup), it is issued with a warning that says what it costs.
  Result<Certificate> by_root = pki_.IssueLeaf("direct", leaf, root_, kNow, tx, report);
  ASSERT_TRUE(by_root.ok()) << by_root.error().message;
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_EQ(Worded(report.warnings[0]),
            "signing with the root CA directly (one-CA setup): an intermediate ('mqttpki ca create server-ca') keeps "
            "the root key offline and can be rotated without touching devices");
}

TEST_F(PkiDirLeafTest, ReissueKeepsTheNamesAndTheKeyUnlessToldToRekey) {
  std::ofstream(dir_ / "leafpass") << "leaf passphrase\n";
  PassphraseProvider leaf_pass(RealFileSystem(), dir_ / "leafpass");
  {
    FileTransaction tx(RealFileSystem(), false);
    Report report;
    LeafOptions leaf;
    leaf.sans = {ParseSan("mqtt.example.com").value(), ParseSan("10.0.0.7").value()};
    leaf.encrypt_key = true;
    leaf.key_pass = &leaf_pass;
    ASSERT_TRUE(pki_.IssueLeaf("broker", leaf, ca_, kNow, tx, report).ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  Certificate first = std::move(pki_.LoadCertificate("broker").value());
  std::string first_key = ReadTestFile(pki_.KeyPath("broker"));

  auto reissue = [&](const ReissueOptions& o, int64_t at) {
    FileTransaction tx(RealFileSystem(), true);
    Report report;
    Result<Certificate> cert = pki_.Reissue("broker", ca_, o, at, tx, report);
    if (cert.ok()) {
      EXPECT_TRUE(tx.Commit().ok());
    }
    return std::make_pair(std::move(cert), std::move(report));
  };
  auto [same, same_report] = reissue(ReissueOptions{}, kNow + 86400);
  ASSERT_TRUE(same.ok()) << same.error().message;
  EXPECT_NE(same->SerialHex(), first.SerialHex());
  EXPECT_EQ(same->Subject(), first.Subject());
  EXPECT_EQ(same->Sans(), first.Sans());
  Secret passphrase("leaf passphrase");
  EXPECT_TRUE(same->MatchesPublicKey(PrivateKey::FromPem(first_key, &passphrase, "k").value().PublicKeyDer()));
  EXPECT_EQ(ReadTestFile(pki_.KeyPath("broker")), first_key);  // the key file is not touched
  ASSERT_EQ(same_report.inventory.status_changes.size(), 1u);  // the first one is superseded
  EXPECT_EQ(same_report.inventory.status_changes[0].serial, first.SerialHex());
  EXPECT_NE(VerifyServer("broker", "mqtt.example.com").find(": OK"), std::string::npos);

  ReissueOptions rekey;
  rekey.rekey = true;
  rekey.key = KeyType::kRsa2048;
  rekey.days = 10;
  rekey.key_pass = &leaf_pass;
  auto [fresh, fresh_report] = reissue(rekey, kNow + 2 * 86400);
  ASSERT_TRUE(fresh.ok()) << fresh.error().message;
  EXPECT_EQ(fresh->KeyDescription(), "RSA 2048");
  EXPECT_EQ(fresh->NotAfter(), kNow + 12 * 86400);
  std::string key_pem = ReadTestFile(pki_.KeyPath("broker"));
  EXPECT_TRUE(PrivateKey::IsEncryptedPem(key_pem));  // encrypted as the old one was, with its passphrase
  EXPECT_NE(Openssl("rsa -noout -check -passin 'file:" + (dir_ / "leafpass") + "' -in '" + pki_.KeyPath("broker") + "'")
                .find("RSA key ok"),
            std::string::npos);
  EXPECT_NE(VerifyServer("broker", "10.0.0.7").find(": OK"), std::string::npos);

  FileTransaction tx(RealFileSystem(), true);
  Report report;
  Result<Certificate> ca = pki_.Reissue("server-ca", ca_, ReissueOptions{}, kNow, tx, report);
  ASSERT_FALSE(ca.ok());
  EXPECT_EQ(Worded(ca.error()), "'server-ca' is a CA: use 'mqttpki rotate server-ca' for a CA");
}

}  // namespace
}  // namespace mqttpki

#include "mqttpki/certificate.h"

#include <gtest/gtest.h>
#include <openssl/x509.h>

#include <string>
#include <vector>

#include "mqttpki/issuer.h"
#include "ossl/ptr.h"
#include "pki/test_util.h"

namespace mqttpki {
namespace {

using testing::IssueTest;
using testing::kTestNow;
using testing::MakeTestIntermediate;
using testing::MakeTestRoot;
using testing::RunCommand;
using testing::TempDir;
using testing::TestCa;
using testing::TestKey;
using testing::WriteTestFile;

// A root, a server CA under it and a server leaf under that.
struct Pki {
  TestCa root = MakeTestRoot();
  TestCa inter = MakeTestIntermediate(root);
  PrivateKey leaf_key = TestKey();
  Certificate leaf =
      IssueTest(Profile::kServer, "mqtt.example.com", {"10.0.0.5", "*.mqtt.example.com"}, leaf_key, &inter);
};

// Tampered flips the last byte of |der| (inside the signature).
std::string Tampered(std::string der) {
  der.back() = static_cast<char>(der.back() ^ 0x01);
  return der;
}

TEST(Certificate, FieldsOfAnIssuedLeaf) {
  Pki p;
  const Certificate& c = p.leaf;
  EXPECT_EQ(c.Subject(), "C=DE, O=Test, CN=mqtt.example.com");
  EXPECT_EQ(c.Issuer(), "C=DE, O=Test, OU=PKI, CN=Test Server CA");
  EXPECT_EQ(c.CommonName(), "mqtt.example.com");
  DistinguishedName dn = c.SubjectFields();
  EXPECT_EQ(dn.country, "DE");
  EXPECT_EQ(dn.organization, "Test");
  EXPECT_EQ(dn.org_unit, "");
  EXPECT_EQ(dn.common_name, "mqtt.example.com");
  std::vector<std::string> sans;
  for (const SubjectAltName& s : c.Sans()) sans.push_back(s.ToString());
  EXPECT_EQ(sans, (std::vector<std::string>{"DNS:mqtt.example.com", "IP:10.0.0.5", "DNS:*.mqtt.example.com"}));
  EXPECT_EQ(c.NotBefore(), kTestNow - kBackdateSeconds);
  EXPECT_EQ(c.NotAfter(), kTestNow + 365LL * 86400);
  EXPECT_EQ(c.KeyDescription(), "EC P-256");
  EXPECT_EQ(c.SignatureAlgorithm(), "ecdsa-with-SHA256");
  EXPECT_FALSE(c.IsCa());
  EXPECT_EQ(c.PathLength(), -1);
  EXPECT_FALSE(c.IsSelfIssued());
  EXPECT_TRUE(c.HasExtendedKeyUsage());
  EXPECT_EQ(c.ExtendedKeyUsage(), std::vector<std::string>{"serverAuth"});
  EXPECT_EQ(p.inter.cert.PathLength(), 0);
  EXPECT_FALSE(p.inter.cert.IsSelfIssued());
  EXPECT_TRUE(p.root.cert.IsSelfIssued());
  EXPECT_EQ(p.root.cert.CommonName(), "Test Root CA");
}

// The serial and the validity as OpenSSL's own decoder reads them from the DER.
TEST(Certificate, SerialAndValidityAgreeWithOpenSslDecoding) {
  Pki p;
  std::string der = p.leaf.ToDer();
  const unsigned char* in = reinterpret_cast<const unsigned char*>(der.data());
  ossl::UniquePtr<X509> x(d2i_X509(nullptr, &in, static_cast<long>(der.size())));
  ASSERT_TRUE(x);
  ossl::UniquePtr<BIGNUM> bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(x.get()), nullptr));
  ASSERT_TRUE(bn);
  ossl::OsslBuffer<char> hex(BN_bn2hex(bn.get()));
  EXPECT_EQ(p.leaf.SerialHex(), hex.get());
  EXPECT_EQ(p.leaf.SerialBytes(), kSerialBytes);
  int day = 0, sec = 0;
  ossl::UniquePtr<ASN1_STRING> epoch(ASN1_TIME_set(nullptr, 0));
  ASSERT_TRUE(ASN1_TIME_diff(&day, &sec, epoch.get(), X509_get0_notAfter(x.get())));
  EXPECT_EQ(p.leaf.NotAfter(), int64_t{day} * 86400 + sec);
}

// The openssl CLI prints the same fingerprint, serial and subject.
TEST(Certificate, FingerprintAndSerialAgreeWithOpensslCli) {
  Pki p;
  TempDir dir;
  WriteTestFile(dir / "leaf.pem", p.leaf.ToPem());
  testing::CommandResult r =
      RunCommand("openssl x509 -noout -fingerprint -sha256 -serial -in '" + (dir / "leaf.pem") + "'");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("sha256 Fingerprint=" + p.leaf.Sha256Fingerprint() + "\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("serial=" + p.leaf.SerialHex() + "\n"), std::string::npos) << r.output;
  EXPECT_EQ(p.leaf.Sha256Fingerprint().size(), 32u * 3 - 1);
}

TEST(Certificate, PemAndDerRoundTrip) {
  Pki p;
  std::string pem = p.leaf.ToPem();
  EXPECT_EQ(pem.rfind("-----BEGIN CERTIFICATE-----\n", 0), 0u);
  Result<Certificate> from_pem = Certificate::FromPem(pem, "leaf.pem");
  ASSERT_TRUE(from_pem.ok()) << from_pem.error().message;
  EXPECT_EQ(from_pem->ToDer(), p.leaf.ToDer());
  Result<Certificate> from_der = Certificate::FromDer(p.leaf.ToDer(), "leaf.der");
  ASSERT_TRUE(from_der.ok()) << from_der.error().message;
  EXPECT_EQ(from_der->ToPem(), pem);
  EXPECT_EQ(from_der->Sha256Fingerprint(), p.leaf.Sha256Fingerprint());
}

TEST(Certificate, AllFromPemKeepsFileOrderAndSkipsText) {
  Pki p;
  std::string bundle = "# my chain\n" + p.leaf.ToPem() + "some text between\n" + p.inter.cert.ToPem() +
                       p.root.cert.ToPem() + "\ntrailing words\n";
  Result<std::vector<Certificate>> all = Certificate::AllFromPem(bundle, "chain.pem");
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].Sha256Fingerprint(), p.leaf.Sha256Fingerprint());
  EXPECT_EQ((*all)[1].Sha256Fingerprint(), p.inter.cert.Sha256Fingerprint());
  EXPECT_EQ((*all)[2].Sha256Fingerprint(), p.root.cert.Sha256Fingerprint());

  Result<Certificate> one = Certificate::FromPem(bundle, "chain.pem");
  ASSERT_FALSE(one.ok());
  EXPECT_EQ(one.error().code, ErrorCode::kInput);
  EXPECT_EQ(one.error().message, "chain.pem holds 3 certificates where one was expected");
}

TEST(Certificate, WrongPemTypeSaysWhatTheFileHolds) {
  PrivateKey key = TestKey();
  std::string key_pem = key.ToPem(nullptr)->str();
  Result<CertificateRequest> csr = CertificateRequest::Create(key, {"", "", "", "broker"}, {});
  ASSERT_TRUE(csr.ok());
  const struct {
    std::string text;
    std::string message;
  } kCases[] = {
      {"", "x.pem holds no PEM data, not a certificate"},
      {"just words\n", "x.pem holds no PEM data, not a certificate"},
      {key_pem, "x.pem holds a private key, not a certificate"},
      {csr->ToPem(), "x.pem holds a certificate request (CSR), not a certificate"},
      {"-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n", "x.pem holds a CRL, not a certificate"},
  };
  for (const auto& c : kCases) {
    Result<Certificate> r = Certificate::FromPem(c.text, "x.pem");
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.error().code, ErrorCode::kInput);
    EXPECT_EQ(r.error().message, c.message);
    Result<std::vector<Certificate>> all = Certificate::AllFromPem(c.text, "x.pem");
    ASSERT_FALSE(all.ok());
    EXPECT_EQ(all.error().message, c.message);
  }
}

TEST(Certificate, CorruptOrTruncatedPemNamesTheCertificate) {
  Pki p;
  Result<Certificate> garbage =
      Certificate::FromPem("-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n", "g.pem");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code, ErrorCode::kInput);
  EXPECT_EQ(garbage.error().message, "certificate 1 in g.pem cannot be parsed (truncated or corrupt PEM?)");

  std::string second = p.inter.cert.ToPem();
  std::string truncated = p.leaf.ToPem() + second.substr(0, second.size() / 2);
  Result<std::vector<Certificate>> all = Certificate::AllFromPem(truncated, "chain.pem");
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.error().message, "certificate 2 in chain.pem cannot be parsed (truncated or corrupt PEM?)");
}

TEST(Certificate, BadDer) {
  Pki p;
  for (const std::string& bad :
       {std::string(), std::string("garbage"), std::string(4096, '\xff'), p.leaf.ToDer().substr(0, 100)}) {
    Result<Certificate> r = Certificate::FromDer(bad, "c.der");
    ASSERT_FALSE(r.ok()) << bad.size();
    EXPECT_EQ(r.error().code, ErrorCode::kInput);
    EXPECT_EQ(r.error().message, "c.der is neither PEM nor a DER certificate");
  }
  Result<Certificate> trailing = Certificate::FromDer(p.leaf.ToDer() + "x", "c.der");
  ASSERT_FALSE(trailing.ok());
  EXPECT_EQ(trailing.error().message, "c.der has data after its DER certificate");
}

TEST(Certificate, CopiesShareMovesEmpty) {
  Pki p;
  Certificate copy = p.leaf;
  EXPECT_EQ(copy.get(), p.leaf.get());
  Certificate assigned;
  EXPECT_TRUE(assigned.empty());
  assigned = copy;
  const Certificate& same = assigned;
  assigned = same;  // self-assignment keeps it
  EXPECT_EQ(assigned.Sha256Fingerprint(), p.leaf.Sha256Fingerprint());
  Certificate moved = std::move(copy);
  EXPECT_TRUE(copy.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(moved.get(), p.leaf.get());
  moved = Certificate();
  EXPECT_TRUE(moved.empty());
  EXPECT_FALSE(p.leaf.empty());
}

TEST(Certificate, MatchesHostByTlsRules) {
  Pki p;
  for (const char* host : {"mqtt.example.com", "MQTT.Example.com", "10.0.0.5", "a.mqtt.example.com"}) {
    EXPECT_TRUE(p.leaf.MatchesHost(host)) << host;
  }
  for (const char* host : {"example.com", "a.b.mqtt.example.com", "10.0.0.6", "::1", "other.example.com", ""}) {
    EXPECT_FALSE(p.leaf.MatchesHost(host)) << host;
  }
}

TEST(Certificate, IssuedByChecksNamesKeysAndSignature) {
  Pki p;
  EXPECT_TRUE(p.leaf.IssuedBy(p.inter.cert));
  EXPECT_TRUE(p.leaf.NamesIssuer(p.inter.cert));
  EXPECT_FALSE(p.leaf.IssuedBy(p.root.cert));
  EXPECT_FALSE(p.leaf.NamesIssuer(p.root.cert));
  EXPECT_TRUE(p.inter.cert.IssuedBy(p.root.cert));
  // Another CA of the same name but another key: neither by key identifier nor by signature.
  TestCa twin = MakeTestIntermediate(p.root);
  EXPECT_FALSE(p.leaf.NamesIssuer(twin.cert));
  EXPECT_FALSE(p.leaf.IssuedBy(twin.cert));
  // A broken signature: the names still say who issued it, the signature does not.
  Result<Certificate> tampered = Certificate::FromDer(Tampered(p.leaf.ToDer()), "t.der");
  ASSERT_TRUE(tampered.ok()) << tampered.error().message;
  EXPECT_TRUE(tampered->NamesIssuer(p.inter.cert));
  EXPECT_FALSE(tampered->IssuedBy(p.inter.cert));
}

TEST(Certificate, MatchesKey) {
  Pki p;
  EXPECT_TRUE(p.leaf.MatchesKey(p.leaf_key));
  EXPECT_FALSE(p.leaf.MatchesKey(p.inter.key));
  EXPECT_FALSE(p.leaf.MatchesKey(TestKey(KeyType::kEcP384)));
}

TEST(Certificate, RsaAndP384Descriptions) {
  TestCa rsa = MakeTestRoot(KeyType::kRsa2048);
  EXPECT_EQ(rsa.cert.KeyDescription(), "RSA 2048");
  EXPECT_EQ(rsa.cert.SignatureAlgorithm(), "sha256WithRSAEncryption");
  TestCa p384 = MakeTestRoot(KeyType::kEcP384);
  EXPECT_EQ(p384.cert.KeyDescription(), "EC P-384");
  EXPECT_EQ(p384.cert.SignatureAlgorithm(), "ecdsa-with-SHA384");
}

TEST(PemFingerprint, FirstCertificateWithoutParsing) {
  Pki p;
  EXPECT_EQ(PemFingerprint(p.leaf.ToPem()), p.leaf.Sha256Fingerprint());
  EXPECT_EQ(PemFingerprint(p.inter.cert.ToPem() + p.leaf.ToPem()), p.inter.cert.Sha256Fingerprint());
  EXPECT_EQ(PemFingerprint(""), "");
  EXPECT_EQ(PemFingerprint("garbage"), "");
  EXPECT_EQ(PemFingerprint(p.leaf_key.ToPem(nullptr)->str()), "");
}

TEST(FormatTime, UtcText) {
  EXPECT_EQ(FormatTime(0), "1970-01-01 00:00:00 UTC");
  EXPECT_EQ(FormatTime(kTestNow), "2026-09-21 14:13:20 UTC");
  EXPECT_EQ(FormatTimeIso(kTestNow), "2026-09-21T14:13:20Z");
  EXPECT_EQ(FormatTimeIso(4102444800), "2100-01-01T00:00:00Z");
}

}  // namespace
}  // namespace mqttpki

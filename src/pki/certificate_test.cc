#include "mqttpki/certificate.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <string>
#include <vector>

#include "mqttpki/issuer.h"
#include "ossl/ptr.h"
#include "pki/internal.h"
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

// CSRs made by the openssl CLI, as a requester would make them.
class CertificateRequestCli : public ::testing::Test {
 protected:
  void SetUp() override { WriteTestFile(dir_ / "k.pem", key_.ToPem(nullptr)->str()); }

  CertificateRequest Req(const std::string& addext) {
    testing::CommandResult r = RunCommand("openssl req -new -key '" + (dir_ / "k.pem") + "' -subj /CN=dev " + addext);
    EXPECT_EQ(r.status, 0) << r.output;
    Result<CertificateRequest> csr = CertificateRequest::FromPem(r.output, "dev.csr");
    EXPECT_TRUE(csr.ok()) << r.output;
    return csr.ok() ? std::move(csr).value() : CertificateRequest();
  }

  TempDir dir_;
  PrivateKey key_ = TestKey();
};

TEST_F(CertificateRequestCli, CaRequestsAndUnsupportedNames) {
  CertificateRequest ca =
      Req("-addext basicConstraints=critical,CA:TRUE "
          "-addext subjectAltName=email:a@example.com,URI:http://x.example,DNS:Dev.Example.com,IP:10.1.2.3");
  EXPECT_TRUE(ca.VerifySignature("dev.csr").ok());
  EXPECT_EQ(ca.CaRequest(), "basicConstraints CA:TRUE");
  EXPECT_EQ(ca.RequestedExtensions(), (std::vector<std::string>{"basicConstraints", "subjectAltName"}));
  EXPECT_EQ(ca.UnsupportedSans(), (std::vector<std::string>{"email:a@example.com", "URI:http://x.example"}));
  std::vector<std::string> sans;
  for (const SubjectAltName& s : ca.Sans()) sans.push_back(s.ToString());
  EXPECT_EQ(sans, (std::vector<std::string>{"DNS:Dev.Example.com", "IP:10.1.2.3"}));
  EXPECT_EQ(ca.SubjectFields().common_name, "dev");
  EXPECT_EQ(ca.KeyDescription(), "EC P-256");

  EXPECT_EQ(Req("-addext keyUsage=critical,keyCertSign").CaRequest(), "keyUsage keyCertSign");
  EXPECT_EQ(Req("-addext keyUsage=cRLSign").CaRequest(), "keyUsage cRLSign");
  EXPECT_EQ(Req("-addext keyUsage=digitalSignature -addext basicConstraints=CA:FALSE").CaRequest(), "");
  CertificateRequest plain = Req("");
  EXPECT_EQ(plain.CaRequest(), "");
  EXPECT_TRUE(plain.RequestedExtensions().empty());
  EXPECT_TRUE(plain.Sans().empty());
  EXPECT_TRUE(plain.UnsupportedSans().empty());
}

TEST(CertificateRequest, CreateSignsWithTheKeysDigest) {
  PrivateKey key = TestKey(KeyType::kEcP384);
  Result<CertificateRequest> csr = CertificateRequest::Create(
      key, {"DE", "Org", "Unit", "broker"}, {ParseSan("broker.example.com").value(), ParseSan("10.0.0.7").value()});
  ASSERT_TRUE(csr.ok()) << csr.error().message;
  EXPECT_EQ(csr->Subject(), "C=DE, O=Org, OU=Unit, CN=broker");
  EXPECT_EQ(csr->KeyDescription(), "EC P-384");
  EXPECT_EQ(X509_REQ_get_signature_nid(csr->get()), NID_ecdsa_with_SHA384);
  EXPECT_EQ(csr->Sans().size(), 2u);
  EXPECT_EQ(ossl::I2d(i2d_PUBKEY, csr->PublicKey()), key.PublicKeyDer());

  Result<CertificateRequest> bad = CertificateRequest::Create(key, {"DEU", "", "", "broker"}, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kUsage);
  EXPECT_EQ(bad.error().message, "invalid country 'DEU': use a two-letter code such as DE");
}

TEST(CertificateRequest, TamperedSignatureIsRefused) {
  PrivateKey key = TestKey();
  Result<CertificateRequest> csr = CertificateRequest::Create(key, {"", "", "", "broker"}, {});
  ASSERT_TRUE(csr.ok());
  std::string der = ossl::I2d(i2d_X509_REQ, csr->get());
  size_t at = der.find("broker");
  ASSERT_NE(at, std::string::npos);
  der[at] = 'c';  // the signed subject changes; the signature stays
  const unsigned char* in = reinterpret_cast<const unsigned char*>(der.data());
  ossl::UniquePtr<X509_REQ> req(d2i_X509_REQ(nullptr, &in, static_cast<long>(der.size())));
  ASSERT_TRUE(req);
  ossl::UniquePtr<BIO> bio(BIO_new(BIO_s_mem()));
  ASSERT_EQ(PEM_write_bio_X509_REQ(bio.get(), req.get()), 1);
  Result<CertificateRequest> back = CertificateRequest::FromPem(BioToString(bio.get()), "t.csr");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->SubjectFields().common_name, "croker");
  Status st = back->VerifySignature("t.csr");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInput);
  EXPECT_EQ(st.error().message,
            "t.csr: the CSR's signature does not verify (tampered or corrupt); refusing to sign it");
}

TEST(CertificateRequest, WrongOrCorruptPem) {
  Pki p;
  Result<CertificateRequest> cert = CertificateRequest::FromPem(p.leaf.ToPem(), "r.pem");
  ASSERT_FALSE(cert.ok());
  EXPECT_EQ(cert.error().code, ErrorCode::kInput);
  EXPECT_EQ(cert.error().message, "r.pem holds a certificate, not a certificate request (CSR)");
  Result<CertificateRequest> empty = CertificateRequest::FromPem("", "r.pem");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().message, "r.pem holds no PEM data, not a certificate request (CSR)");
  Result<CertificateRequest> corrupt = CertificateRequest::FromPem(
      "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n", "r.pem");
  ASSERT_FALSE(corrupt.ok());
  EXPECT_EQ(corrupt.error().message, "r.pem holds a CSR that cannot be parsed (truncated or corrupt PEM?)");
}

}  // namespace
}  // namespace mqttpki

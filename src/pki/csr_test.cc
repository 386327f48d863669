// CertificateRequest (csr.cc): CSRs made here and by the openssl CLI, as a requester would make them.
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <string>
#include <vector>

#include "mqttpki/certificate.h"
#include "mqttpki/key.h"
#include "ossl/ptr.h"
#include "pki/internal.h"
#include "pki/test_util.h"

namespace mqttpki {
namespace {

using testing::MakeTestRoot;
using testing::RunCommand;
using testing::TempDir;
using testing::TestKey;
using testing::WriteTestFile;

TEST(CertificateRequest, CreateVerifyAndTamper) {
  PrivateKey key = TestKey();
  Result<CertificateRequest> csr =
      CertificateRequest::Create(key, {"", "Org", "", "broker.example.com"}, {ParseSan("broker.example.com").value()});
  ASSERT_TRUE(csr.ok());
  EXPECT_TRUE(csr->VerifySignature("csr").ok());
  std::string pem = csr->ToPem();
  Result<CertificateRequest> back = CertificateRequest::FromPem(pem, "csr.pem");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->Sans().size(), 1u);
  EXPECT_EQ(back->SubjectFields().common_name, "broker.example.com");
  EXPECT_EQ(back->RequestedExtensions(), std::vector<std::string>{"subjectAltName"});
  EXPECT_EQ(back->KeyDescription(), "EC P-256");
  EXPECT_TRUE(back->CaRequest().empty());
}

TEST(CertificateRequest, ASignatureThatDoesNotVerifyIsRefused) {
  PrivateKey key = TestKey();
  PrivateKey other = TestKey();
  Result<CertificateRequest> csr = CertificateRequest::Create(key, {"", "", "", "dev-1"}, {});
  ASSERT_TRUE(csr.ok());
  ASSERT_TRUE(csr->VerifySignature("dev-1.csr").ok());
  // The same request with another key put in after signing: the requester does not hold that key.
  X509_REQ_set_pubkey(csr->get(), other.get());
  Status st = csr->VerifySignature("dev-1.csr");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInput);
  EXPECT_EQ(st.error().message,
            "dev-1.csr: the CSR's signature does not verify (tampered or corrupt); refusing to sign it");
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
  Result<CertificateRequest> cert = CertificateRequest::FromPem(MakeTestRoot().cert.ToPem(), "r.pem");
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

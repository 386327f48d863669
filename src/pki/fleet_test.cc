#include "mqttpki/fleet.h"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ossl/ptr.h"
#include "pki/test_util.h"

namespace mqttpki {
namespace {

using testing::TempDir;

constexpr int64_t kNow = 1790000000;

// A PKI with root-ca and an unencrypted device-ca (--for client).
using FleetTest = testing::DevicePkiTest;

std::string TbsOf(X509* x) { return ossl::I2d(i2d_re_X509_tbs, x); }

TEST_F(FleetTest, DeviceCertificateIsWhatIssueMakesForTheClientProfile) {
  std::vector<std::string> warnings;
  auto issuer = std::move(DeviceIssuer::Create(ca_, options_, warnings).value());
  auto worker = std::move(issuer->NewWorker().value());
  DeviceSpec spec;
  spec.id = "dev-000042";
  spec.sans = {ParseSan("10.1.2.3").value()};
  Result<DeviceCert> d = worker->Issue(spec);
  ASSERT_TRUE(d.ok()) << d.error().message;

  // The key: PKCS#8 exactly as OpenSSL writes it for the same key.
  const auto* p = reinterpret_cast<const unsigned char*>(d->key_der.str().data());
  EVP_PKEY* raw = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(d->key_der.str().size()));
  ASSERT_NE(raw, nullptr);
  PrivateKey key = PrivateKey::Adopt(raw);
  EXPECT_EQ(key.ToPem(nullptr).value().str(), d->key_pem.str());
  // The public point written is the private key's (the keys of two whole generation batches).
  for (int i = 0; i < 130; ++i) {
    Result<DeviceCert> other = worker->Issue(spec);
    ASSERT_TRUE(other.ok());
    const auto* q = reinterpret_cast<const unsigned char*>(other->key_der.str().data());
    auto k = ossl::Wrap(d2i_AutoPrivateKey(nullptr, &q, static_cast<long>(other->key_der.str().size())));
    ASSERT_NE(k, nullptr);
    auto check = ossl::Wrap(EVP_PKEY_CTX_new(k.get(), nullptr));
    EXPECT_EQ(EVP_PKEY_pairwise_check(check.get()), 1) << "key " << i;
  }

  Result<Certificate> fast = Certificate::FromPem(d->cert_pem, "fast");
  ASSERT_TRUE(fast.ok()) << fast.error().message;
  EXPECT_EQ(fast->ToDer(), d->cert_der);
  EXPECT_TRUE(fast->MatchesKey(key));
  EXPECT_TRUE(fast->IssuedBy(ca_.cert));

  // The same certificate made by Issue(): identical TBSCertificate once given the same serial.
  IssueOptions io;
  io.profile = Profile::kClient;
  io.subject.organization = "mqttpki";
  io.subject.common_name = spec.id;
  io.sans = spec.sans;
  io.days = options_.days;
  io.now = kNow;
  Result<IssueResult> slow = Issue(io, key.get(), &ca_.cert, *KeySigner(ca_.key).value());
  ASSERT_TRUE(slow.ok()) << slow.error().message;
  X509* s = slow->certificate.get();
  ASSERT_EQ(X509_set_serialNumber(s, X509_get_serialNumber(fast->get())), 1);
  EXPECT_EQ(TbsOf(fast->get()), TbsOf(s));

  // The record says what the certificate says.
  CertRecord expected = CertRecord::FromCertificate(*fast);
  EXPECT_EQ(d->record.serial, expected.serial);
  EXPECT_EQ(d->record.subject, expected.subject);
  EXPECT_EQ(d->record.issuer, expected.issuer);
  EXPECT_EQ(d->record.sans, expected.sans);
  EXPECT_EQ(d->record.sha256, expected.sha256);
  EXPECT_EQ(d->record.not_before, expected.not_before);
  EXPECT_EQ(d->record.not_after, expected.not_after);
  EXPECT_EQ(d->record.profile, "client");
  EXPECT_EQ(issuer->ca_chain_pem(), ca_.cert.ToPem());
}

TEST_F(FleetTest, SerialsAscendWithTheOrdinalAndStayUnpredictable) {
  std::vector<std::string> warnings;
  auto issuer = std::move(DeviceIssuer::Create(ca_, options_, warnings).value());
  auto worker = std::move(issuer->NewWorker().value());
  std::string last;
  for (uint64_t i = 0; i < 50; ++i) {
    DeviceSpec spec;
    spec.id = "d" + std::to_string(i);
    spec.ordinal = i;
    Result<DeviceCert> d = worker->Issue(spec);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->record.serial.size(), 40u);
    EXPECT_GT(d->record.serial, last);
    if (!last.empty()) {
      EXPECT_NE(d->record.serial.substr(16), last.substr(16));
    }
    last = d->record.serial;
  }
}

TEST_F(FleetTest, KeysFromCsrsAndOtherKeyTypes) {
  std::vector<std::string> warnings;
  options_.key = KeyType::kEcP384;
  auto issuer = std::move(DeviceIssuer::Create(ca_, options_, warnings).value());
  auto worker = std::move(issuer->NewWorker().value());
  DeviceSpec spec;
  spec.id = "p384";
  Result<DeviceCert> d = worker->Issue(spec);
  ASSERT_TRUE(d.ok()) << d.error().message;
  Result<PrivateKey> key = PrivateKey::FromPem(d->key_pem.str(), nullptr, "key");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->Description(), "EC P-384");
  EXPECT_TRUE(Certificate::FromPem(d->cert_pem, "c").value().MatchesKey(*key));

  // A CSR's key: no private key comes out.
  PrivateKey device_key = std::move(PrivateKey::Generate(KeyType::kEcP256).value());
  spec.id = "from-csr";
  spec.spki_der = device_key.PublicKeyDer();
  d = worker->Issue(spec);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_TRUE(d->key_pem.empty());
  EXPECT_TRUE(Certificate::FromPem(d->cert_pem, "c").value().MatchesKey(device_key));
}

TEST_F(FleetTest, RefusesACaLimitedToServers) {
  std::vector<std::string> warnings;
  CaMaterial server_ca;
  PassphraseProvider pass(RealFileSystem(), dir_ / "pass");
  FileTransaction tx(RealFileSystem(), false);
  Report report;
  CaOptions o;
  o.protection.encrypt = false;
  o.issues_for = Profile::kServer;
  server_ca = std::move(pki_->CreateIntermediate("servers-only", o, root_, kNow, pass, tx, report).value());
  Result<std::unique_ptr<DeviceIssuer>> issuer = DeviceIssuer::Create(server_ca, options_, warnings);
  ASSERT_FALSE(issuer.ok());
  EXPECT_NE(issuer.error().message.find("lacks clientAuth"), std::string::npos) << issuer.error().message;
}

}  // namespace
}  // namespace mqttpki

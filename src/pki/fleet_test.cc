#include "mqttpki/fleet.h"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "ossl/ptr.h"
#include "pki/der.h"
#include "pki/tar.h"
#include "pki/test_util.h"

namespace mqttpki {
namespace {

using testing::TempDir;

constexpr int64_t kNow = 1790000000;

// A PKI with root-ca and an unencrypted device-ca (--for client).
class FleetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::DevicePki d = testing::MakeDevicePki(dir_, kNow);
    pki_ = std::move(d.pki);
    root_ = std::move(d.root);
    ca_ = std::move(d.ca);
    options_.now = kNow;
    options_.subject_base.organization = "mqttpki";
  }

  TempDir dir_;
  std::unique_ptr<PkiDir> pki_;
  CaMaterial root_, ca_;
  DeviceIssuer::Options options_;
};

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

// RunUntil runs a batch and asks it to stop (as Ctrl-C does) once |after| devices are committed.
Result<BatchResult> RunUntil(const PkiDir& pki, const CaMaterial& ca, const DeviceIssuer::Options& options,
                             DeviceSource& source, const BatchOptions& bo, uint64_t after) {
  std::atomic<bool> stop{false};
  return RunDeviceBatch(pki, ca, options, source, bo, kNow, &stop, [&stop, after](const BatchProgress& p) {
    if (p.done >= after) stop = true;
  });
}

// ResumeArchive interrupts a batch into |archive|, resumes it, and checks what the archive holds.
void ResumeArchive(PkiDir& pki, const CaMaterial& ca, const DeviceIssuer::Options& options,
                   const std::string& archive) {
  BatchOptions bo;
  bo.archive = archive;
  bo.jobs = 2;
  bo.chunk = 16;
  // Stop after the first chunks.
  auto source = CountSource("dev-", 1, 500);
  Result<BatchResult> first = RunUntil(pki, ca, options, *source, bo, 64);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->interrupted);
  EXPECT_GE(first->issued, 64u);
  EXPECT_LT(first->issued, 500u);
  EXPECT_TRUE(std::filesystem::exists(archive + ".partial"));
  EXPECT_FALSE(std::filesystem::exists(archive));

  Result<BatchResult> second = RunDeviceBatch(pki, ca, options, *source, bo, kNow, nullptr, nullptr);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_FALSE(second->interrupted);
  EXPECT_EQ(second->skipped, first->issued);
  EXPECT_EQ(second->resumed, first->issued);
  EXPECT_EQ(first->issued + second->issued, 500u);
  EXPECT_TRUE(std::filesystem::exists(archive));
  EXPECT_FALSE(std::filesystem::exists(archive + ".partial"));

  // The archive holds each device once, with its chain last, then the manifests.
  std::ifstream in(archive, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t chains = 0, offset = 0;
  std::set<std::string> ids;
  tar::Entry e;
  std::string manifest;
  while (offset + tar::kBlock <= data.size() && tar::ParseHeader(std::string_view(data).substr(offset, tar::kBlock), e)) {
    if (e.path.size() > 10 && e.path.compare(e.path.size() - 10, 10, ".chain.pem") == 0) {
      ++chains;
      ids.insert(e.path.substr(0, e.path.find('/')));
    }
    if (e.path.size() > 9 && e.path.compare(e.path.size() - 9, 9, ".cert.pem") == 0) {
      Result<Certificate> leaf = Certificate::FromPem(data.substr(offset + tar::kBlock, e.size), e.path);
      ASSERT_TRUE(leaf.ok()) << e.path << ": " << leaf.error().message;
      EXPECT_TRUE(leaf->IssuedBy(ca.cert)) << e.path;
    }
    if (e.path == "manifest.csv") manifest = data.substr(offset + tar::kBlock, e.size);
    offset += tar::kBlock + tar::PaddedSize(e.size);
  }
  EXPECT_EQ(chains, 500u);
  EXPECT_EQ(ids.size(), 500u);
  EXPECT_EQ(std::count(manifest.begin(), manifest.end(), '\n'), 501);

  // Run again: nothing to do.
  Result<BatchResult> third = RunDeviceBatch(pki, ca, options, *source, bo, kNow, nullptr, nullptr);
  ASSERT_TRUE(third.ok()) << third.error().message;
  EXPECT_EQ(third->issued, 0u);
  EXPECT_EQ(third->skipped, 500u);
}

TEST_F(FleetTest, ArchiveBatchResumesAfterAnInterruptionWithoutReissuing) {
  ResumeArchive(*pki_, ca_, options_, dir_ / "batch.tar");
}

// Where the file system takes no direct I/O (tmpfs reports no alignment for it), the archive is written through
// the page cache: the same archive.
TEST_F(FleetTest, ArchiveBatchWithoutDirectIo) {
  std::error_code ec;
  if (!std::filesystem::is_directory("/dev/shm", ec)) GTEST_SKIP() << "no /dev/shm";
  TempDir shm("/dev/shm");
  ResumeArchive(*pki_, ca_, options_, shm / "batch.tar");
}

// Recorded devices that the archive no longer holds are not skipped silently: nothing is written, and the
// message says what happened.
TEST_F(FleetTest, ArchiveBatchRefusesToForgetRecordedDevices) {
  std::string archive = dir_ / "lost.tar";
  BatchOptions bo;
  bo.archive = archive;
  bo.jobs = 1;
  bo.chunk = 16;
  auto source = CountSource("lost-", 1, 200);
  Result<BatchResult> first = RunUntil(*pki_, ca_, options_, *source, bo, 32);
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(first->interrupted);
  // The partial archive is deleted: its devices' keys with it.
  std::filesystem::remove(archive + ".partial");
  Result<BatchResult> again = RunDeviceBatch(*pki_, ca_, options_, *source, bo, kNow, nullptr, nullptr);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kInput);
  EXPECT_NE(again.error().message.find(std::to_string(first->issued) + " device(s) of this batch are recorded in "
                                       "the inventory at " + archive + ", but neither it nor " + archive +
                                       ".partial exists: nothing was written"),
            std::string::npos)
      << again.error().message;
  EXPECT_FALSE(std::filesystem::exists(archive + ".partial"));
  EXPECT_FALSE(std::filesystem::exists(archive));

  // Another archive takes the devices not issued yet.
  bo.archive = dir_ / "rest.tar";
  Result<BatchResult> rest = RunDeviceBatch(*pki_, ca_, options_, *source, bo, kNow, nullptr, nullptr);
  ASSERT_TRUE(rest.ok()) << rest.error().message;
  EXPECT_EQ(rest->issued + first->issued, 200u);
  EXPECT_EQ(rest->skipped, first->issued);
}

TEST_F(FleetTest, FolderBatchWritesWholeDevicesAndRefusesCaNames) {
  BatchOptions bo;
  bo.out_dir = dir_ / "devices";
  bo.jobs = 1;
  auto source = ListSource({"a", "b"}, {});
  Result<BatchResult> r = RunDeviceBatch(*pki_, ca_, options_, *source, bo, kNow, nullptr, nullptr);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->issued, 2u);
  for (const char* id : {"a", "b"}) {
    for (const char* f : {".key.pem", ".cert.pem", ".chain.pem"}) {
      EXPECT_TRUE(std::filesystem::exists((dir_ / "devices") + "/" + id + "/" + id + f)) << id << f;
    }
  }
  EXPECT_TRUE(std::filesystem::exists(dir_ / "devices/manifest.csv"));

  auto clash = ListSource({"c", "device-ca"}, {});
  Result<BatchResult> refused = RunDeviceBatch(*pki_, ca_, options_, *clash, bo, kNow, nullptr, nullptr);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("'device-ca' is the name of a CA"), std::string::npos)
      << refused.error().message;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "devices/c"));

  auto twice = ListSource({"d", "e", "d"}, {});
  refused = RunDeviceBatch(*pki_, ca_, options_, *twice, bo, kNow, nullptr, nullptr);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("'d' is listed twice"), std::string::npos) << refused.error().message;
}

}  // namespace
}  // namespace mqttpki

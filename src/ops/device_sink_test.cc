#include "ops/device_sink.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "mqttpki/inventory.h"
#include "pki/tar.h"
#include "pki/test_util.h"

namespace mqttpki {
namespace {

using testing::TempDir;

constexpr int64_t kNow = 1790000000;

unsigned ModeOf(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A PKI with an unencrypted device-ca, its inventory, and a worker that issues its devices.
class DeviceSinkTest : public testing::DevicePkiTest {
 protected:
  void SetUp() override {
    DevicePkiTest::SetUp();
    std::vector<std::string> warnings;
    issuer_ = std::move(DeviceIssuer::Create(ca_, options_, warnings).value());
    worker_ = std::move(issuer_->NewWorker().value());
    inv_ = std::move(Inventory::Open(*pki_, true, kNow).value());
  }

  // Issue adds device |id| to |c| through |sink| (its certificate, and its chain in two pieces), as the batch
  // does.
  void Issue(Chunk& c, const DeviceSink& sink, const DeviceOutput& out, const std::string& id) {
    DeviceSpec spec;
    spec.id = id;
    c.specs.push_back(spec);
    DeviceCert d = std::move(worker_->Issue(spec).value());
    DeviceFile files[] = {{".cert.pem", d.cert_pem, 0644, {}}, {".chain.pem", d.cert_pem, 0644, issuer_->ca_chain_pem()}};
    CertRecord& rec = c.records.emplace_back(std::move(d.record));
    rec.cert_path = out.CertRef(id);
    rec.chain_path = out.Ref(id, ".chain.pem");
    rec.recorded_at = kNow;
    Status st = sink.Add(c, rec, files, 2);
    ASSERT_TRUE(st.ok()) << st.error().message;
  }

  Store& store() { return inv_->store(); }

  std::unique_ptr<DeviceIssuer> issuer_;
  std::unique_ptr<DeviceIssuer::Worker> worker_;
  std::unique_ptr<Inventory> inv_;
};

TEST_F(DeviceSinkTest, FoldersAppearWholeOnCommitAndLeftoversAreSwept) {
  DeviceOutput out;
  out.dir = pki_->Path("devices");
  out.dir_ref = "devices";
  // What a killed run left: a device folder it had not renamed, and a manifest temporary. A finished device
  // stays.
  std::filesystem::create_directories(out.dir + "/.partial-dev-9/sub");
  std::ofstream(out.dir + "/.partial-dev-9/sub/dev-9.key.pem") << "secret";
  std::ofstream(out.dir + "/manifest.tmp-abc") << "x";
  std::filesystem::create_directories(out.dir + "/kept");

  std::unique_ptr<DeviceSink> sink = FolderSink(*pki_, store(), out, kNow);
  BatchPlan plan;
  plan.todo = 2;
  BatchResult result;
  ASSERT_TRUE(sink->Open(plan, result).value());
  EXPECT_FALSE(std::filesystem::exists(out.dir + "/.partial-dev-9"));
  EXPECT_FALSE(std::filesystem::exists(out.dir + "/manifest.tmp-abc"));
  EXPECT_TRUE(std::filesystem::exists(out.dir + "/kept"));
  EXPECT_EQ(ModeOf(out.dir), 0700u);

  // A chunk whose commit is not reached (a failure elsewhere) is discarded: nothing of it stays.
  auto dropped = std::make_unique<Chunk>();
  Issue(*dropped, *sink, out, "dev-0");
  EXPECT_TRUE(std::filesystem::exists(out.dir + "/.partial-dev-0/dev-0.chain.pem"));
  sink->Discard(*dropped);
  EXPECT_FALSE(std::filesystem::exists(out.dir + "/.partial-dev-0"));

  auto c = std::make_unique<Chunk>();
  Issue(*c, *sink, out, "dev-1");
  Issue(*c, *sink, out, "dev-2");
  std::string cert = Slurp(out.dir + "/.partial-dev-1/dev-1.cert.pem");
  EXPECT_EQ(Slurp(out.dir + "/.partial-dev-1/dev-1.chain.pem"), cert + issuer_->ca_chain_pem());
  EXPECT_EQ(ModeOf(out.dir + "/.partial-dev-1"), 0700u);
  EXPECT_FALSE(store().Current("dev-1").value().has_value());
  Status st = sink->Commit(std::move(c), result);
  ASSERT_TRUE(st.ok()) << st.error().message;
  ASSERT_TRUE(sink->Flush(result).ok());
  EXPECT_EQ(result.issued, 2u);
  EXPECT_FALSE(std::filesystem::exists(out.dir + "/.partial-dev-1"));
  EXPECT_EQ(Slurp(out.dir + "/dev-1/dev-1.cert.pem"), cert);
  std::optional<CertRecord> row = store().Current("dev-1").value();
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->cert_path, "devices/dev-1/dev-1.cert.pem");
  // The journal that covered the renames is gone with the commit.
  EXPECT_TRUE(std::filesystem::is_empty(pki_->Path(kPendingDir)));

  ASSERT_TRUE(sink->Finish(result).ok());
  std::string csv = Slurp(out.dir + "/manifest.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n') + 1), kManifestHeader);
  EXPECT_NE(csv.find("\ndev-1," + row->serial + ","), std::string::npos) << csv;
  EXPECT_NE(csv.find("\ndev-2,"), std::string::npos) << csv;
  EXPECT_EQ(csv.find("kept"), std::string::npos) << csv;  // a folder the inventory does not have
  EXPECT_NE(Slurp(out.dir + "/manifest.json").find("\"id\": \"dev-2\""), std::string::npos);
  EXPECT_EQ(result.outputs.back(), out.dir + "/manifest.json");
}

TEST_F(DeviceSinkTest, ArchiveIsResumableUntilFinishedThenReadOnly) {
  std::string archive = dir_ / "fleet.tar";
  DeviceOutput out;
  out.archive = true;
  out.archive_rel = archive;
  out.mtime = kNow;
  BatchPlan plan;
  plan.todo = 2;
  BatchResult result;
  {
    std::unique_ptr<DeviceSink> sink = ArchiveSink(*pki_, store(), out, archive, "2027-01-01T00:00:00Z", kNow);
    ASSERT_TRUE(sink->Open(plan, result).value());
    auto c = std::make_unique<Chunk>();
    Issue(*c, *sink, out, "dev-1");
    ASSERT_TRUE(sink->Commit(std::move(c), result).ok());
    // The chunk is being written; its rows are committed by the next Commit or Flush.
    ASSERT_TRUE(sink->Flush(result).ok());
    EXPECT_EQ(result.issued, 1u);
    EXPECT_TRUE(store().Current("dev-1").value().has_value());
    sink->Interrupted(result);
    EXPECT_EQ(result.outputs.back(), archive + ".partial");
  }
  EXPECT_EQ(Slurp(archive + ".partial-manifest").substr(0, 6), "dev-1,");

  // The next run keeps the recorded device and appends the rest.
  plan.in_this_archive = 1;
  plan.todo = 1;
  result = BatchResult();
  std::unique_ptr<DeviceSink> sink = ArchiveSink(*pki_, store(), out, archive, "2027-01-01T00:00:00Z", kNow);
  ASSERT_TRUE(sink->Open(plan, result).value());
  EXPECT_EQ(result.resumed, 1u);
  auto c = std::make_unique<Chunk>();
  Issue(*c, *sink, out, "dev-2");
  ASSERT_TRUE(sink->Commit(std::move(c), result).ok());
  ASSERT_TRUE(sink->Flush(result).ok());
  ASSERT_NE(sink->Spare(), nullptr);  // the recorded chunk, for reuse
  Status st = sink->Finish(result);
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(result.outputs.back(), archive);
  EXPECT_FALSE(std::filesystem::exists(archive + ".partial"));
  EXPECT_FALSE(std::filesystem::exists(archive + ".partial-manifest"));
  EXPECT_EQ(ModeOf(archive), 0400u);

  // Each device's entries, chain last, then the manifests with both devices.
  std::string data = Slurp(archive);
  std::vector<std::string> paths;
  std::string manifest;
  tar::Entry e;
  for (size_t at = 0; at + tar::kBlock <= data.size() &&
                      tar::ParseHeader(std::string_view(data).substr(at, tar::kBlock), e);
       at += tar::kBlock + tar::PaddedSize(e.size)) {
    paths.push_back(e.path);
    if (e.path == "manifest.csv") manifest = data.substr(at + tar::kBlock, e.size);
  }
  EXPECT_EQ(paths, (std::vector<std::string>{"dev-1/dev-1.cert.pem", "dev-1/dev-1.chain.pem", "dev-2/dev-2.cert.pem",
                                             "dev-2/dev-2.chain.pem", "manifest.csv", "manifest.json"}));
  EXPECT_EQ(manifest.substr(0, manifest.find('\n') + 1), kManifestHeader);
  EXPECT_NE(manifest.find("\ndev-1,"), std::string::npos);
  EXPECT_NE(manifest.find("\ndev-2,"), std::string::npos);
  EXPECT_NE(manifest.find(",2027-01-01T00:00:00Z\n"), std::string::npos);

  // Finished: a rerun with nothing to do is told where the archive is; one with new devices is refused.
  plan.todo = 0;
  result = BatchResult();
  std::unique_ptr<DeviceSink> again = ArchiveSink(*pki_, store(), out, archive, "", kNow);
  EXPECT_FALSE(again->Open(plan, result).value());
  EXPECT_EQ(result.outputs, std::vector<std::string>{archive});
  plan.todo = 1;
  std::unique_ptr<DeviceSink> more = ArchiveSink(*pki_, store(), out, archive, "", kNow);
  Result<bool> refused = more->Open(plan, result);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kExists);
  EXPECT_EQ(refused.error().message.find(archive + " exists: choose another "), 0u) << refused.error().message;
}

}  // namespace
}  // namespace mqttpki

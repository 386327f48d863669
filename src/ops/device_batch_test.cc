// RunDeviceBatch (device_batch.cc): archives resumed after an interruption, refused when the inventory records
// devices the archive lost, folders written whole.
#include "mqttpki/device_batch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "pki/tar.h"
#include "pki/test_util.h"

namespace mqttpki {
namespace {

using testing::TempDir;

constexpr int64_t kNow = 1790000000;

// A PKI with root-ca and an unencrypted device-ca (--for client).
using DeviceBatchTest = testing::DevicePkiTest;

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

TEST_F(DeviceBatchTest, ArchiveBatchResumesAfterAnInterruptionWithoutReissuing) {
  ResumeArchive(*pki_, ca_, options_, dir_ / "batch.tar");
}

// Where the file system takes no direct I/O (tmpfs reports no alignment for it), the archive is written through
// the page cache: the same archive.
TEST_F(DeviceBatchTest, ArchiveBatchWithoutDirectIo) {
  std::error_code ec;
  if (!std::filesystem::is_directory("/dev/shm", ec)) GTEST_SKIP() << "no /dev/shm";
  TempDir shm("/dev/shm");
  ResumeArchive(*pki_, ca_, options_, shm / "batch.tar");
}

// Recorded devices that the archive no longer holds are not skipped silently: nothing is written, and the
// message says what happened.
TEST_F(DeviceBatchTest, ArchiveBatchRefusesToForgetRecordedDevices) {
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

TEST_F(DeviceBatchTest, FolderBatchWritesWholeDevicesAndRefusesCaNames) {
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

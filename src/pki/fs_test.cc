#include "mqttpki/fs.h"

#include <sys/stat.h>

#include <fstream>

#include "pki/test_util.h"

namespace mqttpki {
namespace {

using testing::FaultyFileSystem;
using testing::Listing;
using testing::TempDir;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

unsigned ModeOf(const std::string& path) {
  struct stat sb;
  EXPECT_EQ(::stat(path.c_str(), &sb), 0) << path;
  return sb.st_mode & 07777;
}

TEST(FileTransaction, CommitWritesEveryFileWithItsMode) {
  TempDir dir;
  FileTransaction tx(RealFileSystem(), false);
  ASSERT_TRUE(tx.Stage(dir / "a/private/a.key.pem", "secret", 0400).ok());
  ASSERT_TRUE(tx.Stage(dir / "a/certs/a.cert.pem", "cert", 0644).ok());
  ASSERT_TRUE(tx.Commit().ok());
  EXPECT_EQ(Slurp(dir / "a/private/a.key.pem"), "secret");
  EXPECT_EQ(ModeOf(dir / "a/private/a.key.pem"), 0400u);
  EXPECT_EQ(ModeOf(dir / "a/private"), 0700u);
  EXPECT_EQ(ModeOf(dir / "a/certs/a.cert.pem"), 0644u);
  // No temporary or backup files remain.
  EXPECT_EQ(Listing(dir.path()).size(), 5u);
}

TEST(FileTransaction, ExistingFileNeedsForce) {
  TempDir dir;
  {
    FileTransaction tx(RealFileSystem(), false);
    ASSERT_TRUE(tx.Stage(dir / "k.pem", "old", 0400).ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  FileTransaction tx(RealFileSystem(), false);
  Status st = tx.Stage(dir / "k.pem", "new", 0400);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kExists);
  EXPECT_EQ(st.error().message, dir / "k.pem" + " exists; use --force to overwrite it");
  EXPECT_EQ(Slurp(dir / "k.pem"), "old");

  FileTransaction forced(RealFileSystem(), true);
  ASSERT_TRUE(forced.Stage(dir / "k.pem", "new", 0400).ok());
  ASSERT_TRUE(forced.Commit().ok());
  EXPECT_EQ(Slurp(dir / "k.pem"), "new");
}

TEST(FileTransaction, UncommittedTransactionLeavesNothing) {
  TempDir dir;
  auto before = Listing(dir.path());
  {
    FileTransaction tx(RealFileSystem(), false);
    ASSERT_TRUE(tx.Stage(dir / "x/y/z.pem", "data", 0644).ok());
  }
  EXPECT_EQ(Listing(dir.path()), before);
}

// Every failure point of a three-file commit (full disk, failed rename, failed mkdir) leaves the directory exactly
// as it was: no partial files, no temporary files, no new directories.
TEST(FileTransaction, FailureAtAnyStepLeavesTheDiskAsItWas) {
  for (int fail_at = 1; fail_at < 20; ++fail_at) {
    TempDir dir;
    {
      FileTransaction seed(RealFileSystem(), false);
      ASSERT_TRUE(seed.Stage(dir / "keep/existing.pem", "untouched", 0644).ok());
      ASSERT_TRUE(seed.Commit().ok());
    }
    auto before = Listing(dir.path());
    FaultyFileSystem fs(fail_at);
    Status st;
    {
      FileTransaction tx(fs, false);
      ASSERT_TRUE(tx.Stage(dir / "root-ca/private/root-ca.key.pem", "k", 0400).ok());
      ASSERT_TRUE(tx.Stage(dir / "root-ca/certs/root-ca.cert.pem", "c", 0644).ok());
      ASSERT_TRUE(tx.Stage(dir / "ca-bundle.pem", "b", 0644).ok());
      st = tx.Commit();
    }
    if (fs.calls() < fail_at) {
      EXPECT_TRUE(st.ok());
      break;  // past the last mutating call: every failure point has been tried
    }
    ASSERT_FALSE(st.ok()) << "fail_at=" << fail_at;
    EXPECT_EQ(st.error().code, ErrorCode::kIo);
    EXPECT_EQ(Listing(dir.path()), before) << "fail_at=" << fail_at;
  }
}

// With --force, a failure after some files were replaced puts the old contents back.
TEST(FileTransaction, ForcedReplaceIsUndoneOnFailure) {
  for (int fail_at = 1; fail_at < 20; ++fail_at) {
    TempDir dir;
    {
      FileTransaction seed(RealFileSystem(), false);
      ASSERT_TRUE(seed.Stage(dir / "a.pem", "old-a", 0644).ok());
      ASSERT_TRUE(seed.Stage(dir / "b.pem", "old-b", 0644).ok());
      ASSERT_TRUE(seed.Commit().ok());
    }
    auto before = Listing(dir.path());
    FaultyFileSystem fs(fail_at);
    Status st;
    {
      FileTransaction tx(fs, true);
      ASSERT_TRUE(tx.Stage(dir / "a.pem", "new-a", 0644).ok());
      ASSERT_TRUE(tx.Stage(dir / "b.pem", "new-b", 0644).ok());
      st = tx.Commit();
    }
    if (fs.calls() < fail_at) break;
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(Slurp(dir / "a.pem"), "old-a") << "fail_at=" << fail_at;
    EXPECT_EQ(Slurp(dir / "b.pem"), "old-b") << "fail_at=" << fail_at;
    EXPECT_EQ(Listing(dir.path()), before) << "fail_at=" << fail_at;
  }
}

TEST(FileTransaction, KeyIsNeverReadableByOthersEvenWithAnOpenUmask) {
  TempDir dir;
  mode_t old = ::umask(0);
  FileTransaction tx(RealFileSystem(), false);
  ASSERT_TRUE(tx.Stage(dir / "private/k.pem", "secret", 0400).ok());
  ASSERT_TRUE(tx.Commit().ok());
  ::umask(old);
  EXPECT_EQ(ModeOf(dir / "private/k.pem"), 0400u);
  EXPECT_EQ(ModeOf(dir / "private"), 0700u);
}

TEST(FileSystem, ReadFileRefusesHugeFiles) {
  TempDir dir;
  {
    std::ofstream out(dir / "big");
    out << std::string(2000, 'x');
  }
  Result<std::string> r = RealFileSystem().ReadFile(dir / "big", 1024);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInput);
  EXPECT_NE(r.error().message.find("is too large"), std::string::npos);
  Result<std::string> missing = RealFileSystem().ReadFile(dir / "nope", 1024);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, dir / "nope" + " does not exist");
}

}  // namespace
}  // namespace mqttpki

#include "mqttpki/fs.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "pki/test_util.h"

namespace mqttpki {
namespace {

using testing::FaultyFileSystem;
using testing::Listing;
using testing::TempDir;
using testing::Worded;

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
  EXPECT_EQ(Worded(st.error()), dir / "k.pem" + " exists; use --force to overwrite it");
  EXPECT_EQ(st.error().argument, "force");
  EXPECT_EQ(st.error().file, dir / "k.pem");
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
// The same with a commit log, whose record must go too.
TEST(FileTransaction, FailureAtAnyStepLeavesTheDiskAsItWas) {
  for (bool logged : {false, true}) {
  for (int fail_at = 1; fail_at < 30; ++fail_at) {
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
      if (logged) tx.SetCommitLog(dir / ".pending");
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
    EXPECT_EQ(Listing(dir.path()), before) << "fail_at=" << fail_at << " logged=" << logged;
  }
  }
}

// With --force, a failure after some files were replaced puts the old contents back.
TEST(FileTransaction, ForcedReplaceIsUndoneOnFailure) {
  for (bool logged : {false, true}) {
  for (int fail_at = 1; fail_at < 30; ++fail_at) {
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
      if (logged) tx.SetCommitLog(dir / ".pending");
      ASSERT_TRUE(tx.Stage(dir / "a.pem", "new-a", 0644).ok());
      ASSERT_TRUE(tx.Stage(dir / "b.pem", "new-b", 0644).ok());
      st = tx.Commit();
    }
    if (fs.calls() < fail_at) break;
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(Slurp(dir / "a.pem"), "old-a") << "fail_at=" << fail_at;
    EXPECT_EQ(Slurp(dir / "b.pem"), "old-b") << "fail_at=" << fail_at;
    EXPECT_EQ(Listing(dir.path()), before) << "fail_at=" << fail_at << " logged=" << logged;
  }
  }
}

// Regular files under |dir| with their contents, except the commit log's directory: what a crash may change.
std::vector<std::string> Files(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    out.push_back(std::filesystem::relative(e.path(), dir).string() + "=" + Slurp(e.path().string()));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A crash (the process gone, nothing undone) at every step of a logged three-file commit, then the next command's
// RecoverCommits: the files are all old or all new, never a mix, and no temporary file, backup or record is left.
// With --force the old files are replaced; without, they are new files.
TEST(FileTransaction, LoggedCommitIsAtomicAcrossACrashAtAnyStep) {
  const std::vector<std::string> paths = {"a/private/a.key.pem", "a/certs/a.cert.pem", "a/a.chain.pem"};
  for (bool force : {false, true}) {
    int completed = 0, undone = 0, finished = 0;
    bool reached_end = false;
    for (int crash_at = 1; crash_at < 60 && !reached_end; ++crash_at) {
      TempDir dir;
      {
        FileTransaction seed(RealFileSystem(), false);
        ASSERT_TRUE(seed.Stage(dir / "keep/existing.pem", "untouched", 0644).ok());
        if (force) {
          for (const std::string& p : paths) ASSERT_TRUE(seed.Stage(dir / p, "old", 0644).ok());
        }
        ASSERT_TRUE(seed.Commit().ok());
      }
      std::vector<std::string> before = Files(dir.path());
      std::vector<std::string> after = {"keep/existing.pem=untouched"};
      for (const std::string& p : paths) after.push_back(p + "=new " + p);
      std::sort(after.begin(), after.end());
      pid_t child = ::fork();
      ASSERT_GE(child, 0);
      if (child == 0) {
        FaultyFileSystem fs(crash_at, /*crash=*/true);
        FileTransaction tx(fs, force);
        tx.SetCommitLog(dir / ".pending");
        for (const std::string& p : paths) {
          if (!tx.Stage(dir / p, "new " + p, p.find("private") != std::string::npos ? 0400 : 0644).ok()) ::_exit(2);
        }
        ::_exit(tx.Commit().ok() ? 0 : 1);
      }
      int status = 0;
      ASSERT_EQ(::waitpid(child, &status, 0), child);
      ASSERT_TRUE(WIFEXITED(status));
      int code = WEXITSTATUS(status);
      ASSERT_TRUE(code == 0 || code == FaultyFileSystem::kCrashed) << "crash_at=" << crash_at << " exit " << code;
      reached_end = code == 0;
      Status recovered = RecoverCommits(RealFileSystem(), dir / ".pending");
      ASSERT_TRUE(recovered.ok()) << recovered.error().message;
      std::vector<std::string> files = Files(dir.path());
      if (files == after) {
        ++(reached_end ? finished : completed);
      } else {
        EXPECT_EQ(files, before) << "crash_at=" << crash_at << " force=" << force << ": neither all old nor all new";
        ++undone;
      }
      if (files == after) {
        EXPECT_EQ(ModeOf(dir / paths[0]), 0400u);
      }
    }
    EXPECT_TRUE(reached_end) << "force=" << force;
    // Both ways out were taken: crashes before the record was committed, and after it (some files renamed).
    EXPECT_GT(undone, 0) << "force=" << force;
    EXPECT_GT(completed, 1) << "force=" << force;
    EXPECT_EQ(finished, 1);
  }
}

// DeadPid is the pid of a process that has exited (and been reaped).
int64_t DeadPid() {
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

// A record cut short while it was being prepared (before any temporary file) is dropped; a committed record that
// cannot be read stops recovery with a message naming it, and is left for a person to look at.
TEST(FileTransaction, RecoverCommitsHandlesDamagedRecords) {
  using namespace std::string_literals;
  TempDir dir;
  std::filesystem::create_directories(dir / ".pending");
  std::string pid = std::to_string(DeadPid());
  std::string base = dir / (".pending/tx-" + pid + "-abc");
  { std::ofstream(base + ".prepare") << "mqttpki-commit-1\0"s + pid; }
  ASSERT_TRUE(RecoverCommits(RealFileSystem(), dir / ".pending").ok());
  EXPECT_FALSE(std::filesystem::exists(base + ".prepare"));
  // Not a record; a record whose "end" could be a path; one whose file entry is cut short; one whose pid is not
  // the one in its name.
  for (const std::string& bad : {"garbage"s, "mqttpki-commit-1\0"s + pid + "\0dir\0end\0"s,
                                 "mqttpki-commit-1\0"s + pid + "\0file\0" "1\0/t\0end\0"s,
                                 "mqttpki-commit-1\0" "1\0end\0"s}) {
    { std::ofstream(base + ".commit") << bad; }
    Status st = RecoverCommits(RealFileSystem(), dir / ".pending");
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().message, base + ".commit" +
                                      " is the record of an interrupted commit, and it cannot be read: the files it "
                                      "covers may be incomplete; check them, then remove it");
    EXPECT_TRUE(std::filesystem::exists(base + ".commit"));
    EXPECT_EQ(UnfinishedCommits(dir / ".pending"), 1u);
  }
}

// A committed record whose files went away with their directory after the crash (removed by hand) is let go:
// recovery does not stop every later command on it.
TEST(FileTransaction, RecoverCommitsOfFilesRemovedByHand) {
  using namespace std::string_literals;
  TempDir dir;
  std::filesystem::create_directories(dir / ".pending");
  std::string pid = std::to_string(DeadPid());
  std::string rec = "mqttpki-commit-1\0"s + pid + "\0file\0" "0\0"s + (dir / "gone/.x.pem.tmp-1-ab") + "\0"s +
                    (dir / "gone/x.pem") + "\0end\0"s;
  { std::ofstream(dir / (".pending/tx-" + pid + "-abc.commit")) << rec; }
  Status st = RecoverCommits(RealFileSystem(), dir / ".pending");
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_TRUE(std::filesystem::is_empty(dir / ".pending"));
  EXPECT_FALSE(std::filesystem::exists(dir / "gone"));
}

// The records of a process still at work are its own business, and are not even read: a prepared one may be
// half-written (as another command's commit writes it, at the same time). Nothing is renamed or removed.
TEST(FileTransaction, RecoverCommitsLeavesALiveProcessAlone) {
  using namespace std::string_literals;
  TempDir dir;
  std::filesystem::create_directories(dir / ".pending");
  { std::ofstream(dir / ".tmp-new") << "new"; }
  std::string pid = std::to_string(::getppid());
  std::string rec = "mqttpki-commit-1\0"s + pid + "\0file\0" "0\0"s + (dir / ".tmp-new") + "\0"s + (dir / "x.pem") +
                    "\0end\0"s;
  std::string base = dir / (".pending/tx-" + pid + "-abc");
  { std::ofstream(base + ".commit") << rec; }
  { std::ofstream(base + "2.prepare") << "mqttpki-com"; }
  ASSERT_TRUE(RecoverCommits(RealFileSystem(), dir / ".pending").ok());
  EXPECT_FALSE(std::filesystem::exists(dir / "x.pem"));
  EXPECT_TRUE(std::filesystem::exists(base + ".commit"));
  EXPECT_TRUE(std::filesystem::exists(base + "2.prepare"));
  EXPECT_EQ(UnfinishedCommits(dir / ".pending"), 0u);
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

TEST(FileSystem, ListDirNamesEntriesAndTheirKind) {
  TempDir dir;
  std::filesystem::create_directory(dir / "sub");
  std::ofstream(dir / "file") << "x";
  Result<std::vector<DirEntry>> r = RealFileSystem().ListDir(dir.path());
  ASSERT_TRUE(r.ok()) << r.error().message;
  std::vector<DirEntry> entries = *r;
  std::sort(entries.begin(), entries.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].name, "file");
  EXPECT_FALSE(entries[0].is_dir);
  EXPECT_EQ(entries[1].name, "sub");
  EXPECT_TRUE(entries[1].is_dir);
  Result<std::vector<DirEntry>> missing = RealFileSystem().ListDir(dir / "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, dir / "nope" + " does not exist");
  Result<std::vector<DirEntry>> file = RealFileSystem().ListDir(dir / "file");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().message, "cannot list " + dir / "file" + ": Not a directory");
}

TEST(FileSystem, RemoveTreeRemovesEverythingBelow) {
  TempDir dir;
  std::filesystem::create_directories(dir / "t/a/b");
  std::ofstream(dir / "t/a/b/k.pem") << "x";
  std::ofstream(dir / "t/c") << "y";
  ASSERT_TRUE(RemoveTree(RealFileSystem(), dir / "t").ok());
  EXPECT_FALSE(std::filesystem::exists(dir / "t"));
  EXPECT_TRUE(RemoveTree(RealFileSystem(), dir / "t").ok());  // gone already: fine
}

TEST(FileSystem, LockWaitsForTheHolderAndSaysSo) {
  TempDir dir;
  Result<std::unique_ptr<FileLock>> first = RealFileSystem().Lock(dir.path(), nullptr);
  ASSERT_TRUE(first.ok()) << first.error().message;
  std::atomic<bool> waited{false}, got{false};
  std::thread second([&]() {
    Result<std::unique_ptr<FileLock>> r = RealFileSystem().Lock(dir.path(), [&]() { waited = true; });
    got = r.ok();
  });
  // The second holder waits (and said so) for as long as the first holds the lock.
  for (int i = 0; i < 500 && !waited; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(waited);
  EXPECT_FALSE(got);
  first->reset();
  second.join();
  EXPECT_TRUE(got);
  Result<std::unique_ptr<FileLock>> missing = RealFileSystem().Lock(dir / "nope", nullptr);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "cannot open " + dir / "nope" + ": No such file or directory");
}

}  // namespace
}  // namespace mqttpki

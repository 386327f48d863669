// SideFiles (side_files.cc): the -wal and -shm files a failed open leaves behind are removed, and nothing that
// a connection may need.
#include "store/side_files.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "pki/test_util.h"

namespace mqttpki {
namespace {

using sqlite::SideFiles;
using testing::TempDir;
using testing::WriteTestFile;

class SideFilesTest : public ::testing::Test {
 protected:
  void SetUp() override { WriteTestFile(db_, "SQLite format 3"); }
  // LeaveBehind writes what a half-failed open leaves: an empty -wal and a partial -shm.
  void LeaveBehind() {
    WriteTestFile(wal_, "");
    WriteTestFile(shm_, std::string(100, 'x'));
  }
  static bool Exists(const std::string& p) { return std::filesystem::exists(p); }

  TempDir dir_;
  std::string db_ = dir_ / "inventory.db", wal_ = db_ + "-wal", shm_ = db_ + "-shm";
};

TEST_F(SideFilesTest, WhatAFailedOpenLeftIsRemoved) {
  SideFiles s;
  s.Before(db_);
  LeaveBehind();
  s.Closed();
  EXPECT_FALSE(Exists(wal_));
  EXPECT_FALSE(Exists(shm_));
}

TEST_F(SideFilesTest, FilesThatWereThereBeforeStay) {
  LeaveBehind();
  SideFiles s;
  s.Before(db_);
  s.Closed();
  EXPECT_TRUE(Exists(wal_));
  EXPECT_TRUE(Exists(shm_));
}

TEST_F(SideFilesTest, AWalWithTransactionsStaysForSqliteToRecover) {
  SideFiles s;
  s.Before(db_);
  LeaveBehind();
  WriteTestFile(wal_, "frames");
  s.Closed();
  EXPECT_TRUE(Exists(wal_));
  EXPECT_TRUE(Exists(shm_));
}

TEST_F(SideFilesTest, TheyStayWhileAnotherConnectionOfThisProcessIsOpen) {
  SideFiles first, second;
  first.Before(db_);
  second.Before(db_);
  LeaveBehind();
  first.Closed();
  EXPECT_TRUE(Exists(wal_));
  second.Closed();
  EXPECT_FALSE(Exists(wal_));
  EXPECT_FALSE(Exists(shm_));
}

TEST_F(SideFilesTest, TheyStayWhileAnotherProcessHasTheDatabaseOpen) {
  // Another process holds what every SQLite connection to a WAL database holds: a read lock on the bytes
  // [PENDING_BYTE + 2, + 510) of the database file.
  int ready[2], done[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(done), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int fd = ::open(db_.c_str(), O_RDONLY);
    struct flock fl = {};
    fl.l_type = F_RDLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = 0x40000000 + 2;
    fl.l_len = 510;
    char c = ::fcntl(fd, F_SETLK, &fl) == 0 ? 'y' : 'n';
    (void)!::write(ready[1], &c, 1);
    (void)!::read(done[0], &c, 1);  // until the parent is done
    ::_exit(0);
  }
  char locked = 0;
  ASSERT_EQ(::read(ready[0], &locked, 1), 1);
  ASSERT_EQ(locked, 'y');
  SideFiles s;
  s.Before(db_);
  LeaveBehind();
  s.Closed();
  EXPECT_TRUE(Exists(wal_));
  EXPECT_TRUE(Exists(shm_));
  (void)!::write(done[1], "x", 1);
  int status = 0;
  ::waitpid(child, &status, 0);
  for (int fd : {ready[0], ready[1], done[0], done[1]}) ::close(fd);
}

TEST_F(SideFilesTest, ANewDatabaseHasNothingToCleanUp) {
  std::filesystem::remove(db_);
  SideFiles s;
  s.Before(db_);  // the file does not exist yet: SQLite creates it
  LeaveBehind();
  s.Closed();
  EXPECT_TRUE(Exists(wal_));  // not ours to judge: no database was there to test for users
}

}  // namespace
}  // namespace mqttpki

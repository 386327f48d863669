// SideFiles (side_files.cc): the -wal and -shm files a failed open leaves behind are removed, and nothing that
// a connection may need.
#include "store/side_files.h"

#include <gtest/gtest.h>

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
  // FailedOpen is an open of the database that fails half way, as SideFiles sees it.
  void FailedOpen() {
    SideFiles s;
    s.Before(db_);
    LeaveBehind();
    s.Closed();
  }
  static bool Exists(const std::string& p) { return std::filesystem::exists(p); }

  TempDir dir_;
  std::string db_ = dir_ / "inventory.db", wal_ = db_ + "-wal", shm_ = db_ + "-shm";
};

TEST_F(SideFilesTest, WhatAFailedOpenLeftIsRemoved) {
  FailedOpen();
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
  testing::SqliteReader reader(db_);
  ASSERT_TRUE(reader.holding());
  FailedOpen();
  EXPECT_TRUE(Exists(wal_));
  EXPECT_TRUE(Exists(shm_));
}

TEST_F(SideFilesTest, ANewDatabaseHasNothingToCleanUp) {
  std::filesystem::remove(db_);
  FailedOpen();  // the file did not exist: SQLite creates it
  EXPECT_TRUE(Exists(wal_));  // not ours to judge: no database was there to test for users
}

}  // namespace
}  // namespace mqttpki

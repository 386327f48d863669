// The SQLite Store on its own, without a PKI directory (inventory_test.cc tests it under the inventory).
#include "mqttpki/sqlite_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "mqttpki/store.h"
#include "pki/test_util.h"

namespace mqttpki {
namespace {

using testing::kTestNow;
using testing::Listing;
using testing::ReadTestFile;
using testing::RunCommand;
using testing::ScopedEnv;
using testing::TempDir;
using testing::WriteTestFile;

constexpr int64_t kDay = 86400;

// Row makes a record with every field set, distinct per |i|.
CertRecord Row(int i, const std::string& name, const std::string& ca = "server-ca",
               const std::string& profile = "server", int64_t not_before = kTestNow,
               int64_t not_after = kTestNow + 365 * kDay) {
  CertRecord r;
  r.serial = "5A" + std::to_string(1000 + i);
  r.name = name;
  r.ca = ca;
  r.profile = profile;
  r.subject = "C=DE, O=Test, CN=" + name;
  r.issuer = "C=DE, O=Test, OU=PKI, CN=Test Server CA";
  r.sans = "DNS:" + name + ".example.com, IP:10.0.0." + std::to_string(i % 250);
  r.not_before = not_before;
  r.not_after = not_after;
  r.sha256 = "AB:CD:" + std::to_string(i);
  r.cert_path = name + "/certs/" + name + ".cert.pem";
  r.key_path = name + "/private/" + name + ".key.pem";
  r.chain_path = name + "/" + name + ".chain.pem";
  r.recorded_at = kTestNow + i;
  return r;
}

void ExpectSameRecord(const CertRecord& a, const CertRecord& b) {
  EXPECT_EQ(a.serial, b.serial);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.ca, b.ca);
  EXPECT_EQ(a.profile, b.profile);
  EXPECT_EQ(a.subject, b.subject);
  EXPECT_EQ(a.issuer, b.issuer);
  EXPECT_EQ(a.sans, b.sans);
  EXPECT_EQ(a.not_before, b.not_before);
  EXPECT_EQ(a.not_after, b.not_after);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.revoked_at, b.revoked_at);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.sha256, b.sha256);
  EXPECT_EQ(a.cert_path, b.cert_path);
  EXPECT_EQ(a.key_path, b.key_path);
  EXPECT_EQ(a.chain_path, b.chain_path);
  EXPECT_EQ(a.recorded_at, b.recorded_at);
}

std::vector<std::string> Serials(const std::vector<CertRecord>& rows) {
  std::vector<std::string> out;
  for (const CertRecord& r : rows) out.push_back(r.serial);
  return out;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> Open(StoreAccess access = StoreAccess::kReadWrite) {
    Result<std::unique_ptr<Store>> s = OpenSqliteStore(path_, access);
    EXPECT_TRUE(s.ok()) << s.error().message;
    return s.ok() ? std::move(s).value() : nullptr;
  }

  TempDir dir_;
  std::string path_ = dir_ / "inventory.db";
};

TEST_F(SqliteStoreTest, InsertAndReadBackEveryField) {
  auto store = Open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->Count().value(), 0u);
  CertRecord r = Row(1, "broker");
  r.subject = "CN=O'Brien \"quoted\" ; DROP TABLE certificates; -- \xc3\xa9";  // stored as text, never as SQL
  ASSERT_TRUE(store->Insert(r).ok());
  Result<std::optional<CertRecord>> got = store->BySerial(r.serial);
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_TRUE(got->has_value());
  ExpectSameRecord(**got, r);
  EXPECT_EQ(store->Count().value(), 1u);
  Result<std::optional<CertRecord>> none = store->BySerial("5A9999");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(SqliteStoreTest, DuplicateSerialIsInputError) {
  auto store = Open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->Insert(Row(1, "a")).ok());
  CertRecord again = Row(1, "b");
  Status st = store->Insert(again);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInput);
  EXPECT_EQ(st.error().message, "serial 5A1001 is already in the inventory " + path_);
  EXPECT_EQ(store->BySerial("5A1001").value()->name, "a");  // the first one stays
  // InsertMany's tail (after its statements of 64 rows) is inserted one by one: a duplicate there is named too.
  std::vector<CertRecord> rows;
  for (int i = 10; i < 10 + 64 + 5; ++i) rows.push_back(Row(i, "d" + std::to_string(i)));
  rows.back() = Row(1, "dup");
  Status many = store->InsertMany(rows);
  ASSERT_FALSE(many.ok());
  EXPECT_EQ(many.error().message, "serial 5A1001 is already in the inventory " + path_);
}

TEST_F(SqliteStoreTest, CurrentIsTheLatestValid) {
  auto store = Open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->Insert(Row(1, "broker", "server-ca", "server", kTestNow - 100 * kDay)).ok());
  ASSERT_TRUE(store->Insert(Row(2, "broker", "server-ca", "server", kTestNow)).ok());
  ASSERT_TRUE(store->Insert(Row(3, "broker", "server-ca", "server", kTestNow - 50 * kDay)).ok());
  ASSERT_TRUE(store->Insert(Row(4, "other")).ok());
  EXPECT_EQ(store->Current("broker").value()->serial, "5A1002");
  ASSERT_TRUE(store->SetStatus("5A1002", CertStatus::kSuperseded, kTestNow + 1, RevocationReason::kUnspecified).ok());
  EXPECT_EQ(store->Current("broker").value()->serial, "5A1003");
  ASSERT_TRUE(store->SetStatus("5A1003", CertStatus::kRevoked, kTestNow + 2, RevocationReason::kKeyCompromise).ok());
  ASSERT_TRUE(store->SetStatus("5A1001", CertStatus::kRevoked, kTestNow + 2, RevocationReason::kKeyCompromise).ok());
  EXPECT_FALSE(store->Current("broker").value().has_value());
  EXPECT_FALSE(store->Current("nobody").value().has_value());
  Result<std::vector<CertRecord>> all = store->ByName("broker");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 3u);
  EXPECT_TRUE(store->ByName("").value().empty());
}

TEST_F(SqliteStoreTest, SetStatusRecordsWhenAndWhy) {
  auto store = Open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->Insert(Row(1, "broker")).ok());
  ASSERT_TRUE(
      store->SetStatus("5A1001", CertStatus::kRevoked, kTestNow + 9, RevocationReason::kPrivilegeWithdrawn).ok());
  CertRecord r = store->BySerial("5A1001").value().value();
  EXPECT_EQ(r.status, CertStatus::kRevoked);
  EXPECT_EQ(r.revoked_at, kTestNow + 9);
  EXPECT_EQ(r.reason, RevocationReason::kPrivilegeWithdrawn);
  // The words and numbers as stored, read by the sqlite3 tool.
  testing::CommandResult row = RunCommand("sqlite3 '" + path_ + "' \"SELECT status, reason FROM certificates\"");
  EXPECT_EQ(row.output, "revoked|9\n");

  Status missing = store->SetStatus("5A9999", CertStatus::kRevoked, kTestNow, RevocationReason::kUnspecified);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kInput);
  EXPECT_EQ(missing.error().message, "no certificate with serial 5A9999");
}

TEST_F(SqliteStoreTest, ListFilters) {
  auto store = Open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->Insert(Row(1, "root-ca", "root-ca", "root", kTestNow, kTestNow + 3650 * kDay)).ok());
  ASSERT_TRUE(store->Insert(Row(2, "server-ca", "root-ca", "intermediate", kTestNow, kTestNow + 1825 * kDay)).ok());
  ASSERT_TRUE(store->Insert(Row(3, "broker", "server-ca", "server", kTestNow, kTestNow + 30 * kDay)).ok());
  ASSERT_TRUE(store->Insert(Row(4, "dev-1", "device-ca", "client", kTestNow, kTestNow + 10 * kDay)).ok());
  ASSERT_TRUE(store->Insert(Row(5, "dev-2", "device-ca", "client", kTestNow, kTestNow + 20 * kDay)).ok());
  ASSERT_TRUE(store->SetStatus("5A1005", CertStatus::kRevoked, kTestNow, RevocationReason::kKeyCompromise).ok());

  auto list = [&store](const ListFilter& f) { return Serials(store->List(f).value()); };
  using V = std::vector<std::string>;
  EXPECT_EQ(list({}), (V{"5A1001", "5A1002", "5A1003", "5A1004", "5A1005"}));  // in the order recorded
  ListFilter f;
  f.status = CertStatus::kRevoked;
  EXPECT_EQ(list(f), V{"5A1005"});
  f = {};
  f.status = CertStatus::kValid;
  f.ca = "device-ca";
  EXPECT_EQ(list(f), V{"5A1004"});
  f = {};
  f.expiring_before = kTestNow + 100 * kDay;  // soonest first
  EXPECT_EQ(list(f), (V{"5A1004", "5A1005", "5A1003"}));
  f.limit = 2;
  EXPECT_EQ(list(f), (V{"5A1004", "5A1005"}));
  f = {};
  f.profiles = {"root", "intermediate"};
  EXPECT_EQ(list(f), (V{"5A1001", "5A1002"}));
  f.profiles = {"client"};
  f.name = "dev-2";
  EXPECT_EQ(list(f), V{"5A1005"});
  f = {};
  f.name = "nobody";
  EXPECT_TRUE(list(f).empty());
}

TEST_F(SqliteStoreTest, RevokedListsWhatACrlMustCarry) {
  auto store = Open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->Insert(Row(1, "a", "server-ca", "server", kTestNow, kTestNow + 10 * kDay)).ok());
  ASSERT_TRUE(store->Insert(Row(2, "b", "server-ca", "server", kTestNow, kTestNow + 1 * kDay)).ok());   // expires
  ASSERT_TRUE(store->Insert(Row(3, "c", "device-ca", "client", kTestNow, kTestNow + 10 * kDay)).ok());  // other CA
  ASSERT_TRUE(store->Insert(Row(4, "d", "server-ca", "server", kTestNow, kTestNow + 10 * kDay)).ok());  // valid
  for (const char* s : {"5A1001", "5A1002", "5A1003"}) {
    ASSERT_TRUE(store->SetStatus(s, CertStatus::kRevoked, kTestNow + 5, RevocationReason::kCaCompromise).ok());
  }
  Result<std::vector<RevokedEntry>> now = store->Revoked("server-ca", kTestNow + kDay);  // b expires at this second
  ASSERT_TRUE(now.ok()) << now.error().message;
  ASSERT_EQ(now->size(), 2u);
  Result<std::vector<RevokedEntry>> later = store->Revoked("server-ca", kTestNow + 2 * kDay);
  ASSERT_TRUE(later.ok());
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ((*later)[0].serial, "5A1001");
  EXPECT_EQ((*later)[0].revoked_at, kTestNow + 5);
  EXPECT_EQ((*later)[0].reason, RevocationReason::kCaCompromise);
  EXPECT_TRUE(store->Revoked("nobody-ca", kTestNow).value().empty());
}

TEST_F(SqliteStoreTest, CrlStatePerCa) {
  auto store = Open();
  ASSERT_TRUE(store);
  EXPECT_FALSE(store->Crl("server-ca").value().has_value());
  EXPECT_TRUE(store->Crls().value().empty());
  ASSERT_TRUE(store->SaveCrl({"server-ca", 1, kTestNow, kTestNow + 7 * kDay}).ok());
  ASSERT_TRUE(store->SaveCrl({"device-ca", 4, kTestNow, kTestNow + kDay}).ok());
  ASSERT_TRUE(store->SaveCrl({"server-ca", 2, kTestNow + 1, kTestNow + 8 * kDay}).ok());  // replaces
  std::optional<CrlState> s = store->Crl("server-ca").value();
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->number, 2);
  EXPECT_EQ(s->this_update, kTestNow + 1);
  EXPECT_EQ(s->next_update, kTestNow + 8 * kDay);
  std::vector<CrlState> all = store->Crls().value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].ca, "device-ca");  // by name
  EXPECT_EQ(all[0].number, 4);
  EXPECT_EQ(all[1].ca, "server-ca");
}

TEST_F(SqliteStoreTest, TransactionsCommitOrRollBack) {
  {
    auto store = Open();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->Begin().ok());
    ASSERT_TRUE(store->Insert(Row(1, "kept")).ok());
    ASSERT_TRUE(store->Commit().ok());
    ASSERT_TRUE(store->Begin().ok());
    ASSERT_TRUE(store->Insert(Row(2, "dropped")).ok());
    ASSERT_TRUE(store->SaveCrl({"server-ca", 1, kTestNow, kTestNow + kDay}).ok());
    store->Rollback();
    EXPECT_EQ(store->Count().value(), 1u);
    ASSERT_TRUE(store->Begin().ok());
    ASSERT_TRUE(store->Insert(Row(3, "uncommitted")).ok());
  }  // closed inside a transaction: rolled back
  auto store = Open();
  ASSERT_TRUE(store);
  EXPECT_EQ(Serials(store->List({}).value()), std::vector<std::string>{"5A1001"});
  EXPECT_FALSE(store->Crl("server-ca").value().has_value());
  // Closed, it leaves only the database file: no -wal, no -shm.
  store.reset();
  EXPECT_EQ(Listing(dir_.path()).size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(path_ + "-wal"));
  EXPECT_FALSE(std::filesystem::exists(path_ + "-shm"));
}

TEST_F(SqliteStoreTest, DeferredSyncAndCheckpointKeepEverything) {
  auto store = Open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->SetDeferredSync(true).ok());
  std::vector<CertRecord> rows;
  for (int i = 0; i < 200; ++i) rows.push_back(Row(i, "dev-" + std::to_string(i), "device-ca", "client"));
  ASSERT_TRUE(store->Begin().ok());
  ASSERT_TRUE(store->InsertMany(rows).ok());
  ASSERT_TRUE(store->Commit().ok());
  ASSERT_TRUE(store->Checkpoint().ok());
  // After the checkpoint the database file alone holds every row (read by another tool, -wal aside).
  testing::CommandResult n = RunCommand("sqlite3 'file:" + path_ + "?immutable=1' 'SELECT count(*) FROM certificates'");
  EXPECT_EQ(n.output, "200\n");
  ExpectSameRecord(store->BySerial(rows[150].serial).value().value(), rows[150]);
}

TEST_F(SqliteStoreTest, WhatIsNotAnInventory) {
  WriteTestFile(path_, std::string(4096, 'x'));
  std::vector<std::string> before = Listing(dir_.path());
  Result<std::unique_ptr<Store>> garbage = OpenSqliteStore(path_);
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code, ErrorCode::kInput);
  EXPECT_EQ(garbage.error().message,
            path_ + " is corrupt or not an SQLite database (file is not a database); restore it from a backup");
  EXPECT_EQ(Listing(dir_.path()), before);  // nothing left behind, nothing changed

  std::string newer = dir_ / "newer.db";
  ASSERT_EQ(RunCommand("sqlite3 '" + newer + "' 'PRAGMA user_version = 2'").status, 0);
  before = Listing(dir_.path());
  Result<std::unique_ptr<Store>> r = OpenSqliteStore(newer);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInput);
  EXPECT_EQ(r.error().message, newer + " was written by a newer mqttpki (schema 2); upgrade mqttpki");
  EXPECT_EQ(Listing(dir_.path()), before);
}

TEST_F(SqliteStoreTest, ReadOnlyOpenOfWhatIsNotThere) {
  Result<std::unique_ptr<Store>> missing = OpenSqliteStore(path_, StoreAccess::kReadOnly);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kIo);
  EXPECT_EQ(missing.error().message.rfind("cannot open the inventory " + path_ + ": ", 0), 0u)
      << missing.error().message;
  EXPECT_TRUE(Listing(dir_.path()).empty());  // not created

  WriteTestFile(path_, "");
  Result<std::unique_ptr<Store>> empty = OpenSqliteStore(path_, StoreAccess::kReadOnly);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kInput);
  EXPECT_EQ(empty.error().message, path_ + " is empty (no mqttpki inventory), and it is opened read-only");
  EXPECT_EQ(ReadTestFile(path_), "");
  EXPECT_EQ(Listing(dir_.path()).size(), 1u);
}

TEST_F(SqliteStoreTest, PathWithCharactersThatUrisEscape) {
  path_ = dir_ / "odd %3F?#name.db";
  {
    auto store = Open();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->Insert(Row(1, "broker")).ok());
  }
  auto ro = Open(StoreAccess::kReadOnly);
  ASSERT_TRUE(ro);
  EXPECT_EQ(ro->Count().value(), 1u);
  EXPECT_EQ(Listing(dir_.path()).size(), 1u);  // the same file was read, and nothing was created
}

TEST(BuildSqliteImage, MakesAnInventoryFile) {
  Result<std::string> image = BuildSqliteImage([](Store& s) -> Status {
    MQTTPKI_TRY(s.Insert(Row(1, "root-ca", "root-ca", "root")));
    MQTTPKI_TRY(s.Insert(Row(2, "server-ca", "root-ca", "intermediate")));
    return s.SaveCrl({"server-ca", 3, kTestNow, kTestNow + kDay});
  });
  ASSERT_TRUE(image.ok()) << image.error().message;
  ASSERT_GT(image->size(), 100u);
  EXPECT_EQ(image->substr(0, 16), std::string("SQLite format 3\0", 16));
  EXPECT_EQ((*image)[18], 2);  // WAL mode
  EXPECT_EQ((*image)[19], 2);
  TempDir dir;
  WriteTestFile(dir / "inventory.db", *image);
  EXPECT_EQ(RunCommand("sqlite3 '" + (dir / "inventory.db") + "' 'PRAGMA journal_mode'").output, "wal\n");
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(dir / "inventory.db");
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_EQ((*store)->Count().value(), 2u);
  ExpectSameRecord((*store)->BySerial("5A1002").value().value(), Row(2, "server-ca", "root-ca", "intermediate"));
  EXPECT_EQ((*store)->Crl("server-ca").value()->number, 3);
}

TEST(BuildSqliteImage, FillErrorIsReturned) {
  Result<std::string> image = BuildSqliteImage([](Store& s) -> Status {
    MQTTPKI_TRY(s.Insert(Row(1, "a")));
    return s.Insert(Row(1, "b"));
  });
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.error().code, ErrorCode::kInput);
  EXPECT_EQ(image.error().message, "serial 5A1001 is already in the inventory the new inventory");
}

TEST(OpenSqliteStore, RefusesALockTimeoutOutOfRange) {
  TempDir dir;
  Result<std::unique_ptr<Store>> store =
      OpenSqliteStore(dir / "inventory.db", StoreAccess::kReadWrite, StoreOptions{-1});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kUsage);
  EXPECT_EQ(testing::Worded(store.error()), "invalid --lock_timeout -1: 0 to 86400 seconds");
  EXPECT_FALSE(std::filesystem::exists(dir / "inventory.db"));
}

TEST_F(SqliteStoreTest, WriterWaitsNoLongerThanItsTimeout) {
  auto holder = Open();
  ASSERT_TRUE(holder);
  ASSERT_TRUE(holder->Begin().ok());
  Result<std::unique_ptr<Store>> opened = OpenSqliteStore(path_, StoreAccess::kReadWrite, StoreOptions{0});
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  std::unique_ptr<Store> waiter = std::move(opened).value();
  Status st = waiter->Begin();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kIo);
  EXPECT_EQ(testing::Worded(st.error()), "the inventory " + path_ +
                                             " is locked by another process (database is locked; waited 0 s, "
                                             "--lock_timeout); try again when it has finished");
  // Readers are not held up by the writer (WAL).
  EXPECT_EQ(waiter->Count().value(), 0u);
  holder->Rollback();
  EXPECT_TRUE(waiter->Begin().ok());
  waiter->Rollback();
}

}  // namespace
}  // namespace mqttpki

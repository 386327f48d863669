#include "mqttpki/inventory.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <set>

#include "mqttpki/pki_dir.h"
#include "mqttpki/sqlite_store.h"
#include "pki/test_util.h"

namespace mqttpki {
namespace {

using testing::ScopedEnv;
using testing::TempDir;

constexpr int64_t kNow = 1790000000;

// A PKI with root, server-ca and an inventory, and a way to issue leaves into it.
class InventoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = std::make_unique<PkiDir>(dir_ / "pki");
    FileTransaction tx(RealFileSystem(), false);
    Report report;
    CaOptions plain;
    plain.protection.encrypt = false;
    root_ = std::move(pki_->CreateRoot(plain, kNow, pass_, tx, report).value());
    ca_ = std::move(pki_->CreateIntermediate("server-ca", plain, root_, kNow, pass_, tx, report).value());
    ASSERT_TRUE(CommitWithInventory(*pki_, tx, report.inventory, kNow).ok());
  }

  // Stage issues leaf |name| into |tx| and returns what it would record.
  Report Stage(const std::string& name, FileTransaction& tx) {
    Report report;
    LeafOptions leaf;
    leaf.sans = {ParseSan(name + ".example.com").value()};
    EXPECT_TRUE(pki_->IssueLeaf(name, leaf, ca_, kNow, tx, report).ok());
    return report;
  }

  std::unique_ptr<Inventory> Open() {
    Result<std::unique_ptr<Inventory>> inv = Inventory::Open(*pki_, true, kNow);
    EXPECT_TRUE(inv.ok()) << inv.error().message;
    return std::move(inv).value();
  }

  size_t Pending() {
    size_t n = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(pki_->Path(kPendingDir), ec))
      n += e.is_regular_file() ? 1 : 0;
    return n;
  }

  TempDir dir_;
  std::unique_ptr<PkiDir> pki_;
  PassphraseProvider pass_{RealFileSystem(), ""};
  CaMaterial root_, ca_;
};

TEST_F(InventoryTest, RecordsWhatIsIssued) {
  FileTransaction tx(RealFileSystem(), false);
  Report report = Stage("broker", tx);
  ASSERT_TRUE(CommitWithInventory(*pki_, tx, report.inventory, kNow).ok());
  auto inv = Open();
  Result<std::optional<CertRecord>> r = inv->store().Current("broker");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->ca, "server-ca");
  EXPECT_EQ((*r)->profile, "server");
  EXPECT_EQ((*r)->sans, "DNS:broker.example.com");
  EXPECT_EQ((*r)->chain_path, "broker/broker.chain.pem");  // relative to the PKI directory
  EXPECT_EQ(pki_->Resolve((*r)->chain_path), pki_->ChainPath("broker"));
  EXPECT_EQ(inv->store().Count().value(), 3u);
  EXPECT_EQ(Pending(), 0u);
}

// A crash after the files were committed and before the row: the journal is left behind, and the next command
// that opens the inventory records the certificate.
TEST_F(InventoryTest, CrashBetweenFilesAndRowIsRepaired) {
  Report report;
  {
    FileTransaction tx(RealFileSystem(), false);
    report = Stage("broker", tx);
    ASSERT_TRUE(StageJournal(*pki_, tx, report.inventory, kNow).ok());
    ASSERT_TRUE(tx.Commit().ok());  // ... and the process dies here
  }
  EXPECT_EQ(Pending(), 1u);
  auto inv = Open();
  Result<std::optional<CertRecord>> r = inv->store().BySerial(report.inventory.inserts.front().serial);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->has_value());
  EXPECT_EQ(Pending(), 0u);
}

// The reverse: the journal reached the disk but the certificate did not (a crash in the middle of the renames).
// Nothing may be recorded for a certificate that is not there.
TEST_F(InventoryTest, JournalWithoutFilesRecordsNothing) {
  Report report;
  {
    FileTransaction tx(RealFileSystem(), false);
    report = Stage("ghost", tx);
  }  // the staged files are dropped
  {
    FileTransaction tx(RealFileSystem(), false);
    ASSERT_TRUE(StageJournal(*pki_, tx, report.inventory, kNow).ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  auto inv = Open();
  Result<std::optional<CertRecord>> r = inv->store().BySerial(report.inventory.inserts.front().serial);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  EXPECT_EQ(inv->store().Count().value(), 2u);
  EXPECT_EQ(Pending(), 0u);
}

// A journal applied twice (a crash after the rows were committed, before the journal was removed) changes
// nothing the second time.
TEST_F(InventoryTest, ApplyingTwiceIsHarmless) {
  FileTransaction tx(RealFileSystem(), false);
  Report report = Stage("broker", tx);
  ASSERT_TRUE(CommitWithInventory(*pki_, tx, report.inventory, kNow).ok());
  auto inv = Open();
  ASSERT_TRUE(ApplyChange(inv->store(), report.inventory).ok());
  EXPECT_EQ(inv->store().Count().value(), 3u);
}

// Two processes issuing at once never share a serial and never lose a row.
TEST_F(InventoryTest, ConcurrentWritersLoseNothing) {
  constexpr int kPerChild = 15;
  pid_t children[2];
  for (int c = 0; c < 2; ++c) {
    children[c] = ::fork();
    ASSERT_GE(children[c], 0);
    if (children[c] == 0) {
      int failures = 0;
      for (int i = 0; i < kPerChild; ++i) {
        FileTransaction tx(RealFileSystem(), false);
        Report report = Stage("c" + std::to_string(c) + "-" + std::to_string(i), tx);
        Status st = CommitWithInventory(*pki_, tx, report.inventory, kNow);
        if (!st.ok()) {
          ++failures;
          std::fprintf(stderr, "child %d: %s\n", c, st.error().message.c_str());
        }
      }
      ::_exit(failures);
    }
  }
  for (pid_t child : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  auto inv = Open();
  Result<std::vector<CertRecord>> all = inv->store().List({});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u + 2 * kPerChild);
  std::set<std::string> serials;
  for (const CertRecord& r : *all) serials.insert(r.serial);
  EXPECT_EQ(serials.size(), all->size());
  EXPECT_EQ(Pending(), 0u);
}

TEST_F(InventoryTest, InsertManyAddsEveryRowAndNamesADuplicate) {
  auto inv = Open();
  Store& store = inv->store();
  std::vector<CertRecord> rows;
  for (int i = 0; i < 150; ++i) {  // two statements of 64 rows, then one at a time
    CertRecord r;
    r.serial = "40" + std::to_string(1000000 + i);
    r.name = "dev-" + std::to_string(i);
    r.ca = "device-ca";
    r.profile = "client";
    r.not_before = kNow;
    r.not_after = kNow + 86400;
    rows.push_back(r);
  }
  ASSERT_TRUE(store.Begin().ok());
  ASSERT_TRUE(store.InsertMany(rows).ok());
  ASSERT_TRUE(store.Commit().ok());
  for (const CertRecord& r : rows) {
    Result<std::optional<CertRecord>> got = store.BySerial(r.serial);
    ASSERT_TRUE(got.ok() && got->has_value()) << r.serial;
    EXPECT_EQ((*got)->name, r.name);
  }
  Result<std::vector<CertRecord>> named = store.ByName("dev-77");
  ASSERT_TRUE(named.ok());
  ASSERT_EQ(named->size(), 1u);
  EXPECT_EQ((*named)[0].serial, rows[77].serial);
  EXPECT_TRUE(store.ByName("dev-777").value().empty());
  // A serial already there, in the middle of a statement's rows: named, and nothing of the batch is kept.
  std::vector<CertRecord> more;
  for (int i = 0; i < 64; ++i) {
    CertRecord r = rows[0];
    r.serial = "41" + std::to_string(1000000 + i);
    r.name = "new-" + std::to_string(i);
    more.push_back(r);
  }
  more[40].serial = rows[7].serial;
  ASSERT_TRUE(store.Begin().ok());
  Status st = store.InsertMany(more);
  store.Rollback();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInput);
  EXPECT_NE(st.error().message.find("serial " + rows[7].serial + " is already in the inventory"), std::string::npos)
      << st.error().message;
  Result<std::optional<CertRecord>> first = store.BySerial(more[0].serial);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->has_value());
}

TEST_F(InventoryTest, CorruptDatabaseIsAClearError) {
  { std::ofstream(pki_->Path(kInventoryFile), std::ios::trunc) << std::string(4096, 'x'); }
  Result<std::unique_ptr<Inventory>> inv = Inventory::Open(*pki_, false, kNow);
  ASSERT_FALSE(inv.ok());
  EXPECT_EQ(inv.error().code, ErrorCode::kInput);
  EXPECT_NE(inv.error().message.find("is corrupt or not an SQLite database"), std::string::npos) << inv.error().message;
}

TEST_F(InventoryTest, ForeignDatabaseIsRefused) {
  std::string path = dir_ / "other.db";
  ASSERT_EQ(std::system(("sqlite3 '" + path + "' 'CREATE TABLE t (x)'").c_str()), 0);
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().message, path + " is an SQLite database, but not an mqttpki inventory");
}

TEST_F(InventoryTest, LockTimeoutComesFromThePkiDirsStoreOptions) {
  auto holder = Open();
  ASSERT_TRUE(holder->store().Begin().ok());
  PkiDir patient(pki_->root(), pki_->fs(), StoreOptions{1});
  Result<std::unique_ptr<Inventory>> waiter = Inventory::Open(patient, true, kNow);
  ASSERT_TRUE(waiter.ok()) << waiter.error().message;
  auto start = std::chrono::steady_clock::now();
  Status st = (*waiter)->store().Begin();
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kIo);
  EXPECT_GE(waited, 0.9);
  EXPECT_LT(waited, 10.0);
  // It cannot know who holds the lock: it does not say "another mqttpki process".
  EXPECT_NE(st.error().message.find("inventory.db is locked by another process"), std::string::npos)
      << st.error().message;
  // The setting is referred to, for each front end to name its own way.
  EXPECT_NE(testing::Worded(st.error()).find("waited 1 s, --lock_timeout)"), std::string::npos)
      << st.error().message;
  holder->store().Rollback();
}

// FailingOpen opens the inventory in a child process whose files may not grow past 16 KiB (so SQLite cannot size
// its 32 KiB -shm index, as on a full disk) and returns the child's error message ("" when the open succeeded).
std::string FailingOpen(const std::string& path) {
  int fds[2];
  if (::pipe(fds) != 0) return "pipe failed";
  pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim = {16 * 1024, 16 * 1024};
    ::setrlimit(RLIMIT_FSIZE, &lim);
    std::string message;
    {
      Result<std::unique_ptr<Store>> store = OpenSqliteStore(path);
      message = store.ok() ? "" : store.error().message;
    }  // closed here
    (void)!::write(fds[1], message.data(), message.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  return out;
}

TEST_F(InventoryTest, FailedOpenLeavesNoWalOrShm) {
  std::string path = pki_->Path(kInventoryFile);
  ASSERT_FALSE(std::filesystem::exists(path + "-wal"));
  ASSERT_FALSE(std::filesystem::exists(path + "-shm"));
  std::string message = FailingOpen(path);
  // The system's reason, not SQLite's "disk I/O error" alone.
  EXPECT_NE(message.find("File too large"), std::string::npos) << message;
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
  EXPECT_FALSE(std::filesystem::exists(path + "-shm"));

  // While another process has the database open (it holds SQLite's SHARED lock), the files are not ours to
  // remove: they stay.
  {
    testing::SqliteReader reader(path);
    ASSERT_TRUE(reader.holding());
    message = FailingOpen(path);
    EXPECT_FALSE(message.empty());
    EXPECT_TRUE(std::filesystem::exists(path + "-shm"));
  }
  // The next connection uses them as SQLite always does, and its close removes them.
  { auto inv = Open(); }
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
  EXPECT_FALSE(std::filesystem::exists(path + "-shm"));
}

TEST_F(InventoryTest, ReadOnlyOpenCreatesNothing) {
  std::string path = pki_->Path(kInventoryFile);
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path, StoreAccess::kReadOnly);
  ASSERT_TRUE(store.ok()) << store.error().message;
  Result<size_t> n = (*store)->Count();
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 2u);
  // No WAL index is made for a read-only open (a read-only directory could not hold one).
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
  EXPECT_FALSE(std::filesystem::exists(path + "-shm"));
  Status st = (*store)->Begin();
  if (st.ok())
    st = (*store)->SetStatus((*(*store)->List({}))[0].serial, CertStatus::kRevoked, kNow,
                             RevocationReason::kUnspecified);
  EXPECT_FALSE(st.ok());
  (*store)->Rollback();
}

// A PKI made before the inventory existed (or by hand) is adopted the first time the inventory is opened.
TEST_F(InventoryTest, ExistingCertificatesAreAdopted) {
  FileTransaction tx(RealFileSystem(), false);
  Report report = Stage("broker", tx);
  ASSERT_TRUE(tx.Commit().ok());  // files only, no inventory change
  ASSERT_EQ(std::remove(pki_->Path(kInventoryFile).c_str()), 0);
  auto inv = Open();
  Result<std::vector<CertRecord>> all = inv->store().List({});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  std::map<std::string, CertRecord> by_name;
  for (const CertRecord& r : *all) by_name[r.name] = r;
  EXPECT_EQ(by_name["root-ca"].profile, "root");
  EXPECT_EQ(by_name["server-ca"].profile, "intermediate");
  EXPECT_EQ(by_name["server-ca"].ca, "root-ca");
  EXPECT_EQ(by_name["broker"].profile, "server");
  EXPECT_EQ(by_name["broker"].ca, "server-ca");
}

TEST_F(InventoryTest, ReplacingACertificateSupersedesTheOldOne) {
  std::string first;
  {
    FileTransaction tx(RealFileSystem(), false);
    Report report = Stage("broker", tx);
    first = report.inventory.inserts.front().serial;
    ASSERT_TRUE(CommitWithInventory(*pki_, tx, report.inventory, kNow).ok());
  }
  FileTransaction tx(RealFileSystem(), true);
  Report report = Stage("broker", tx);
  ASSERT_TRUE(CommitWithInventory(*pki_, tx, report.inventory, kNow).ok());
  auto inv = Open();
  EXPECT_EQ(inv->store().BySerial(first)->value().status, CertStatus::kSuperseded);
  EXPECT_EQ(inv->store().Current("broker")->value().serial, report.inventory.inserts.front().serial);
}

// Replacing a revoked certificate (issue --force, rotate) must not take it off the CRL.
TEST_F(InventoryTest, RevokedStaysRevoked) {
  std::string first;
  {
    FileTransaction tx(RealFileSystem(), false);
    Report report = Stage("broker", tx);
    first = report.inventory.inserts.front().serial;
    ASSERT_TRUE(CommitWithInventory(*pki_, tx, report.inventory, kNow).ok());
  }
  {
    auto inv = Open();
    InventoryChange revoke;
    revoke.status_changes.push_back({first, CertStatus::kRevoked, RevocationReason::kKeyCompromise, kNow});
    ASSERT_TRUE(ApplyChange(inv->store(), revoke).ok());
  }
  FileTransaction tx(RealFileSystem(), true);
  Report report = Stage("broker", tx);
  ASSERT_TRUE(CommitWithInventory(*pki_, tx, report.inventory, kNow).ok());
  auto inv = Open();
  EXPECT_EQ(inv->store().BySerial(first)->value().status, CertStatus::kRevoked);
  Result<std::vector<RevokedEntry>> revoked = inv->store().Revoked("server-ca", kNow);
  ASSERT_TRUE(revoked.ok());
  ASSERT_EQ(revoked->size(), 1u);
  EXPECT_EQ(revoked->front().serial, first);
}

// A journal whose certificates did not all land applies none of its status changes.
TEST_F(InventoryTest, IncompleteJournalSupersedesNothing) {
  std::string first;
  {
    FileTransaction tx(RealFileSystem(), false);
    Report report = Stage("broker", tx);
    first = report.inventory.inserts.front().serial;
    ASSERT_TRUE(CommitWithInventory(*pki_, tx, report.inventory, kNow).ok());
  }
  Report replacement;
  {
    FileTransaction tx(RealFileSystem(), true);
    replacement = Stage("broker", tx);  // marks |first| superseded, but its files never land
  }
  ASSERT_EQ(replacement.inventory.status_changes.size(), 1u);
  {
    FileTransaction tx(RealFileSystem(), false);
    ASSERT_TRUE(StageJournal(*pki_, tx, replacement.inventory, kNow).ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  auto inv = Open();
  EXPECT_EQ(inv->store().BySerial(first)->value().status, CertStatus::kValid);
  EXPECT_EQ(Pending(), 0u);
}

}  // namespace
}  // namespace mqttpki

// The inventory in one SQLite file (WAL mode, so readers never wait for a writer).
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "mqttpki/store.h"
#include "mqttpki/sqlite_store.h"
#include "store/side_files.h"

namespace mqttpki {

namespace {

using sqlite::SideFiles;

CertStatus StatusFromName(const std::string& s) { return ParseCertStatus(s).value_or(CertStatus::kValid); }

constexpr const char* kSchema = R"sql(
BEGIN;
CREATE TABLE IF NOT EXISTS certificates (
  serial      TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  ca          TEXT NOT NULL,
  profile     TEXT NOT NULL,
  subject     TEXT NOT NULL,
  issuer      TEXT NOT NULL,
  sans        TEXT NOT NULL,
  not_before  INTEGER NOT NULL,
  not_after   INTEGER NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('valid', 'revoked', 'superseded')),
  revoked_at  INTEGER NOT NULL DEFAULT 0,
  reason      INTEGER NOT NULL DEFAULT 0,
  sha256      TEXT NOT NULL,
  cert_path   TEXT NOT NULL,
  key_path    TEXT NOT NULL,
  chain_path  TEXT NOT NULL,
  recorded_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS certificates_by_name ON certificates (name, not_before);
CREATE INDEX IF NOT EXISTS certificates_by_expiry ON certificates (not_after);
CREATE INDEX IF NOT EXISTS certificates_by_ca_status ON certificates (ca, status);
CREATE TABLE IF NOT EXISTS crls (
  ca          TEXT PRIMARY KEY,
  number      INTEGER NOT NULL,
  this_update INTEGER NOT NULL,
  next_update INTEGER NOT NULL
);
PRAGMA user_version = 1;
COMMIT;
)sql";
constexpr int64_t kSchemaVersion = 1;

constexpr const char* kColumns =
    "serial, name, ca, profile, subject, issuer, sans, not_before, not_after, status, revoked_at, reason, sha256, "
    "cert_path, key_path, chain_path, recorded_at";

// Stmt owns a prepared statement, or borrows a cached one (reset when done with).
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  explicit Stmt(sqlite3_stmt* cached) : stmt_(cached), rc_(cached != nullptr ? SQLITE_OK : SQLITE_ERROR), owned_(false) {}
  ~Stmt() {
    if (owned_) {
      sqlite3_finalize(stmt_);
    } else if (stmt_ != nullptr) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() const { return stmt_; }
  void Bind(int i, const std::string& s) { sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT); }
  // BindRef does not copy |s|, which must outlive the step (never a temporary).
  void BindRef(int i, const std::string& s) { sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_STATIC); }
  void BindRef(int i, std::string&& s) = delete;
  void Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  std::string Text(int i) const {
    const unsigned char* t = sqlite3_column_text(stmt_, i);
    return t == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(t));
  }
  int64_t Int(int i) const { return sqlite3_column_int64(stmt_, i); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
  bool owned_ = true;
};

CertRecord ReadRecord(const Stmt& s) {
  CertRecord r;
  r.serial = s.Text(0);
  r.name = s.Text(1);
  r.ca = s.Text(2);
  r.profile = s.Text(3);
  r.subject = s.Text(4);
  r.issuer = s.Text(5);
  r.sans = s.Text(6);
  r.not_before = s.Int(7);
  r.not_after = s.Int(8);
  r.status = StatusFromName(s.Text(9));
  r.revoked_at = s.Int(10);
  r.reason = static_cast<RevocationReason>(s.Int(11));
  r.sha256 = s.Text(12);
  r.cert_path = s.Text(13);
  r.key_path = s.Text(14);
  r.chain_path = s.Text(15);
  r.recorded_at = s.Int(16);
  return r;
}

constexpr int kInsertColumns = 17;

// InsertSql inserts |rows| records. OR FAIL: a duplicate stops the statement without undoing the rows before it
// (so SQLite keeps no statement journal); the caller rolls the transaction back.
std::string InsertSql(size_t rows) {
  std::string sql =
      "INSERT OR FAIL INTO certificates (serial, name, ca, profile, subject, issuer, sans, not_before, not_after, "
      "status, revoked_at, reason, sha256, cert_path, key_path, chain_path, recorded_at) VALUES ";
  for (size_t i = 0; i < rows; ++i) {
    if (i > 0) sql += ",";
    sql += "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  }
  return sql;
}

// BindRecord binds |r| to parameters base + 1 ... base + kInsertColumns of an InsertSql statement.
void BindRecord(Stmt& s, int base, const CertRecord& r) {
  s.BindRef(base + 1, r.serial);
  s.BindRef(base + 2, r.name);
  s.BindRef(base + 3, r.ca);
  s.BindRef(base + 4, r.profile);
  s.BindRef(base + 5, r.subject);
  s.BindRef(base + 6, r.issuer);
  s.BindRef(base + 7, r.sans);
  s.Bind(base + 8, r.not_before);
  s.Bind(base + 9, r.not_after);
  s.Bind(base + 10, CertStatusName(r.status));
  s.Bind(base + 11, r.revoked_at);
  s.Bind(base + 12, static_cast<int64_t>(r.reason));
  s.BindRef(base + 13, r.sha256);
  s.BindRef(base + 14, r.cert_path);
  s.BindRef(base + 15, r.key_path);
  s.BindRef(base + 16, r.chain_path);
  s.Bind(base + 17, r.recorded_at);
}

class SqliteStore final : public Store {
 public:
  SqliteStore(sqlite3* db, std::string path, SideFiles side = {})
      : db_(db), path_(std::move(path)), side_(std::move(side)) {}
  ~SqliteStore() override {
    if (in_tx_) Rollback();
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
    side_.Closed();
  }

  // InitNew lays out the schema in a new in-memory database (BuildSqliteImage).
  Status InitNew() { return Exec(kSchema); }

  Status Init(int lock_timeout_s, StoreAccess access) {
    lock_timeout_s_ = lock_timeout_s;
    sqlite3_busy_timeout(db_, lock_timeout_s * 1000);
    // Reading the schema version first tells "not a database" and "someone else's database" apart from ours;
    // an existing inventory is not written to by merely opening it.
    MQTTPKI_ASSIGN_OR_RETURN(int64_t v, QueryInt("PRAGMA user_version"));
    if (v > kSchemaVersion) {
      return MakeError(ErrorCode::kInput, path_ + " was written by a newer mqttpki (schema " + std::to_string(v) +
                                              "); upgrade mqttpki");
    }
    // A page cache of 8 MiB (allocated only as used): a device batch's serials ascend, so its inserts touch the
    // right edge of each index, and memory stays flat however large the inventory grows.
    MQTTPKI_TRY(Exec("PRAGMA cache_size = -8192"));
    if (v == kSchemaVersion) return Exec("PRAGMA synchronous = FULL");
    MQTTPKI_ASSIGN_OR_RETURN(int64_t objects, QueryInt("SELECT count(*) FROM sqlite_master"));
    if (objects > 0) {
      return MakeError(ErrorCode::kInput, path_ + " is an SQLite database, but not an mqttpki inventory");
    }
    if (access == StoreAccess::kReadOnly) {
      return MakeError(ErrorCode::kInput, path_ + " is empty (no mqttpki inventory), and it is opened read-only");
    }
    MQTTPKI_TRY(Exec("PRAGMA journal_mode = WAL"));
    MQTTPKI_TRY(Exec("PRAGMA synchronous = FULL"));
    return Exec(kSchema);
  }

  // Deferred, the write-ahead log is also copied back into the database less often (every 16 MiB instead of
  // every 4 MiB): a batch's commits rewrite the same right-hand pages, and each copy costs a write.
  Status SetDeferredSync(bool deferred) override {
    MQTTPKI_TRY(Exec(deferred ? "PRAGMA wal_autocheckpoint = 4096" : "PRAGMA wal_autocheckpoint = 1000"));
    return Exec(deferred ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL");
  }
  Status Checkpoint() override {
    MQTTPKI_TRY(SetDeferredSync(false));
    return Exec("PRAGMA wal_checkpoint(FULL)");
  }

  Status Begin() override {
    MQTTPKI_TRY(Exec("BEGIN IMMEDIATE"));
    in_tx_ = true;
    return Status::Ok();
  }
  Status Commit() override {
    Status st = Exec("COMMIT");
    if (st.ok()) in_tx_ = false;
    return st;
  }
  void Rollback() override {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    in_tx_ = false;
  }

  Status Insert(const CertRecord& r) override {
    // Cached: a device batch inserts a million rows.
    static const std::string kSql = InsertSql(1);
    Stmt s(Prepared(kSql));
    if (!s.ok()) return Fail("cannot prepare an insert into");
    BindRecord(s, 0, r);
    int rc = sqlite3_step(s.get());
    if (rc == SQLITE_CONSTRAINT) return Duplicate(r.serial);
    if (rc != SQLITE_DONE) return Fail("cannot insert into");
    return Status::Ok();
  }

  // InsertMany inserts kRowsPerInsert rows a statement: one statement opens the table and its indexes once for
  // all of them (a device batch's rows cost a fifth less so).
  Status InsertMany(const std::vector<CertRecord>& records) override {
    constexpr size_t kRowsPerInsert = 64;
    static const std::string kSql = InsertSql(kRowsPerInsert);
    size_t i = 0;
    for (; records.size() - i >= kRowsPerInsert; i += kRowsPerInsert) {
      Stmt s(Prepared(kSql));
      if (!s.ok()) return Fail("cannot prepare an insert into");
      for (size_t k = 0; k < kRowsPerInsert; ++k) BindRecord(s, static_cast<int>(k * kInsertColumns), records[i + k]);
      int rc = sqlite3_step(s.get());
      if (rc == SQLITE_CONSTRAINT) {
        // The rows before the duplicate went in (OR FAIL): the duplicate is the next one.
        auto done = static_cast<size_t>(sqlite3_changes(db_));
        return Duplicate(done < kRowsPerInsert ? records[i + done].serial : "?");
      }
      if (rc != SQLITE_DONE) return Fail("cannot insert into");
    }
    for (; i < records.size(); ++i) MQTTPKI_TRY(Insert(records[i]));
    return Status::Ok();
  }

  Result<std::optional<CertRecord>> BySerial(const std::string& serial) override {
    return OneRecord("WHERE serial = ?", serial);
  }

  Result<std::optional<CertRecord>> Current(const std::string& name) override {
    return OneRecord("WHERE name = ? AND status = 'valid' ORDER BY not_before DESC, recorded_at DESC LIMIT 1", name);
  }

  Result<std::vector<CertRecord>> List(const ListFilter& f) override {
    std::string sql = std::string("SELECT ") + kColumns + " FROM certificates WHERE 1 = 1";
    if (f.status) sql += " AND status = ?1";
    if (f.expiring_before) sql += " AND not_after < ?2";
    if (!f.name.empty()) sql += " AND name = ?3";
    if (!f.ca.empty()) sql += " AND ca = ?4";
    for (size_t i = 0; i < f.profiles.size(); ++i) {
      sql += (i == 0 ? " AND profile IN (?" : ", ?") + std::to_string(5 + i) + (i + 1 == f.profiles.size() ? ")" : "");
    }
    sql += f.expiring_before ? " ORDER BY not_after" : " ORDER BY recorded_at, name";
    if (f.limit > 0) sql += " LIMIT " + std::to_string(f.limit);
    Stmt s(Prepared(sql));
    if (!s.ok()) return Fail("cannot query");
    if (f.status) s.Bind(1, CertStatusName(*f.status));
    if (f.expiring_before) s.Bind(2, *f.expiring_before);
    if (!f.name.empty()) s.Bind(3, f.name);
    if (!f.ca.empty()) s.Bind(4, f.ca);
    for (size_t i = 0; i < f.profiles.size(); ++i) s.Bind(static_cast<int>(5 + i), f.profiles[i]);
    return Records(s);
  }

  Result<std::vector<CertRecord>> ByName(const std::string& name) override {
    static const std::string kSql = std::string("SELECT ") + kColumns + " FROM certificates WHERE name = ?1";
    Stmt s(Prepared(kSql));
    if (!s.ok()) return Fail("cannot query");
    s.BindRef(1, name);
    return Records(s);
  }

  Status SetStatus(const std::string& serial, CertStatus status, int64_t when, RevocationReason reason) override {
    Stmt s(db_, "UPDATE certificates SET status = ?, revoked_at = ?, reason = ? WHERE serial = ?");
    if (!s.ok()) return Fail("cannot update");
    s.Bind(1, CertStatusName(status));
    s.Bind(2, when);
    s.Bind(3, static_cast<int64_t>(reason));
    s.Bind(4, serial);
    if (sqlite3_step(s.get()) != SQLITE_DONE) return Fail("cannot update");
    if (sqlite3_changes(db_) != 1) return MakeError(ErrorCode::kInput, "no certificate with serial " + serial);
    return Status::Ok();
  }

  Result<std::vector<RevokedEntry>> Revoked(const std::string& ca, int64_t now) override {
    Stmt s(db_, "SELECT serial, revoked_at, reason FROM certificates WHERE ca = ? AND status = 'revoked' AND "
                "not_after >= ?");
    if (!s.ok()) return Fail("cannot query");
    s.Bind(1, ca);
    s.Bind(2, now);
    std::vector<RevokedEntry> out;
    int rc;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
      out.push_back({s.Text(0), s.Int(1), static_cast<RevocationReason>(s.Int(2))});
    }
    if (rc != SQLITE_DONE) return Fail("cannot query");
    return out;
  }

  Result<std::optional<CrlState>> Crl(const std::string& ca) override {
    Stmt s(db_, "SELECT ca, number, this_update, next_update FROM crls WHERE ca = ?");
    if (!s.ok()) return Fail("cannot query");
    s.Bind(1, ca);
    int rc = sqlite3_step(s.get());
    if (rc == SQLITE_ROW) return std::optional<CrlState>(CrlState{s.Text(0), s.Int(1), s.Int(2), s.Int(3)});
    if (rc != SQLITE_DONE) return Fail("cannot query");
    return std::optional<CrlState>();
  }

  Result<std::vector<CrlState>> Crls() override {
    Stmt s(db_, "SELECT ca, number, this_update, next_update FROM crls ORDER BY ca");
    if (!s.ok()) return Fail("cannot query");
    std::vector<CrlState> out;
    int rc;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) out.push_back({s.Text(0), s.Int(1), s.Int(2), s.Int(3)});
    if (rc != SQLITE_DONE) return Fail("cannot query");
    return out;
  }

  Status SaveCrl(const CrlState& c) override {
    Stmt s(db_, "INSERT INTO crls (ca, number, this_update, next_update) VALUES (?,?,?,?) "
                "ON CONFLICT (ca) DO UPDATE SET number = excluded.number, this_update = excluded.this_update, "
                "next_update = excluded.next_update");
    if (!s.ok()) return Fail("cannot update");
    s.Bind(1, c.ca);
    s.Bind(2, c.number);
    s.Bind(3, c.this_update);
    s.Bind(4, c.next_update);
    if (sqlite3_step(s.get()) != SQLITE_DONE) return Fail("cannot update");
    return Status::Ok();
  }

  Result<size_t> Count() override {
    MQTTPKI_ASSIGN_OR_RETURN(int64_t n, QueryInt("SELECT COUNT(*) FROM certificates"));
    return static_cast<size_t>(n);
  }

 private:
  // OneRecord returns the first certificate row matching |where| (with one text parameter), if any.
  Result<std::optional<CertRecord>> OneRecord(const char* where, const std::string& arg) {
    Stmt s(Prepared(std::string("SELECT ") + kColumns + " FROM certificates " + where));
    if (!s.ok()) return Fail("cannot query");
    s.Bind(1, arg);
    int rc = sqlite3_step(s.get());
    if (rc == SQLITE_ROW) return std::optional<CertRecord>(ReadRecord(s));
    if (rc != SQLITE_DONE) return Fail("cannot query");
    return std::optional<CertRecord>();
  }

  // Prepared returns the cached statement for |sql| (nullptr if it cannot be prepared).
  sqlite3_stmt* Prepared(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return nullptr;
    }
    cache_.emplace(sql, stmt);
    return stmt;
  }

  // QueryInt runs a one-value query; the statement is finished before it returns.
  Result<int64_t> QueryInt(const char* sql) {
    Stmt s(db_, sql);
    if (!s.ok() || sqlite3_step(s.get()) != SQLITE_ROW) return Fail("cannot read");
    return s.Int(0);
  }

  Status Exec(const char* sql) {
    char* msg = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &msg);
    if (rc == SQLITE_OK) return Status::Ok();
    std::string text = msg != nullptr ? msg : sqlite3_errstr(rc);
    sqlite3_free(msg);
    return Classify(sqlite3_extended_errcode(db_), sqlite3_system_errno(db_), "cannot use", text);
  }

  // Records steps |s| to its end, reading a record from each row.
  Result<std::vector<CertRecord>> Records(Stmt& s) {
    std::vector<CertRecord> out;
    int rc;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) out.push_back(ReadRecord(s));
    if (rc != SQLITE_DONE) return Fail("cannot query");
    return out;
  }

  Error Duplicate(const std::string& serial) const {
    return MakeError(ErrorCode::kInput, "serial " + serial + " is already in the inventory " + path_);
  }

  Error Fail(const std::string& what) {
    return Classify(sqlite3_extended_errcode(db_), sqlite3_system_errno(db_), what, sqlite3_errmsg(db_));
  }

  // Classify turns an SQLite failure into an Error whose words say what the user can act on: the operating
  // system's reason (|sys_errno|, "No space left on device", "Read-only file system") rather than SQLite's
  // generic "disk I/O error" or "unable to open database file". |what| is "cannot read", "cannot update", ...
  Error Classify(int rc, int sys_errno, const std::string& what, const std::string& detail) const {
    int primary = rc & 0xff;
    if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) {
      return MakeError(ErrorCode::kInput, path_ + " is corrupt or not an SQLite database (" + detail +
                                              "); restore it from a backup");
    }
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
      // Any process can hold the lock (another mqttpki, a backup, an sqlite3 shell): do not guess which.
      return MakeError(ErrorCode::kIo, "the inventory " + path_ + " is locked by another process (" + detail +
                                           "; waited " + std::to_string(lock_timeout_s_) + " s, " +
                                           Arg("lock_timeout") + "); try again when it has finished");
    }
    bool io = primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN || primary == SQLITE_IOERR ||
              primary == SQLITE_PERM || primary == SQLITE_FULL;
    if (io) {
      // The system's errno is meaningful only after an I/O failure (it may be stale otherwise).
      if (primary == SQLITE_FULL && sys_errno == 0) sys_errno = ENOSPC;
      if (primary == SQLITE_CANTOPEN && sys_errno == ENOENT) {
        // SQLite's last attempt was a read-only open of a -shm that it could not create: the reason is the
        // directory's, not a missing file.
        std::string dir = std::filesystem::path(path_).parent_path().string();
        if (::access(dir.empty() ? "." : dir.c_str(), W_OK) != 0) sys_errno = errno;
      }
      std::string cause = sys_errno != 0 ? std::strerror(sys_errno) + std::string(" (") + detail + ")" : detail;
      std::string hint = sys_errno == ENOSPC || sys_errno == EDQUOT
                             ? "; free space on its file system, then run the command again"
                             : "";
      return MakeError(ErrorCode::kIo, what + " the inventory " + path_ + ": " + cause + hint);
    }
    return MakeError(ErrorCode::kInternal, what + " the inventory " + path_ + ": " + detail);
  }
  sqlite3* db_;
  std::string path_;
  SideFiles side_;
  int lock_timeout_s_ = kDefaultLockTimeoutSeconds;
  bool in_tx_ = false;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace

// ConfigureSqlite runs once, before SQLite is first used: without memory statistics, which take a mutex at every
// allocation (a device batch makes millions). A process that started SQLite earlier keeps its settings.
void ConfigureSqlite() {
  static std::once_flag once;
  std::call_once(once, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

Result<std::string> BuildSqliteImage(const std::function<Status(Store&)>& fill) {
  ConfigureSqlite();
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_close_v2(db);
    return MakeError(ErrorCode::kInternal, std::string("cannot build the inventory: ") + sqlite3_errstr(rc));
  }
  SqliteStore store(db, "the new inventory");
  MQTTPKI_TRY(store.InitNew());
  MQTTPKI_TRY(fill(store));
  sqlite3_int64 size = 0;
  unsigned char* bytes = sqlite3_serialize(db, "main", &size, 0);
  if (bytes == nullptr || size < 100) {
    sqlite3_free(bytes);
    return MakeError(ErrorCode::kInternal, "cannot serialize the new inventory");
  }
  std::string image(reinterpret_cast<char*>(bytes), static_cast<size_t>(size));
  sqlite3_free(bytes);
  // Header bytes 18 and 19 are the file format write/read versions: 2 means WAL mode (sqlite.org/fileformat2).
  image[18] = 2;
  image[19] = 2;
  return image;
}

namespace {

// ReadOnlyUri is |path| as an SQLite URI for a read-only open (RFC 3986 escapes for what a URI treats specially).
std::string ReadOnlyUri(const std::string& path, bool immutable) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string uri = path.size() > 0 && path[0] == '/' ? "file://" : "file:";
  for (unsigned char c : path) {
    if (c == '%' || c == '?' || c == '#' || c <= 0x20 || c >= 0x7f) {
      uri += '%';
      uri += kHex[c >> 4];
      uri += kHex[c & 15];
    } else {
      uri += static_cast<char>(c);
    }
  }
  return uri + (immutable ? "?immutable=1" : "?mode=ro");
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, StoreAccess access,
                                               const StoreOptions& options) {
  int lock_timeout_s = options.lock_timeout_s;
  if (lock_timeout_s < 0 || lock_timeout_s > kMaxLockTimeoutSeconds) {
    return MakeError(ErrorCode::kUsage, "invalid " + Arg("lock_timeout") + " " + std::to_string(lock_timeout_s) +
                                            ": 0 to " + std::to_string(kMaxLockTimeoutSeconds) + " seconds");
  }
  SideFiles side;
  side.Before(path);
  ConfigureSqlite();
  sqlite3* db = nullptr;
  int rc;
  if (access == StoreAccess::kReadOnly) {
    // Without a -wal there is nothing beyond the database file to read, and nothing here can change it (the
    // directory is not writable): immutable needs no -shm. With one, SQLite reads it with the -shm that exists.
    struct stat st;
    bool has_wal = ::stat((path + "-wal").c_str(), &st) == 0 && st.st_size > 0;
    rc = sqlite3_open_v2(ReadOnlyUri(path, !has_wal).c_str(), &db,
                         SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
  } else {
    rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                         nullptr);
  }
  if (rc != SQLITE_OK) {
    std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    int sys_errno = db != nullptr ? sqlite3_system_errno(db) : 0;
    sqlite3_close_v2(db);
    side.Closed();
    return MakeError(ErrorCode::kIo, "cannot open the inventory " + path + ": " +
                                         (sys_errno != 0 ? std::strerror(sys_errno) + (" (" + msg + ")") : msg));
  }
  auto store = std::make_unique<SqliteStore>(db, path, std::move(side));
  MQTTPKI_TRY(store->Init(lock_timeout_s, access));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace mqttpki

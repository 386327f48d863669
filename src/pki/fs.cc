#include "mqttpki/fs.h"

#include <cstdlib>

#include <signal.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>


#include <openssl/crypto.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string_view>

#include "pki/internal.h"

namespace mqttpki {

Error IoError(const std::string& what, const std::string& path, int err) {
  return MakeError(ErrorCode::kIo, "cannot " + what + " " + path + ": " + std::strerror(err));
}

namespace {

class PosixFileSystem final : public FileSystem {
 public:
  Status WriteNewFile(const std::string& path, std::string_view data, mode_t mode) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return IoError("create", path, errno);
    // The file was created 0600 whatever the umask allowed less; only now does it get its final mode.
    Status st = WriteAll(fd, path, data);
    if (st.ok() && ::fchmod(fd, mode) != 0) st = IoError("chmod", path, errno);
    if (::close(fd) != 0 && st.ok()) st = IoError("close", path, errno);
    if (!st.ok()) ::unlink(path.c_str());
    return st;
  }

  Status Sync(const std::vector<std::string>& paths) override {
    bool whole_fs = paths.size() > 2;
    std::vector<dev_t> synced;  // the filesystems one syncfs has covered
    for (const std::string& path : paths) {
      int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return IoError("open", path, errno);
      int rc = 0;
      if (!whole_fs) {
        rc = ::fsync(fd);
      } else {
        struct stat sb;
        rc = ::fstat(fd, &sb);
        if (rc == 0 && std::find(synced.begin(), synced.end(), sb.st_dev) == synced.end()) {
          rc = ::syncfs(fd);
          synced.push_back(sb.st_dev);
        }
      }
      int err = errno;
      ::close(fd);
      if (rc != 0) return IoError("sync", path, err);
    }
    return Status::Ok();
  }

  Status Rename(const std::string& from, const std::string& to, bool replace) override {
    unsigned flags = replace ? 0 : RENAME_NOREPLACE;
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), flags) != 0) {
      if (errno == EEXIST) {
        return MakeError(ErrorCode::kExists, to + " exists; use " + Arg("force") + " to overwrite it").WithFile(to);
      }
      return IoError("rename to", to, errno);
    }
    return Status::Ok();
  }

  Status Link(const std::string& from, const std::string& to) override {
    if (::link(from.c_str(), to.c_str()) != 0) return IoError("link", to, errno);
    return Status::Ok();
  }

  Status Unlink(const std::string& path) override {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return IoError("remove", path, errno);
    return Status::Ok();
  }

  Status MakeDir(const std::string& path, mode_t mode) override {
    if (::mkdir(path.c_str(), mode) != 0) {
      if (errno == EEXIST) return MakeError(ErrorCode::kExists, path + " exists");
      return IoError("create directory", path, errno);
    }
    // mkdir honours the umask; set the mode we asked for.
    if (::chmod(path.c_str(), mode) != 0) return IoError("chmod", path, errno);
    return Status::Ok();
  }

  Status RemoveDir(const std::string& path) override {
    if (::rmdir(path.c_str()) != 0 && errno != ENOTEMPTY && errno != EEXIST && errno != ENOENT) {
      return IoError("remove directory", path, errno);
    }
    return Status::Ok();
  }

  Result<bool> Exists(const std::string& path) override {
    struct stat sb;
    if (::lstat(path.c_str(), &sb) == 0) return true;
    if (errno == ENOENT) return false;
    if (errno == ENOTDIR) {
      return IoError("use", path, errno);
    }
    return IoError("access", path, errno);
  }

  Result<std::string> ReadFile(const std::string& path, size_t max_bytes) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return MakeError(ErrorCode::kInput, path + " does not exist");
      return IoError("open", path, errno);
    }
    struct stat sb;
    if (::fstat(fd, &sb) != 0) {
      int err = errno;
      ::close(fd);
      return IoError("stat", path, err);
    }
    if (S_ISDIR(sb.st_mode)) {
      ::close(fd);
      return MakeError(ErrorCode::kInput, path + " is a directory, not a file");
    }
    // Sized up front and the buffer wiped after: the file may be a private key, and a growing string would leave
    // copies of it in freed memory.
    std::string out;
    out.reserve(static_cast<size_t>(sb.st_size) < max_bytes ? static_cast<size_t>(sb.st_size) + 1 : max_bytes + 1);
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        return IoError("read", path, err);
      }
      if (n == 0) break;
      out.append(buf, static_cast<size_t>(n));
      OPENSSL_cleanse(buf, static_cast<size_t>(n));
      if (out.size() > max_bytes) {
        ::close(fd);
        return MakeError(ErrorCode::kInput, path + " is too large (over " +
                                                std::to_string(max_bytes / 1024) + " KiB); not a PEM file?");
      }
    }
    ::close(fd);
    return out;
  }

  Result<std::vector<DirEntry>> ListDir(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
      if (errno == ENOENT) return MakeError(ErrorCode::kInput, dir + " does not exist");
      return IoError("list", dir, errno);
    }
    std::vector<DirEntry> entries;
    errno = 0;
    while (const struct dirent* e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      bool is_dir = e->d_type == DT_DIR;
      if (e->d_type == DT_UNKNOWN) {  // the file system does not say: ask
        struct stat sb;
        is_dir = ::fstatat(::dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(sb.st_mode);
      }
      entries.push_back({std::string(name), is_dir});
      errno = 0;
    }
    int err = errno;
    ::closedir(d);
    if (err != 0) return IoError("list", dir, err);
    return entries;
  }

  Result<std::unique_ptr<FileLock>> Lock(const std::string& path, const std::function<void()>& on_wait) override {
    auto lock = std::make_unique<FlockLock>(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (lock->fd < 0) return IoError("open", path, errno);
    if (::flock(lock->fd, LOCK_EX | LOCK_NB) == 0) return std::unique_ptr<FileLock>(std::move(lock));
    if (errno != EWOULDBLOCK) return IoError("lock", path, errno);
    if (on_wait) on_wait();
    while (::flock(lock->fd, LOCK_EX) != 0) {
      if (errno != EINTR) return IoError("lock", path, errno);
    }
    return std::unique_ptr<FileLock>(std::move(lock));
  }

 private:
  // FlockLock is a flock(2) on an open descriptor: closing it releases the lock, and so does the process's end.
  struct FlockLock final : FileLock {
    explicit FlockLock(int f) : fd(f) {}
    ~FlockLock() override {
      if (fd >= 0) ::close(fd);
    }
    int fd;
  };

  static Status WriteAll(int fd, const std::string& path, std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::write(fd, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return IoError("write", path, errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  }
};

std::string SiblingName(const std::string& path, const char* tag) {
  std::filesystem::path p(path);
  std::string name = "." + p.filename().string() + "." + tag + "-" + std::to_string(::getpid()) + "-" +
                     RandomHex(6);
  return (p.parent_path() / name).string();
}

// SweepStaleSiblings removes, from |dir|, the temporary and backup siblings (SiblingName) of commands that were
// killed: their process is gone. A temporary file may hold a key that was never used; a backup is an extra link
// to a file that is in place again or was replaced by a commit that completed.
void SweepStaleSiblings(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name[0] != '.') continue;
    size_t tag = name.rfind(".tmp-");
    if (tag == std::string::npos) tag = name.rfind(".bak-");
    if (tag == std::string::npos) continue;
    size_t dash = name.find('-', tag + 5);
    if (dash == std::string::npos) continue;
    long pid = std::strtol(name.c_str() + tag + 5, nullptr, 10);
    if (pid <= 0 || pid == ::getpid() || ProcessAlive(pid)) continue;
    ::unlink(entry.path().c_str());
  }
}

std::string ParentOf(const std::string& path) {
  std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

void AddUnique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

// A commit record (FileTransaction::SetCommitLog) is a file log/tx-PID-RANDOM.prepare, renamed to .commit once
// every temporary file it names is on disk. It is a list of fields, each ended by a NUL (a path cannot hold one):
// the magic, the writer's pid, then "file" REPLACE TEMP PATH for each file (REPLACE is "1" when PATH may be
// replaced), then "end".
constexpr std::string_view kRecordMagic = "mqttpki-commit-1";
constexpr std::string_view kPrepared = ".prepare";
constexpr std::string_view kCommitted = ".commit";

struct CommitRecord {
  struct File {
    bool replace = false;
    std::string temp, path;
  };
  int64_t pid = 0;
  std::vector<File> files;
};

void PutField(std::string& out, std::string_view field) {
  out.append(field);
  out.push_back('\0');
}

// ParseRecord reads a record; nothing for one that is incomplete or not a record.
std::optional<CommitRecord> ParseRecord(const std::string& text) {
  std::vector<std::string> f;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\0', at);
    if (end == std::string::npos) return std::nullopt;  // cut short
    f.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  if (f.size() < 3 || f[0] != kRecordMagic || f.back() != "end") return std::nullopt;
  CommitRecord r;
  char* stop = nullptr;
  r.pid = std::strtoll(f[1].c_str(), &stop, 10);
  if (f[1].empty() || *stop != '\0' || r.pid <= 0) return std::nullopt;
  size_t end = f.size() - 1;  // the "end" field
  size_t i = 2;
  while (i < end) {
    if (f[i] == "file" && i + 3 < end && (f[i + 1] == "0" || f[i + 1] == "1")) {
      r.files.push_back({f[i + 1] == "1", f[i + 2], f[i + 3]});
      i += 4;
    } else {
      return std::nullopt;
    }
  }
  return r;
}

}  // namespace

Status RemoveTree(FileSystem& fs, const std::string& dir) {
  Result<std::vector<DirEntry>> entries = fs.ListDir(dir);
  if (!entries.ok()) {
    MQTTPKI_ASSIGN_OR_RETURN(bool exists, fs.Exists(dir));
    return exists ? Status(entries.error()) : Status::Ok();
  }
  for (const DirEntry& e : *entries) {
    std::string path = dir + "/" + e.name;
    MQTTPKI_TRY(e.is_dir ? RemoveTree(fs, path) : fs.Unlink(path));
  }
  MQTTPKI_TRY(fs.RemoveDir(dir));
  MQTTPKI_ASSIGN_OR_RETURN(bool left, fs.Exists(dir));
  if (left) return MakeError(ErrorCode::kIo, "cannot remove " + dir + ": it is not empty");
  return Status::Ok();
}

FileSystem& RealFileSystem() {
  static PosixFileSystem fs;
  return fs;
}

Status CheckWritableDir(const std::string& dir, const std::string& what) {
  if (::access(dir.c_str(), W_OK) == 0 || errno == ENOENT) return Status::Ok();
  int err = errno;
  return MakeError(ErrorCode::kIo, "cannot write to " + what + " " + dir + ": " + std::strerror(err) +
                                       "; nothing was written");
}

FileTransaction::FileTransaction(FileSystem& fs, bool force) : fs_(fs), force_(force) {}

FileTransaction::~FileTransaction() {
  if (!committed_) Rollback();
}

Status FileTransaction::Stage(const std::string& path, std::string data, mode_t mode, bool never_replace) {
  for (const Entry& e : entries_) {
    if (e.path == path) return MakeError(ErrorCode::kInternal, path + " staged twice");
  }
  if (never_replace) {
    MQTTPKI_ASSIGN_OR_RETURN(bool exists, fs_.Exists(path));
    if (exists) return MakeError(ErrorCode::kExists, path + " exists");
  } else {
    MQTTPKI_TRY(Check(path));
  }
  Entry e;
  e.path = path;
  e.data = std::move(data);
  e.mode = mode;
  e.never_replace = never_replace;
  entries_.push_back(std::move(e));
  return Status::Ok();
}

Status FileTransaction::StageFirst(const std::string& path, std::string data, mode_t mode) {
  MQTTPKI_TRY(Stage(path, std::move(data), mode));
  std::rotate(entries_.begin(), entries_.end() - 1, entries_.end());
  return Status::Ok();
}

Status FileTransaction::Check(const std::string& path) {
  if (force_) return Status::Ok();
  MQTTPKI_ASSIGN_OR_RETURN(bool exists, fs_.Exists(path));
  if (exists) {
    return MakeError(ErrorCode::kExists, path + " exists; use " + Arg("force") + " to overwrite it").WithFile(path);
  }
  return Status::Ok();
}

std::vector<std::string> FileTransaction::StagedPaths() const {
  std::vector<std::string> out;
  for (const Entry& e : entries_) out.push_back(e.path);
  return out;
}

Status FileTransaction::EnsureDir(const std::string& dir) {
  MQTTPKI_ASSIGN_OR_RETURN(bool exists, fs_.Exists(dir));
  if (exists) return Status::Ok();
  std::string parent = ParentOf(dir);
  if (parent != dir) MQTTPKI_TRY(EnsureDir(parent));
  // Directories named "private" hold keys: only the owner may list them.
  mode_t mode = std::filesystem::path(dir).filename() == "private" ? 0700 : 0755;
  Status made = fs_.MakeDir(dir, mode);
  if (!made.ok()) {
    // Another process made it between our check and our mkdir: it is theirs, not ours to remove.
    if (made.error().code == ErrorCode::kExists) return Status::Ok();
    return made;
  }
  created_dirs_.push_back(dir);
  return Status::Ok();
}

Status FileTransaction::Commit() {
  if (committed_) return MakeError(ErrorCode::kInternal, "transaction committed twice");
  // 0. What killed commands left goes first: their logged commits are completed or undone (before the sweep,
  //    which would take the temporary files a committed record still needs), then stray temporaries swept.
  if (!log_dir_.empty()) MQTTPKI_TRY(RecoverCommits(fs_, log_dir_));
  std::vector<std::string> target_dirs;
  for (const Entry& e : entries_) AddUnique(target_dirs, ParentOf(e.path));
  for (const std::string& dir : target_dirs) SweepStaleSiblings(dir);
  // 1. Every file goes to a temporary sibling, fully written, then all are synced together. A logged commit of
  //    more than one file (one rename is atomic by itself) first records the temporary names.
  auto fail = [this](const Status& st) {
    Rollback();
    return st;
  };
  for (Entry& e : entries_) {
    if (Status st = EnsureDir(ParentOf(e.path)); !st.ok()) return fail(st);
    e.temp = SiblingName(e.path, "tmp");
  }
  bool logged = !log_dir_.empty() && entries_.size() > 1;
  if (logged) {
    if (Status st = WriteRecord(); !st.ok()) return fail(st);
  }
  std::vector<std::string> synced;
  for (Entry& e : entries_) {
    if (Status st = fs_.WriteNewFile(e.temp, e.data, e.mode); !st.ok()) return fail(st);
    synced.push_back(e.temp);
  }
  if (logged) synced.push_back(record_);
  if (Status st = fs_.Sync(synced); !st.ok()) return fail(st);
  // Everything is on disk: the record says so, durably, before the first rename.
  if (logged) {
    std::string committed = record_.substr(0, record_.size() - kPrepared.size()) + std::string(kCommitted);
    if (Status st = fs_.Rename(record_, committed, false); !st.ok()) return fail(st);
    record_ = committed;
    if (Status st = fs_.Sync({log_dir_}); !st.ok()) return fail(st);
  }
  // 2. Renamed into place; a replaced file is kept as a hard link until the end, so it can be restored.
  for (Entry& e : entries_) {
    Status st;
    bool replace = force_ && !e.never_replace;
    if (replace) {
      Result<bool> exists = fs_.Exists(e.path);
      if (!exists.ok()) {
        st = exists.error();
      } else if (*exists) {
        std::string backup = SiblingName(e.path, "bak");
        st = fs_.Link(e.path, backup);
        if (st.ok()) e.backup = backup;
      }
    }
    if (st.ok()) st = fs_.Rename(e.temp, e.path, replace);
    if (!st.ok()) return fail(st);
    e.temp.clear();
    e.placed = true;
  }
  // 3. Make the renames durable; only then are replaced files let go. A failure still undoes everything.
  std::vector<std::string> dirs = target_dirs;
  for (const std::string& d : created_dirs_) AddUnique(dirs, ParentOf(d));
  if (Status st = fs_.Sync(dirs); !st.ok()) return fail(st);
  committed_ = true;
  for (Entry& e : entries_) {
    if (!e.backup.empty()) (void)fs_.Unlink(e.backup);
    e.backup.clear();
    e.data.assign(e.data.size(), '\0');  // the data may be a private key
  }
  // Last, so that a crash before it still has RecoverCommits sweep the backups (an old key among them). If its
  // removal is lost, the record names no temporary file left.
  if (!record_.empty()) (void)fs_.Unlink(record_);
  record_.clear();
  return Status::Ok();
}

Status FileTransaction::WriteRecord() {
  MQTTPKI_TRY(EnsureDir(log_dir_));
  std::string text;
  PutField(text, kRecordMagic);
  PutField(text, std::to_string(::getpid()));
  for (const Entry& e : entries_) {
    PutField(text, "file");
    PutField(text, force_ && !e.never_replace ? "1" : "0");
    PutField(text, e.temp);
    PutField(text, e.path);
  }
  PutField(text, "end");
  std::string path = log_dir_ + "/tx-" + std::to_string(::getpid()) + "-" + RandomHex(6) + std::string(kPrepared);
  MQTTPKI_TRY(fs_.WriteNewFile(path, text, 0600));
  record_ = path;
  return Status::Ok();
}

void FileTransaction::Rollback() {
  // The record goes first, durably: a crash in the middle of the undo must not be completed by RecoverCommits.
  if (!record_.empty()) {
    (void)fs_.Unlink(record_);
    (void)fs_.Sync({log_dir_});
    record_.clear();
  }
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    Entry& e = *it;
    if (!e.temp.empty()) (void)fs_.Unlink(e.temp);
    if (e.placed) {
      if (!e.backup.empty()) {
        (void)fs_.Rename(e.backup, e.path, true);
      } else {
        (void)fs_.Unlink(e.path);
      }
    } else if (!e.backup.empty()) {
      (void)fs_.Unlink(e.backup);
    }
    e.temp.clear();
    e.backup.clear();
    e.placed = false;
    e.data.assign(e.data.size(), '\0');
  }
  for (auto it = created_dirs_.rbegin(); it != created_dirs_.rend(); ++it) (void)fs_.RemoveDir(*it);
  created_dirs_.clear();
}

bool ProcessAlive(int64_t pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

namespace {

// DeadRecord is a commit record in a log whose writer is gone: the pid in its name (tx-PID-RANDOM) is neither
// ours nor a live process's. The record of a live writer is never read: it may be half-written.
struct DeadRecord {
  std::string path;
  int64_t pid = 0;
  bool committed = false;
};

std::vector<DeadRecord> DeadRecords(const std::string& dir) {
  std::error_code ec;
  std::vector<DeadRecord> records;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    bool committed = name.ends_with(kCommitted);
    if (!name.starts_with("tx-") || !(committed || name.ends_with(kPrepared))) continue;
    char* stop = nullptr;
    long long pid = std::strtoll(name.c_str() + 3, &stop, 10);
    if (pid <= 0 || *stop != '-' || pid == ::getpid() || ProcessAlive(pid)) continue;
    records.push_back({entry.path().string(), pid, committed});
  }
  std::sort(records.begin(), records.end(), [](const DeadRecord& a, const DeadRecord& b) { return a.path < b.path; });
  return records;
}

}  // namespace

size_t UnfinishedCommits(const std::string& dir) {
  size_t n = 0;
  for (const DeadRecord& r : DeadRecords(dir)) n += r.committed ? 1 : 0;
  return n;
}

Status RecoverCommits(FileSystem& fs, const std::string& dir) {
  for (const DeadRecord& r : DeadRecords(dir)) {
    const std::string& path = r.path;
    bool committed = r.committed;
    Result<std::string> text = fs.ReadFile(path, 64 * 1024 * 1024);
    if (!text.ok()) {
      if (!fs.Exists(path).value_or(true)) continue;  // another process recovered it meanwhile
      return text.error().Context("reading the record of an interrupted commit");
    }
    std::optional<CommitRecord> rec = ParseRecord(*text);
    if (rec && rec->pid != r.pid) rec.reset();
    if (!rec) {
      // A prepared record cut short by the crash: it was being written before any temporary file.
      if (!committed) {
        MQTTPKI_TRY(fs.Unlink(path));
        continue;
      }
      return MakeError(ErrorCode::kIo, path + " is the record of an interrupted commit, and it cannot be read: the "
                                              "files it covers may be incomplete; check them, then remove it");
    }
    std::vector<std::string> dirs, renamed_in;
    for (const CommitRecord::File& f : rec->files) {
      AddUnique(dirs, ParentOf(f.path));
      if (!committed) {
        MQTTPKI_TRY(fs.Unlink(f.temp));
        continue;
      }
      MQTTPKI_ASSIGN_OR_RETURN(bool waiting, fs.Exists(f.temp));
      if (!waiting) continue;  // renamed before the crash
      Status st = fs.Rename(f.temp, f.path, f.replace);
      if (st.ok()) {
        AddUnique(renamed_in, ParentOf(f.path));
        continue;
      }
      if (!fs.Exists(f.temp).value_or(true)) continue;  // another process completed it first
      if (st.error().code == ErrorCode::kExists) {
        // A new file that another command created after the crash: it stays, ours goes.
        MQTTPKI_TRY(fs.Unlink(f.temp));
        continue;
      }
      return st.error().Context("completing the interrupted commit " + path);
    }
    MQTTPKI_TRY(fs.Sync(renamed_in));
    for (const std::string& d : dirs) SweepStaleSiblings(d);  // the backups of replaced files
    MQTTPKI_TRY(fs.Unlink(path));
  }
  return Status::Ok();
}

}  // namespace mqttpki

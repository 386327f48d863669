// The filesystem as the PKI sees it: one small interface (so tests can inject a full disk or a crash between
// write and rename), and FileTransaction, which makes all files of one command appear together or not at all.
#ifndef MQTTPKI_FS_H_
#define MQTTPKI_FS_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mqttpki/result.h"

namespace mqttpki {

// DirEntry is one entry of a directory listing.
struct DirEntry {
  std::string name;  // not a path: the name within the directory
  bool is_dir = false;
};

// FileLock is an exclusive lock taken with FileSystem::Lock, held until it is destroyed.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

// FileSystem is the set of operations the PKI performs on disk. Every method reports failure as an Error naming
// the path and the reason (kIo), never by throwing.
class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // WriteNewFile creates |path| (which must not exist), writes |data| and leaves it with |mode|; SyncFiles makes
  // it durable. The file is created 0600 and only then changed to |mode|, so a key is never readable by others.
  virtual Status WriteNewFile(const std::string& path, std::string_view data, mode_t mode) = 0;
  // Sync makes |paths| (files, or directories after renames in them) durable: fsync for one or two, one syncfs per
  // filesystem they are on for more (a single journal commit instead of one per path).
  virtual Status Sync(const std::vector<std::string>& paths) = 0;
  // Rename moves |from| to |to|; with |replace| false it fails with kExists when |to| exists (atomically).
  virtual Status Rename(const std::string& from, const std::string& to, bool replace) = 0;
  virtual Status Link(const std::string& from, const std::string& to) = 0;
  virtual Status Unlink(const std::string& path) = 0;
  // MakeDir creates directory |path|; kExists when something is already there.
  virtual Status MakeDir(const std::string& path, mode_t mode) = 0;
  // RemoveDir removes |path| if it is empty; a non-empty directory is left alone and is not an error.
  virtual Status RemoveDir(const std::string& path) = 0;
  // Exists says whether |path| exists (as anything); an I/O error other than "not found" is an error.
  virtual Result<bool> Exists(const std::string& path) = 0;
  // ReadFile reads all of |path|; files over |max_bytes| are refused with kInput.
  virtual Result<std::string> ReadFile(const std::string& path, size_t max_bytes) = 0;
  // ListDir lists directory |dir| (without "." and ".."), in no particular order; a missing |dir| is kInput.
  virtual Result<std::vector<DirEntry>> ListDir(const std::string& dir) = 0;
  // Lock takes an exclusive lock on |path| (an existing file or directory) for as long as the returned FileLock
  // lives, among every process that locks it so; it lasts no longer than the process. When another holds it,
  // |on_wait| (if set) is called once and Lock waits until it is free.
  virtual Result<std::unique_ptr<FileLock>> Lock(const std::string& path, const std::function<void()>& on_wait) = 0;
};

// RemoveTree removes directory |dir| and everything in it through |fs|; a missing |dir| is not an error.
Status RemoveTree(FileSystem& fs, const std::string& dir);

// RealFileSystem is the process's POSIX filesystem.
FileSystem& RealFileSystem();

// CheckWritableDir fails (kIo) when directory |dir| exists but this process cannot create files in it: a
// read-only file system, an immutable directory, missing permission. The message names |what| (e.g. "the PKI
// directory"), |dir| and the system's reason ("Read-only file system"). A missing |dir| is not an error (it is
// created when the command commits). It checks the real file system, whatever FileSystem a caller uses.
Status CheckWritableDir(const std::string& dir, const std::string& what);

// ProcessAlive says whether process |pid| exists (it may be another user's): the owner of a temporary file, a
// journal or a commit record is still at work on it.
bool ProcessAlive(int64_t pid);

// kMaxInputBytes bounds every file we parse (certificates, CSRs, keys, bundles).
inline constexpr size_t kMaxInputBytes = 4 * 1024 * 1024;

// FileTransaction stages files and writes them all on Commit: each to a temporary file in its final directory,
// then all synced to disk, then renamed into place, then the directories synced. If anything fails, or the transaction is
// destroyed uncommitted, every file it wrote is removed, every file it replaced is restored and every directory
// it created is removed: a failed command leaves the disk as it found it.
//
// A crash (SIGKILL, power loss) cannot undo anything. With a commit log (SetCommitLog), a commit of several files
// is atomic across a crash as well: its record in the log names every temporary file and where it goes; it is
// marked committed once all of them are on disk, before the first rename. RecoverCommits, run by the next command,
// finishes the renames of a committed record whose process died, and removes the temporary files of one that was
// not committed yet (the directories it made stay: another command may be using them by then). Without a log, a crash between two renames leaves some of the
// files in place.
class FileTransaction {
 public:
  // With |force| false, staging a path that exists fails with kExists; with |force| true it is replaced.
  FileTransaction(FileSystem& fs, bool force);
  ~FileTransaction();
  FileTransaction(const FileTransaction&) = delete;
  FileTransaction& operator=(const FileTransaction&) = delete;

  // Stage records that |path| is to hold |data| with |mode|. It fails at once if |path| exists and force is off,
  // or if |path| was already staged.
  // With |never_replace| the file is never replaced, even with force (an inventory created meanwhile by another
  // process): Commit then fails with kExists and undoes everything.
  Status Stage(const std::string& path, std::string data, mode_t mode, bool never_replace = false);
  // StageFirst is Stage, but the file is written and renamed into place before every other staged file.
  Status StageFirst(const std::string& path, std::string data, mode_t mode);
  // Check fails with kExists when |path| exists and force is off: a cheap test before expensive work.
  Status Check(const std::string& path);
  // SetCommitLog makes Commit record itself in directory |dir| (created if need be), see above. Every transaction
  // that writes where logged commits write should set it, even for one file: Commit sweeps stale temporary files
  // from its directories, and a killed commit's must be put in place first.
  void SetCommitLog(std::string dir) { log_dir_ = std::move(dir); }
  // Commit writes every staged file. On failure nothing staged remains on disk and the error says what failed.
  // With a commit log, it first recovers the commits that killed processes left there.
  Status Commit();

  // StagedPaths lists the staged paths in staging order.
  std::vector<std::string> StagedPaths() const;
  bool committed() const { return committed_; }

 private:
  struct Entry {
    std::string path;
    std::string data;
    mode_t mode;
    bool never_replace = false;
    std::string temp;    // temporary file, while it exists
    std::string backup;  // hard link to the replaced file, while it exists
    bool placed = false; // renamed into |path|
  };
  Status EnsureDir(const std::string& dir);
  Status WriteRecord();
  void Rollback();

  FileSystem& fs_;
  bool force_;
  std::string log_dir_;
  std::string record_;  // the commit record (prepared, then committed), while it exists
  bool committed_ = false;
  std::vector<Entry> entries_;
  std::vector<std::string> created_dirs_;
};

// RecoverCommits completes or undoes the commits recorded in log |dir| (FileTransaction::SetCommitLog) whose
// process is gone (the pid in the record's name): a committed one gets every file still in a temporary put in
// place, one that was only prepared loses its temporary files. Records of live processes are not even read (they
// may be half-written). An unreadable committed record is an error naming it: the files it covers may be
// incomplete.
Status RecoverCommits(FileSystem& fs, const std::string& dir);
// UnfinishedCommits counts the committed records of dead processes in log |dir|, which RecoverCommits would
// complete (where it cannot run: a read-only PKI): commands whose files are not all in place.
size_t UnfinishedCommits(const std::string& dir);

}  // namespace mqttpki

#endif  // MQTTPKI_FS_H_

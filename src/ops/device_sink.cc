// The archive and folder sinks of the device batch (device_sink.h). How each commits a chunk:
//   archive:  append the chunk to FILE.tar.partial, fdatasync, then commit its inventory rows. A rerun truncates
//             the archive after the last device the inventory has (at most the chunk in flight is lost).
//   folders:  insert the rows (uncommitted), write the inventory journal, sync the device files, rename each
//             OUT/.partial-ID to OUT/ID (a device appears whole or not at all), commit the rows. A crash after the
//             renames leaves the journal, which the next command applies (inventory.h).
#include "ops/device_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <system_error>

#include "mqttpki/inventory.h"
#include "pki/internal.h"

namespace mqttpki {

void Chunk::Reset() {
  specs.clear();
  status = Status::Ok();
  records.clear();
  tar.clear();
  files.clear();
  manifest.clear();
  oversize = 0;
  largest = 0;
}

std::unique_ptr<Chunk> DeviceSink::Spare() {
  if (spare_.empty()) return nullptr;
  std::unique_ptr<Chunk> c = std::move(spare_.back());
  spare_.pop_back();
  return c;
}

void DeviceSink::Recycle(std::unique_ptr<Chunk> c) {
  c->Reset();
  spare_.push_back(std::move(c));
}

namespace {

std::string ParentDir(const std::string& path) {
  std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

// MakeDirs makes |dir| and its missing parents; |dir| itself gets |mode|.
Status MakeDirs(FileSystem& fs, const std::string& dir, mode_t mode) {
  MQTTPKI_ASSIGN_OR_RETURN(bool exists, fs.Exists(dir));
  if (exists) return Status::Ok();
  std::string parent = ParentDir(dir);
  if (parent != dir) MQTTPKI_TRY(MakeDirs(fs, parent, 0755));
  Status made = fs.MakeDir(dir, mode);
  if (!made.ok() && made.error().code != ErrorCode::kExists) return made;  // kExists: made meanwhile
  return Status::Ok();
}

// TempFile is a stdio file next to |near| that is removed unless it is placed: the manifests are streamed
// through it (a million devices' manifest does not fit the batch's memory).
struct TempFile {
  std::string path;
  std::FILE* f = nullptr;
  TempFile() = default;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (f != nullptr) std::fclose(f);
    if (!path.empty()) ::unlink(path.c_str());
  }
  Status Open(const std::string& near) {
    path = near + ".tmp-" + RandomHex(6);
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
      Error e = IoError("create", path, errno);
      path.clear();
      return e;
    }
    f = ::fdopen(fd, "w+");
    return Status::Ok();
  }
  // Place makes it durable and renames it to |to| (replacing).
  Status Place(FileSystem& fs, const std::string& to) {
    if (std::fflush(f) != 0 || ::fsync(fileno(f)) != 0) return IoError("write", path, errno);
    MQTTPKI_TRY(fs.Rename(path, to, true));
    path.clear();
    return Status::Ok();
  }
};

// ---- archive ----

class Archive final : public DeviceSink {
 public:
  Archive(const PkiDir& pki, Store& store, const DeviceOutput& out, const std::string& archive,
          std::string not_after, int64_t now)
      : fs_(pki.fs()), store_(store), out_(out), archive_(archive), partial_(archive + ".partial"),
        sidecar_(archive + ".partial-manifest"), not_after_(std::move(not_after)), now_(now) {}
  ~Archive() override {
    if (writing_.valid()) writing_.wait();
    Close();
  }

  Result<bool> Open(const BatchPlan& plan, BatchResult& result) override;

  Status Add(Chunk& c, const CertRecord& rec, const DeviceFile* files, size_t n) const override {
    if (c.tar.empty()) {
      c.tar.reserve(c.specs.size() * (out_.der || out_.c_header ? 9000 : 5120));
      c.manifest.reserve(c.specs.size() * 160);
    }
    const std::string& id = rec.name;
    std::string path;
    for (size_t i = 0; i < n; ++i) {
      path.assign(id).append("/").append(id).append(files[i].suffix);
      if (!tar::AppendFile(c.tar, path, files[i].data, files[i].mode, out_.mtime, files[i].more)) {
        return MakeError(ErrorCode::kInternal, "the device id '" + id + "' is too long for a tar entry");
      }
    }
    AppendManifestLine(c.manifest, rec, not_after_);
    return Status::Ok();
  }

  // A chunk is committed in two steps, so that the disk takes one chunk while the next is being issued: a thread
  // that does nothing but wait on the disk appends the chunk and its manifest lines and syncs both (|writing_|);
  // Record then commits the chunk's inventory rows, once that is done.
  Status Commit(std::unique_ptr<Chunk> c, BatchResult& result) override {
    MQTTPKI_TRY(Record(result));
    written_ = std::move(c);
    try {
      writing_ = std::async(std::launch::async, &Archive::Write, this, std::cref(*written_));
    } catch (const std::system_error&) {  // no thread to be had: write it here
      std::promise<Status> done;
      done.set_value(Write(*written_));
      writing_ = done.get_future();
    }
    return Status::Ok();
  }
  void Discard(const Chunk&) override {}  // nothing of it was written
  Status Flush(BatchResult& result) override { return Record(result); }
  Status Finish(BatchResult& result) override;
  void Interrupted(BatchResult& result) override { result.outputs.push_back(partial_); }

 private:
  Status Write(const Chunk& c) {
    MQTTPKI_TRY(writer_.Append(c.tar.view()));
    if (std::fwrite(c.manifest.data(), 1, c.manifest.size(), manifest_) != c.manifest.size() ||
        std::fflush(manifest_) != 0) {
      return IoError("write", sidecar_, errno);
    }
    MQTTPKI_TRY(writer_.Sync());
    if (::fdatasync(fileno(manifest_)) != 0) return IoError("sync", sidecar_, errno);
    return Status::Ok();
  }
  Status Record(BatchResult& result) {
    if (written_ == nullptr) return Status::Ok();
    std::unique_ptr<Chunk> c = std::move(written_);
    MQTTPKI_TRY(writing_.get());
    MQTTPKI_TRY(store_.Begin());
    if (Status st = store_.InsertMany(c->records); !st.ok()) {
      store_.Rollback();
      return st;
    }
    MQTTPKI_TRY(store_.Commit());
    result.issued += c->records.size();
    Recycle(std::move(c));
    return Status::Ok();
  }
  Status ResumeManifest(uint64_t kept);
  Status AppendManifests();
  void Close() {
    writer_.Close();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (manifest_ != nullptr) std::fclose(manifest_);
    manifest_ = nullptr;
  }

  FileSystem& fs_;
  Store& store_;
  const DeviceOutput& out_;
  const std::string archive_, partial_, sidecar_, not_after_;
  int64_t now_;
  int fd_ = -1;
  ArchiveWriter writer_;
  std::FILE* manifest_ = nullptr;  // the sidecar: manifest lines of the devices in the archive so far
  std::unique_ptr<Chunk> written_;  // the chunk being written
  std::future<Status> writing_;
};

Result<bool> Archive::Open(const BatchPlan& plan, BatchResult& result) {
  MQTTPKI_ASSIGN_OR_RETURN(bool final_exists, fs_.Exists(archive_));
  // Manifest temporaries of a killed run (the batch lock says no other run is using them).
  std::string dir = ParentDir(partial_);
  std::string prefix = std::filesystem::path(partial_).filename().string() + ".tmp-";
  if (Result<std::vector<DirEntry>> entries = fs_.ListDir(dir); entries.ok()) {
    for (const DirEntry& e : *entries) {
      if (e.name.starts_with(prefix)) (void)fs_.Unlink(dir + "/" + e.name);
    }
  }
  if (final_exists) {
    (void)fs_.Unlink(sidecar_);  // a run killed between the final rename and this removal
    if (plan.todo == 0) {
      result.outputs.push_back(archive_);
      return false;  // a finished batch, run again: nothing to do
    }
    return MakeError(ErrorCode::kExists, archive_ + " exists: choose another " + Arg("archive") + " for new devices");
  }
  // A partial archive left read-only (0400, by an earlier version of this tool) is made writable again: it is
  // ours, and only its owner could read it either way.
  struct stat pst;
  if (::lstat(partial_.c_str(), &pst) == 0 && S_ISREG(pst.st_mode) && pst.st_uid == ::geteuid() &&
      (pst.st_mode & S_IWUSR) == 0) {
    ::chmod(partial_.c_str(), 0600);
  }
  bool partial_existed = ::lstat(partial_.c_str(), &pst) == 0;
  fd_ = ::open(partial_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd_ < 0) return IoError("create", partial_, errno);
  uint64_t kept = 0;
  MQTTPKI_ASSIGN_OR_RETURN(uint64_t end, ScanArchive(fd_, partial_, store_, out_, kept));
  result.resumed = kept;
  // Devices of this batch that the inventory puts in this archive, but that neither the archive nor its partial
  // holds: the archive was moved or deleted after the batch, or the partial was deleted or damaged. Skipping
  // them would make an archive without them, so nothing is written, and the message says what happened.
  if (plan.in_this_archive > kept) {
    Close();
    if (!partial_existed) (void)fs_.Unlink(partial_);
    std::string where = partial_existed ? partial_ + " does not hold them" : "neither it nor " + partial_ + " exists";
    return MakeError(ErrorCode::kInput,
                     std::to_string(plan.in_this_archive - kept) + " device(s) of this batch are recorded in the " +
                         "inventory at " + archive_ + ", but " + where +
                         ": nothing was written. If the archive was moved, this batch is done; if it was lost, so "
                         "were those devices' keys: revoke them (" + Op("revoke ID") + ") and issue new ids, or " +
                         "give another " + Arg("archive") + " for the devices not yet issued.");
  }
  // The archive is synced before each chunk's rows are committed, and a resume keeps only what the inventory
  // records: a commit lost to a power cut costs that chunk, nothing else. So commits need not wait for the
  // disk; the inventory is made durable (Checkpoint) before the archive gets its final name.
  MQTTPKI_TRY(store_.SetDeferredSync(true));
  if (::ftruncate(fd_, static_cast<off_t>(end)) != 0) return IoError("truncate", partial_, errno);
  writer_.Open(fd_, partial_, end);
  MQTTPKI_TRY(ResumeManifest(kept));
  return true;
}

// ResumeManifest opens the sidecar at the end of the lines of the |kept| devices (the lines of a chunk are synced
// with the chunk, before its rows are committed).
Status Archive::ResumeManifest(uint64_t kept) {
  int fd = ::open(sidecar_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0 || (manifest_ = ::fdopen(fd, "r+")) == nullptr) return IoError("create", sidecar_, errno);
  char line[512];
  uint64_t lines = 0;
  while (lines < kept && std::fgets(line, sizeof(line), manifest_) != nullptr) ++lines;
  if (lines < kept) return MakeError(ErrorCode::kIo, sidecar_ + " lacks devices that " + partial_ + " holds");
  long at = std::ftell(manifest_);
  if (at < 0 || ::ftruncate(fd, at) != 0 || std::fseek(manifest_, at, SEEK_SET) != 0) {
    return IoError("truncate", sidecar_, errno);
  }
  return Status::Ok();
}

// AppendManifests ends the archive with manifest.csv (the header and the sidecar's lines) and manifest.json.
Status Archive::AppendManifests() {
  TempFile json;
  MQTTPKI_TRY(json.Open(partial_));
  std::rewind(manifest_);
  MQTTPKI_TRY(CsvToJson(manifest_, json.f));
  tar::Buffer tail;
  for (std::FILE* f : {manifest_, json.f}) {
    std::fflush(f);
    std::fseek(f, 0, SEEK_END);
    long size = std::ftell(f);
    std::rewind(f);
    bool is_csv = f == manifest_;
    uint64_t total = static_cast<uint64_t>(size) + (is_csv ? strlen(kManifestHeader) : 0);
    tar::AppendHeader(tail, is_csv ? "manifest.csv" : "manifest.json", total, 0644, now_, false);
    if (is_csv) tail.append(kManifestHeader);
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) {
      tail.append(std::string_view(buf, n));
      if (tail.size() > (1 << 20)) {
        MQTTPKI_TRY(writer_.Append(tail.view()));
        tail.clear();
      }
    }
    if (std::ferror(f)) return MakeError(ErrorCode::kIo, "cannot read back the manifest");
    tar::AppendPadding(tail, total);
  }
  tar::AppendEnd(tail);
  return writer_.Append(tail.view());
}

Status Archive::Finish(BatchResult& result) {
  MQTTPKI_TRY(AppendManifests());
  writer_.Close();
  if (::fsync(fd_) != 0) return IoError("sync", partial_, errno);
  MQTTPKI_TRY(store_.Checkpoint());
  Close();
  MQTTPKI_TRY(fs_.Rename(partial_, archive_, false));
  // 0400 once it is complete (0600 until then, so that a rerun can resume it).
  if (::chmod(archive_.c_str(), 0400) != 0) return IoError("chmod", archive_, errno);
  MQTTPKI_TRY(fs_.Sync({ParentDir(archive_)}));
  (void)fs_.Unlink(sidecar_);
  result.outputs.push_back(archive_);
  return Status::Ok();
}

// ---- folders ----

class Folders final : public DeviceSink {
 public:
  Folders(const PkiDir& pki, Store& store, const DeviceOutput& out, int64_t now)
      : pki_(pki), fs_(pki.fs()), store_(store), out_(out), now_(now) {}

  Result<bool> Open(const BatchPlan& plan, BatchResult& result) override;

  Status Add(Chunk& c, const CertRecord& rec, const DeviceFile* files, size_t n) const override {
    std::string dir = Partial(rec.name);
    MQTTPKI_TRY(fs_.MakeDir(dir, 0700));
    c.files.push_back(dir);
    std::string path, whole;
    for (size_t i = 0; i < n; ++i) {
      path.assign(dir).append("/").append(rec.name).append(files[i].suffix);
      std::string_view data = files[i].data;
      if (!files[i].more.empty()) data = whole.assign(files[i].data).append(files[i].more);
      MQTTPKI_TRY(fs_.WriteNewFile(path, data, files[i].mode));
      c.files.push_back(path);
    }
    return Status::Ok();
  }

  Status Commit(std::unique_ptr<Chunk> c, BatchResult& result) override;
  void Discard(const Chunk& c) override {
    for (const DeviceSpec& s : c.specs) (void)RemoveTree(fs_, Partial(s.id));
  }
  Status Flush(BatchResult&) override { return Status::Ok(); }  // every commit is complete
  Status Finish(BatchResult& result) override;
  void Interrupted(BatchResult&) override {}

 private:
  std::string Partial(const std::string& id) const { return out_.dir + "/.partial-" + id; }

  const PkiDir& pki_;
  FileSystem& fs_;
  Store& store_;
  const DeviceOutput& out_;
  int64_t now_;
};

Result<bool> Folders::Open(const BatchPlan&, BatchResult&) {
  MQTTPKI_TRY(MakeDirs(fs_, out_.dir, 0700));
  ::chmod(out_.dir.c_str(), 0700);  // it holds keys: an existing folder too
  // Folders of devices that an interrupted run had not finished, and its manifest temporaries.
  MQTTPKI_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, fs_.ListDir(out_.dir));
  for (const DirEntry& e : entries) {
    if (e.name.starts_with(".partial-")) MQTTPKI_TRY(RemoveTree(fs_, out_.dir + "/" + e.name));
    if (e.name.starts_with("manifest.tmp-")) MQTTPKI_TRY(fs_.Unlink(out_.dir + "/" + e.name));
  }
  return true;
}

Status Folders::Commit(std::unique_ptr<Chunk> chunk, BatchResult& result) {
  Chunk& c = *chunk;
  InventoryChange change;
  change.inserts = std::move(c.records);
  MQTTPKI_TRY(store_.Begin());
  auto abort = [&](const Error& e) {
    store_.Rollback();
    for (const CertRecord& r : change.inserts) (void)RemoveTree(fs_, Partial(r.name));
    return e;
  };
  if (Status st = store_.InsertMany(change.inserts); !st.ok()) return abort(st.error());
  FileTransaction journal_tx(fs_, false);
  journal_tx.SetCommitLog(pki_.Path(kPendingDir));  // one file: only so that killed commits are recovered first
  Result<std::string> journal = StageJournal(pki_, journal_tx, change, now_);
  if (!journal.ok()) return abort(journal.error());
  if (Status st = journal_tx.Commit(); !st.ok()) return abort(st.error());
  if (Status st = fs_.Sync(c.files); !st.ok()) return abort(st.error());
  for (const CertRecord& r : change.inserts) {
    if (Status st = fs_.Rename(Partial(r.name), out_.dir + "/" + r.name, false); !st.ok()) {
      // The devices renamed so far are complete; the journal records them at the next command.
      store_.Rollback();
      for (const CertRecord& rest : change.inserts) (void)RemoveTree(fs_, Partial(rest.name));
      return st;
    }
  }
  MQTTPKI_TRY(fs_.Sync({out_.dir}));
  if (Status st = store_.Commit(); !st.ok()) {
    return st.error().Context("the devices were written, but the inventory could not be updated (the next "
                              "command will record them)");
  }
  (void)fs_.Unlink(*journal);
  result.issued += change.inserts.size();
  return Status::Ok();
}

// Finish writes manifest.csv and manifest.json: every device folder in OUT (earlier batches' too).
Status Folders::Finish(BatchResult& result) {
  std::string near = out_.dir + "/manifest";
  TempFile csv, json;
  MQTTPKI_TRY(csv.Open(near));
  MQTTPKI_TRY(json.Open(near));
  MQTTPKI_TRY(store_.Begin());  // one read for all the lookups
  Status st = WriteManifestLines(fs_, store_, out_, csv.f);
  store_.Rollback();
  MQTTPKI_TRY(st);
  std::rewind(csv.f);
  MQTTPKI_TRY(CsvToJson(csv.f, json.f));
  // manifest.csv: the header, then the lines.
  std::rewind(csv.f);
  TempFile final_csv;
  MQTTPKI_TRY(final_csv.Open(near));
  std::fputs(kManifestHeader, final_csv.f);
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), csv.f)) > 0) std::fwrite(buf, 1, n, final_csv.f);
  MQTTPKI_TRY(final_csv.Place(fs_, out_.dir + "/manifest.csv"));
  MQTTPKI_TRY(json.Place(fs_, out_.dir + "/manifest.json"));
  MQTTPKI_TRY(fs_.Sync({out_.dir}));
  result.outputs.push_back(out_.dir + "/");
  result.outputs.push_back(out_.dir + "/manifest.csv");
  result.outputs.push_back(out_.dir + "/manifest.json");
  return Status::Ok();
}

}  // namespace

std::unique_ptr<DeviceSink> ArchiveSink(const PkiDir& pki, Store& store, const DeviceOutput& out,
                                        const std::string& archive, std::string not_after, int64_t now) {
  return std::make_unique<Archive>(pki, store, out, archive, std::move(not_after), now);
}

std::unique_ptr<DeviceSink> FolderSink(const PkiDir& pki, Store& store, const DeviceOutput& out, int64_t now) {
  return std::make_unique<Folders>(pki, store, out, now);
}

}  // namespace mqttpki

// RunDeviceBatch: the batch pipeline of fleet.h (its sources are in device_source.cc).
//
// The main thread reads the source and hands chunks of devices to the workers (one per core); each worker issues
// its chunk and encodes its output (tar blocks, or the files of OUT/.partial-ID/ folders). The main thread then
// commits the chunks in order:
//   archive:  append the chunk to FILE.tar.partial, fdatasync, then commit its inventory rows. A rerun truncates
//             the archive after the last device the inventory has (at most the chunk in flight is lost).
//   files:    insert the rows (uncommitted), write the inventory journal, sync the device files, rename each
//             OUT/.partial-ID to OUT/ID (a device appears whole or not at all), commit the rows. A crash after the
//             renames leaves the journal, which the next command applies (inventory.h).
// At most 2 chunks per worker are in flight, so memory does not grow with the batch.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <algorithm>
#include <deque>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "mqttpki/deploy.h"
#include "mqttpki/fleet.h"
#include "mqttpki/issuer.h"
#include "pki/internal.h"
#include "pki/tar.h"

namespace mqttpki {

namespace {

// ArchiveWriter appends to the partial archive, at the end of what it holds.
//
// Where the file system allows it the bytes go to the disk with O_DIRECT, from the chunk's buffer by DMA: copying
// 5 KB a device into the page cache costs a sixth as much as the device's cryptography on a virtual machine (a
// buffered write of fresh pages runs at ~400 MB/s there, a direct one at the disk's ~2 GB/s), and a batch never
// reads its archive back. O_DIRECT wants the memory, the offset and the length aligned: a chunk is whole tar
// blocks in a tar::Buffer, and the file system says (statx) which alignment it needs. Whatever is not aligned so
// (the manifests at the end), or where O_DIRECT is refused, goes through the page cache. Sync makes everything
// appended so far durable either way.
class ArchiveWriter {
 public:
  ArchiveWriter() = default;
  ArchiveWriter(const ArchiveWriter&) = delete;
  ArchiveWriter& operator=(const ArchiveWriter&) = delete;
  ~ArchiveWriter() { Close(); }

  // Open starts appending at |end| of the archive |fd| (opened read-write; the writer does not own it).
  void Open(int fd, const std::string& path, uint64_t end) {
    fd_ = fd;
    path_ = path;
    end_ = end;
#ifdef STATX_DIOALIGN
    struct statx sx = {};
    if (::statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &sx) == 0 && (sx.stx_mask & STATX_DIOALIGN) != 0 &&
        sx.stx_dio_offset_align != 0 && tar::kBlock % sx.stx_dio_offset_align == 0 && sx.stx_dio_mem_align != 0 &&
        tar::Buffer::kAlign % sx.stx_dio_mem_align == 0) {
      // The same open file, again, with O_DIRECT (reopened through /proc: not whatever the path names now).
      std::string self = "/proc/self/fd/" + std::to_string(fd);
      direct_fd_ = ::open(self.c_str(), O_WRONLY | O_DIRECT | O_CLOEXEC);
      align_ = sx.stx_dio_offset_align;
    }
#endif
  }
  void Close() {
    if (direct_fd_ >= 0) ::close(direct_fd_);
    direct_fd_ = -1;
  }

  Status Append(std::string_view data) {
    bool aligned = reinterpret_cast<uintptr_t>(data.data()) % tar::Buffer::kAlign == 0 && end_ % align_ == 0 &&
                   data.size() % align_ == 0;
    if (direct_fd_ >= 0 && aligned) {
      while (!data.empty()) {
        ssize_t n = ::pwrite(direct_fd_, data.data(), data.size(), static_cast<off_t>(end_));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EINVAL) {
          Close();  // direct writes refused after all: through the page cache from now on
          break;
        }
        if (n < 0) return IoError("write", path_, errno);
        end_ += static_cast<uint64_t>(n);
        data.remove_prefix(static_cast<size_t>(n));
        if (n == 0 || static_cast<size_t>(n) % align_ != 0) break;  // short: the rest through the page cache
      }
    }
    while (!data.empty()) {
      ssize_t n = ::pwrite(fd_, data.data(), data.size(), static_cast<off_t>(end_));
      if (n < 0) {
        if (errno == EINTR) continue;
        return IoError("write", path_, errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
      end_ += static_cast<uint64_t>(n);
    }
    return Status::Ok();
  }

  Status Sync() {
    if (::fdatasync(fd_) != 0) return IoError("sync", path_, errno);
    return Status::Ok();
  }

 private:
  int fd_ = -1;
  int direct_fd_ = -1;
  size_t align_ = tar::kBlock;
  std::string path_;
  uint64_t end_ = 0;
};

// ---- the batch ----

struct Chunk {
  uint64_t seq = 0;
  std::vector<DeviceSpec> specs;
  // results
  Status status;
  std::vector<CertRecord> records;
  tar::Buffer tar;                  // archive mode
  std::vector<std::string> files;   // files mode: every file written (to sync)
  std::string manifest;             // archive mode: the chunk's manifest lines
  uint64_t oversize = 0;
  size_t largest = 0;

  // Reset empties the chunk for the next one and keeps the memory.
  void Reset() {
    specs.clear();
    status = Status::Ok();
    records.clear();
    tar.clear();
    files.clear();
    manifest.clear();
    oversize = 0;
    largest = 0;
  }
};

// Output knows where devices go and how their files are named.
struct Output {
  bool archive = false;
  std::string dir;          // files mode: OUT, as given (for writing)
  std::string dir_ref;      // files mode: OUT as the inventory names it
  std::string archive_rel;  // archive mode: the archive as the inventory names it
  bool der = false, c_header = false;
  int64_t mtime = 0;

  // Ref is how the inventory names device |id|'s file ID|suffix|: ARCHIVE:ID/ID.x, or OUT/ID/ID.x.
  std::string Ref(const std::string& id, const char* suffix) const {
    const std::string& where = archive ? archive_rel : dir_ref;
    std::string ref;
    ref.reserve(where.size() + 2 * id.size() + 16);
    ref.append(where).append(archive ? ":" : "/").append(id).append("/").append(id).append(suffix);
    return ref;
  }
  std::string CertRef(const std::string& id) const { return Ref(id, ".cert.pem"); }
};

constexpr const char* kManifestHeader = "id,serial,sha256,not_after\n";

// AppendManifestLine appends a device's line of manifest.csv; |not_after| is FormatTimeIso(r.not_after).
void AppendManifestLine(std::string& out, const CertRecord& r, std::string_view not_after) {
  out.append(r.name).append(",").append(r.serial).append(",").append(r.sha256).append(",");
  out.append(not_after).append("\n");
}

std::string DeviceHeader(const DeviceCert& d, const std::string& chain_pem) {
  std::vector<std::string> comment = {
      "Generated by mqttpki: the identity of device '" + d.id + "'.",
      "Serial " + d.record.serial + ", SHA-256 " + d.record.sha256 + ",",
      "valid until " + FormatTime(d.record.not_after) + ".",
      "mbedTLS / ESP-IDF: mbedtls_x509_crt_parse(&crt, (const unsigned char *)mqttpki_device_chain_pem,",
      "  mqttpki_device_chain_pem_len);"};
  std::vector<CString> strings = {{"mqttpki_device_id", d.id, false}, {"mqttpki_device_chain_pem", chain_pem}};
  if (!d.key_pem.empty()) {
    comment.push_back(
        "mbedtls_pk_parse_key(&pk, (const unsigned char *)mqttpki_device_key_pem, mqttpki_device_key_pem_len,");
    comment.push_back("  NULL, 0, ...). This file holds a private key.");
    strings.push_back({"mqttpki_device_key_pem", d.key_pem.str()});
  } else {
    comment.push_back("The private key stays on the device, which made the CSR.");
  }
  comment.push_back("The lengths count the terminating NUL, as mbedTLS requires for PEM.");
  return CHeader(comment, "MQTTPKI_DEVICE_IDENTITY_H_", strings);
}

// DeviceFile is one of a device's files: the end of its name (after the id), content (in one or two pieces), mode.
struct DeviceFile {
  const char* suffix = "";
  std::string_view data;
  unsigned mode = 0;
  std::string_view more;
};

// EncodeChunk issues the devices of |c| with |w| and encodes their output.
void EncodeChunk(Chunk& c, DeviceIssuer::Worker& w, const DeviceIssuer& issuer, const Output& out,
                 int64_t now) {
  std::string header, path, chain;
  if (out.archive) c.tar.reserve(c.specs.size() * (out.der || out.c_header ? 9000 : 5120));
  // Every device of a batch ends on the same day (Issue clamps them all alike).
  const std::string not_after = FormatTimeIso(issuer.not_after());
  c.records.reserve(c.specs.size());
  c.manifest.reserve(c.specs.size() * 160);
  for (const DeviceSpec& spec : c.specs) {
    Result<DeviceCert> r = w.Issue(spec);
    if (!r.ok()) {
      c.status = r.error();
      return;
    }
    DeviceCert& d = *r;
    // The TLS 1.2 Certificate message: record and handshake headers, the list, each certificate with its length.
    size_t tls = 5 + 4 + 3 + 3 + d.cert_der.size() + issuer.chain_der_bytes() + 3 * issuer.chain_certs();
    c.largest = std::max(c.largest, tls);
    if (tls > kMaxDeviceChainBytes) ++c.oversize;
    const std::string& id = d.id;
    DeviceFile files[6];
    size_t n = 0;
    if (!d.key_pem.empty()) files[n++] = {".key.pem", d.key_pem.str(), 0400, {}};
    files[n++] = {".cert.pem", d.cert_pem, 0644, {}};
    if (out.der) {
      if (!d.key_der.empty()) files[n++] = {".key.der", d.key_der.str(), 0400, {}};
      files[n++] = {".cert.der", d.cert_der, 0644, {}};
    }
    // The chain: the device's certificate, then the CA chain (in an archive, written as the two pieces).
    if (!out.archive || out.c_header) chain = d.cert_pem + issuer.ca_chain_pem();
    if (out.c_header) {
      header = DeviceHeader(d, chain);
      files[n++] = {".h", header, d.key_pem.empty() ? 0644u : 0400u, {}};
    }
    // The chain is last: the mark of a complete device (ScanArchive).
    if (out.archive) {
      files[n++] = {".chain.pem", d.cert_pem, 0644, issuer.ca_chain_pem()};
    } else {
      files[n++] = {".chain.pem", chain, 0644, {}};
    }
    CertRecord& rec = c.records.emplace_back(std::move(d.record));
    rec.cert_path = out.CertRef(id);
    if (!d.key_pem.empty()) rec.key_path = out.Ref(id, ".key.pem");
    rec.chain_path = out.Ref(id, ".chain.pem");
    rec.recorded_at = now;
    if (out.archive) {
      for (size_t i = 0; i < n; ++i) {
        path.assign(id).append("/").append(id).append(files[i].suffix);
        if (!tar::AppendFile(c.tar, path, files[i].data, files[i].mode, out.mtime, files[i].more)) {
          c.status = MakeError(ErrorCode::kInternal, "the device id '" + id + "' is too long for a tar entry");
          return;
        }
      }
      AppendManifestLine(c.manifest, rec, not_after);
    } else {
      std::string dir = out.dir + "/.partial-" + id;
      if (::mkdir(dir.c_str(), 0700) != 0) {
        c.status = IoError("create", dir, errno);
        return;
      }
      c.files.push_back(dir);
      for (size_t i = 0; i < n; ++i) {
        path.assign(dir).append("/").append(id).append(files[i].suffix);
        if (Status st = RealFileSystem().WriteNewFile(path, files[i].data, files[i].mode); !st.ok()) {
          c.status = st;
          return;
        }
        c.files.push_back(path);
      }
    }
  }
}

// RemoveTree deletes a .partial- folder left by an interrupted batch.
void RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

// ScanArchive finds where a partial archive's complete, recorded devices end: the offset after the last device
// (in order) whose id the inventory records at this archive, and how many devices that is. A device's chain is
// its last entry, so a device is complete when its chain is.
Result<uint64_t> ScanArchive(int fd, const std::string& path, Store& store, const Output& out, uint64_t& kept) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return IoError("stat", path, errno);
  uint64_t size = static_cast<uint64_t>(st.st_size);
  uint64_t offset = 0, good = 0;
  kept = 0;
  std::string block(tar::kBlock, '\0');
  while (offset + tar::kBlock <= size) {
    ssize_t n = ::pread(fd, block.data(), tar::kBlock, static_cast<off_t>(offset));
    if (n < 0) return IoError("read", path, errno);
    tar::Entry e;
    if (static_cast<size_t>(n) < tar::kBlock || !tar::ParseHeader(block, e)) break;
    offset += tar::kBlock + tar::PaddedSize(e.size);
    if (offset > size) break;
    std::string id = e.path.substr(0, e.path.find('/'));
    if (e.path != id + "/" + id + ".chain.pem") continue;
    Result<std::optional<CertRecord>> r = store.Current(id);
    if (!r.ok()) return r.error();
    if (!r->has_value() || (*r)->cert_path != out.CertRef(id)) break;
    good = offset;
    ++kept;
  }
  return good;
}

// CsvToJson streams manifest lines (no header) from |csv| into |json| as an array of objects.
Status CsvToJson(std::FILE* csv, std::FILE* json) {
  char line[512];
  bool first = true;
  std::fputs("[", json);
  while (std::fgets(line, sizeof(line), csv) != nullptr) {
    std::string_view l(line);
    if (!l.empty() && l.back() == '\n') l.remove_suffix(1);
    std::string_view f[4];
    for (int i = 0; i < 3; ++i) {
      size_t comma = l.find(',');
      if (comma == std::string_view::npos) return MakeError(ErrorCode::kIo, "the manifest is damaged");
      f[i] = l.substr(0, comma);
      l.remove_prefix(comma + 1);
    }
    f[3] = l;
    std::string obj = first ? "\n  {\"id\": \"" : ",\n  {\"id\": \"";
    obj.append(f[0]).append("\", \"serial\": \"").append(f[1]).append("\", \"sha256\": \"").append(f[2]);
    obj.append("\", \"not_after\": \"").append(f[3]).append("\"}");
    std::fwrite(obj.data(), 1, obj.size(), json);
    first = false;
  }
  std::fputs(first ? "]\n" : "\n]\n", json);
  if (std::ferror(csv) || std::ferror(json)) return MakeError(ErrorCode::kIo, "cannot write the manifest");
  return Status::Ok();
}

// WriteManifestLines writes the line of every device folder in OUT whose current certificate is the one there
// (earlier batches into the same folder included), in id order.
Status WriteManifestLines(Store& store, const Output& out, std::FILE* csv) {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(out.dir, ec)) {
    std::string id = entry.path().filename().string();
    if (entry.is_directory(ec) && ValidateDeviceId(id).ok()) ids.push_back(id);
  }
  if (ec) return MakeError(ErrorCode::kIo, "cannot list " + out.dir + ": " + ec.message());
  std::sort(ids.begin(), ids.end());
  for (const std::string& id : ids) {
    MQTTPKI_ASSIGN_OR_RETURN(std::optional<CertRecord> r, store.Current(id));
    if (!r || r->cert_path != out.CertRef(id)) continue;
    std::string line;
    AppendManifestLine(line, *r, FormatTimeIso(r->not_after));
    std::fputs(line.c_str(), csv);
  }
  if (std::ferror(csv)) return MakeError(ErrorCode::kIo, "cannot write the manifest");
  return Status::Ok();
}

// BatchLock is held for a whole batch: two batches in one PKI at the same time would both see an id as not yet
// issued, and the folders and archives they write would collide. The second waits for the first.
class BatchLock {
 public:
  ~BatchLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  Status Acquire(const PkiDir& pki) {
    // The lock is on the PKI directory itself: a failed batch leaves no lock file behind.
    const std::string& path = pki.root();
    fd_ = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_ < 0) return IoError("open", path, errno);
    if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return Status::Ok();
    if (errno != EWOULDBLOCK) return IoError("lock", path, errno);
    std::fprintf(stderr, "mqttpki: another device batch is running in %s; waiting for it to finish\n",
                 pki.root().c_str());
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) return IoError("lock", path, errno);
    }
    return Status::Ok();
  }

 private:
  int fd_ = -1;
};

// TempFile is an unlinked-on-destruction stdio file next to |near|.
struct TempFile {
  std::string path;
  std::FILE* f = nullptr;
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
  Status Place(const std::string& to) {
    if (std::fflush(f) != 0 || ::fsync(fileno(f)) != 0) return IoError("write", path, errno);
    if (::rename(path.c_str(), to.c_str()) != 0) return IoError("rename", path, errno);
    path.clear();
    return Status::Ok();
  }
};

}  // namespace

Result<BatchResult> RunDeviceBatch(const PkiDir& pki, const CaMaterial& ca, const DeviceIssuer::Options& issue,
                                   DeviceSource& source, const BatchOptions& options, int64_t now,
                                   const std::atomic<bool>* stop,
                                   const std::function<void(const BatchProgress&)>& progress) {
  auto started = std::chrono::steady_clock::now();
  BatchResult result;
  if (options.archive.empty() == options.out_dir.empty()) {
    return MakeError(ErrorCode::kInternal, "RunDeviceBatch: one of out_dir and archive");
  }
  Output out;
  out.archive = !options.archive.empty();
  out.dir = options.out_dir;
  if (!options.archive.empty()) out.archive_rel = pki.Relative(options.archive);
  if (!options.out_dir.empty()) out.dir_ref = pki.Relative(options.out_dir);
  out.der = options.der;
  out.c_header = options.c_header;
  out.mtime = now;
  if (out.archive && options.archive.size() > 4 &&
      options.archive.compare(options.archive.size() - 4, 4, ".tar") != 0) {
    return MakeError(ErrorCode::kUsage, "--archive names a .tar file, not '" + options.archive + "'");
  }
  MQTTPKI_ASSIGN_OR_RETURN(std::unique_ptr<DeviceIssuer> issuer, DeviceIssuer::Create(ca, issue, result.warnings));

  BatchLock batch_lock;
  MQTTPKI_TRY(batch_lock.Acquire(pki));
  MQTTPKI_ASSIGN_OR_RETURN(std::unique_ptr<Inventory> inv, Inventory::Open(pki, true, now));
  Store& store = inv->store();

  // Pass 1: check every device before anything is written, and count what there is to do.
  // Each id is looked up once (by name, indexed): a CA's or a server's name is refused, and an id that has a
  // valid certificate from this CA (an earlier run of the batch) is skipped. Pass 1 notes the answer for every
  // device, in source order, in |done_bits| for pass 2.
  std::vector<bool> done_bits;
  uint64_t in_this_archive = 0;  // finished devices the inventory records at options.archive
  auto check = [&](const std::string& id) -> Result<bool> {
    MQTTPKI_ASSIGN_OR_RETURN(std::vector<CertRecord> records, store.ByName(id));
    bool finished = false, here = false;
    for (const CertRecord& r : records) {
      if (r.profile != "client") {
        std::string where = source.Where();
        return MakeError(ErrorCode::kInput, (where.empty() ? "" : where + ": ") + "'" + id + "' is the name of " +
                                                (r.profile == "server" ? "a server" : "a CA") +
                                                " in this PKI; a device needs another id");
      }
      if (r.ca == ca.name && r.status == CertStatus::kValid) {
        finished = true;
        here = here || (out.archive && r.cert_path == out.CertRef(id));
      }
    }
    if (here) ++in_this_archive;
    return finished;
  };
  std::vector<uint64_t> hashes;
  uint64_t todo = 0;
  {
    MQTTPKI_TRY(source.Rewind());
    DeviceSpec spec;
    // One read of the inventory for the whole pass, not one per device.
    MQTTPKI_TRY(store.Begin());
    struct EndRead {
      Store& s;
      ~EndRead() { s.Rollback(); }
    } end_read{store};
    while (true) {
      MQTTPKI_ASSIGN_OR_RETURN(bool more, source.Next(spec));
      if (!more) break;
      ++result.total;
      if (source.MayRepeat()) hashes.push_back(std::hash<std::string>{}(spec.id));
      MQTTPKI_ASSIGN_OR_RETURN(bool finished, check(spec.id));
      done_bits.push_back(finished);
      if (finished) {
        ++result.skipped;
        continue;
      }
      ++todo;
      if (!out.archive) {
        std::string dir = out.dir + "/" + spec.id;
        struct stat st;
        if (::lstat(dir.c_str(), &st) == 0) {
          return MakeError(ErrorCode::kExists, dir + " exists, from an earlier certificate of '" + spec.id +
                                                   "' that is no longer valid: move it away first");
        }
      }
    }
    if (result.total == 0) return MakeError(ErrorCode::kInput, "no devices to issue: the list is empty");
    std::sort(hashes.begin(), hashes.end());
    if (std::adjacent_find(hashes.begin(), hashes.end()) != hashes.end()) {
      // Name the duplicate (a second pass, only when there is one).
      std::unordered_map<uint64_t, std::string> first;
      for (size_t i = 1; i < hashes.size(); ++i) {
        if (hashes[i] == hashes[i - 1]) first[hashes[i]];
      }
      MQTTPKI_TRY(source.Rewind());
      while (true) {
        MQTTPKI_ASSIGN_OR_RETURN(bool more, source.Next(spec));
        if (!more) break;
        auto it = first.find(std::hash<std::string>{}(spec.id));
        if (it == first.end()) continue;
        if (it->second == spec.id) {
          std::string where = source.Where();
          return MakeError(ErrorCode::kInput, (where.empty() ? "" : where + ": ") + "device '" + spec.id +
                                                  "' is listed twice");
        }
        if (it->second.empty()) it->second = spec.id;
      }
    }
    hashes = {};
  }

  // The output.
  std::string partial = options.archive + ".partial";
  std::string sidecar = options.archive + ".partial-manifest";
  int archive_fd = -1;
  ArchiveWriter writer;
  std::FILE* manifest = nullptr;
  auto close_archive = [&archive_fd, &manifest, &writer]() {
    writer.Close();
    if (archive_fd >= 0) ::close(archive_fd);
    archive_fd = -1;
    if (manifest != nullptr) std::fclose(manifest);
    manifest = nullptr;
  };
  struct Closer {
    std::function<void()> f;
    ~Closer() { f(); }
  } closer{close_archive};
  if (out.archive) {
    struct stat st;
    bool final_exists = ::stat(options.archive.c_str(), &st) == 0;
    // Manifest temporaries of a killed run (the batch lock says no other run is using them).
    std::string dir = std::filesystem::path(partial).parent_path().string();
    std::string prefix = std::filesystem::path(partial).filename().string() + ".tmp-";
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir.empty() ? "." : dir, ec)) {
      if (entry.path().filename().string().rfind(prefix, 0) == 0) ::unlink(entry.path().c_str());
    }
    if (final_exists) {
      ::unlink(sidecar.c_str());  // a run killed between the final rename and this removal
      if (todo == 0) {
        result.outputs.push_back(options.archive);
        result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        return result;  // a finished batch, run again: nothing to do
      }
      return MakeError(ErrorCode::kExists, options.archive + " exists: choose another --archive for new devices");
    }
    // A partial archive left read-only (0400, by an earlier version of this tool) is made writable again: it is
    // ours, and only its owner could read it either way.
    struct stat pst;
    if (::lstat(partial.c_str(), &pst) == 0 && S_ISREG(pst.st_mode) && pst.st_uid == ::geteuid() &&
        (pst.st_mode & S_IWUSR) == 0) {
      ::chmod(partial.c_str(), 0600);
    }
    bool partial_existed = ::lstat(partial.c_str(), &pst) == 0;
    archive_fd = ::open(partial.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (archive_fd < 0) return IoError("create", partial, errno);
    uint64_t kept = 0;
    MQTTPKI_ASSIGN_OR_RETURN(uint64_t end, ScanArchive(archive_fd, partial, store, out, kept));
    result.resumed = kept;
    // Devices of this batch that the inventory puts in this archive, but that neither the archive nor its partial
    // holds: the archive was moved or deleted after the batch, or the partial was deleted or damaged. Skipping
    // them would make an archive without them, so nothing is written, and the message says what happened.
    if (in_this_archive > kept) {
      close_archive();
      if (!partial_existed) ::unlink(partial.c_str());
      std::string where = partial_existed ? partial + " does not hold them" : "neither it nor " + partial + " exists";
      return MakeError(ErrorCode::kInput,
                       std::to_string(in_this_archive - kept) + " device(s) of this batch are recorded in the " +
                           "inventory at " + options.archive + ", but " + where +
                           ": nothing was written. If the archive was moved, this batch is done; if it was lost, so "
                           "were those devices' keys: revoke them ('mqttpki revoke ID') and issue new ids, or give "
                           "another --archive for the devices not yet issued.");
    }
    // The archive is synced before each chunk's rows are committed, and a resume keeps only what the inventory
    // records: a commit lost to a power cut costs that chunk, nothing else. So commits need not wait for the
    // disk; the inventory is made durable (Checkpoint) before the archive gets its final name.
    MQTTPKI_TRY(store.SetDeferredSync(true));
    if (::ftruncate(archive_fd, static_cast<off_t>(end)) != 0) return IoError("truncate", partial, errno);
    writer.Open(archive_fd, partial, end);
    // The manifest lines of the devices in the archive so far: one per kept device (the lines of a chunk are
    // synced with the chunk, before its rows are committed).
    int fd = ::open(sidecar.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 || (manifest = ::fdopen(fd, "r+")) == nullptr) return IoError("create", sidecar, errno);
    char line[512];
    uint64_t lines = 0;
    while (lines < kept && std::fgets(line, sizeof(line), manifest) != nullptr) ++lines;
    if (lines < kept) return MakeError(ErrorCode::kIo, sidecar + " lacks devices that " + partial + " holds");
    long at = std::ftell(manifest);
    if (at < 0 || ::ftruncate(fd, at) != 0 || std::fseek(manifest, at, SEEK_SET) != 0) {
      return IoError("truncate", sidecar, errno);
    }
  } else {
    std::error_code ec;
    std::filesystem::create_directories(out.dir, ec);
    if (ec) return MakeError(ErrorCode::kIo, "cannot create " + out.dir + ": " + ec.message());
    ::chmod(out.dir.c_str(), 0700);
    // Folders of devices that an interrupted run had not finished, and its manifest temporaries.
    for (const auto& entry : std::filesystem::directory_iterator(out.dir, ec)) {
      std::string name = entry.path().filename().string();
      if (name.rfind(".partial-", 0) == 0) RemoveTree(entry.path().string());
      if (name.rfind("manifest.tmp-", 0) == 0) ::unlink(entry.path().c_str());
    }
  }

  // Pass 2: issue.
  unsigned jobs = options.jobs != 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  size_t chunk_size = options.chunk != 0 ? options.chunk : out.archive ? 1024 : 256;
  chunk_size = std::min<size_t>(chunk_size, std::max<uint64_t>(1, (todo + jobs - 1) / jobs));
  MQTTPKI_TRY(source.Rewind());

  std::mutex mu;
  std::condition_variable work_cv, done_cv;
  std::deque<Chunk*> work;
  std::map<uint64_t, std::unique_ptr<Chunk>> finished;
  bool closing = false;
  std::vector<std::unique_ptr<DeviceIssuer::Worker>> workers;
  for (unsigned i = 0; i < jobs; ++i) {
    MQTTPKI_ASSIGN_OR_RETURN(auto w, issuer->NewWorker());
    workers.push_back(std::move(w));
  }
  std::vector<std::thread> threads;
  auto stop_threads = [&]() {
    {
      std::lock_guard<std::mutex> lock(mu);
      closing = true;
    }
    work_cv.notify_all();
    for (std::thread& t : threads) t.join();
    threads.clear();
  };
  struct Joiner {
    std::function<void()> f;
    ~Joiner() { f(); }
  } joiner{stop_threads};
  std::map<uint64_t, std::unique_ptr<Chunk>> in_flight_owned;
  if (jobs > 1) {
    for (unsigned i = 0; i < jobs; ++i) {
      threads.emplace_back([&, i]() {
        while (true) {
          Chunk* c = nullptr;
          {
            std::unique_lock<std::mutex> lock(mu);
            work_cv.wait(lock, [&]() { return closing || !work.empty(); });
            if (work.empty()) return;
            c = work.front();
            work.pop_front();
          }
          EncodeChunk(*c, *workers[i], *issuer, out, now);
          {
            std::lock_guard<std::mutex> lock(mu);
            finished[c->seq] = std::move(in_flight_owned[c->seq]);
            in_flight_owned.erase(c->seq);
          }
          done_cv.notify_all();
        }
      });
    }
  }

  // In an archive, a chunk is committed in two steps, so that the disk takes one chunk while the next is being
  // issued: a thread that does nothing but wait on the disk appends the chunk and its manifest lines and syncs
  // both (|writing|); Record then commits the chunk's inventory rows, once that is done.
  std::unique_ptr<Chunk> written;  // the chunk being written
  std::future<Status> writing;
  std::vector<std::unique_ptr<Chunk>> spare;  // recorded chunks, emptied for reuse (their buffers keep their size)
  auto write_chunk = [&writer, &manifest, &sidecar](const Chunk& c) -> Status {
    MQTTPKI_TRY(writer.Append(c.tar.view()));
    if (std::fwrite(c.manifest.data(), 1, c.manifest.size(), manifest) != c.manifest.size() ||
        std::fflush(manifest) != 0) {
      return IoError("write", sidecar, errno);
    }
    MQTTPKI_TRY(writer.Sync());
    if (::fdatasync(fileno(manifest)) != 0) return IoError("sync", sidecar, errno);
    return Status::Ok();
  };
  auto record = [&]() -> Status {
    if (written == nullptr) return Status::Ok();
    std::unique_ptr<Chunk> c = std::move(written);
    MQTTPKI_TRY(writing.get());
    MQTTPKI_TRY(store.Begin());
    if (Status st = store.InsertMany(c->records); !st.ok()) {
      store.Rollback();
      return st;
    }
    MQTTPKI_TRY(store.Commit());
    result.issued += c->records.size();
    c->Reset();
    spare.push_back(std::move(c));
    return Status::Ok();
  };

  // Commit writes one finished chunk (see the top of this file).
  auto commit = [&](std::unique_ptr<Chunk>& chunk) -> Status {
    Chunk& c = *chunk;
    if (!c.status.ok()) return c.status;
    result.oversize += c.oversize;
    result.largest_chain = std::max(result.largest_chain, c.largest);
    if (out.archive) {
      MQTTPKI_TRY(record());
      written = std::move(chunk);
      try {
        writing = std::async(std::launch::async, write_chunk, std::cref(*written));
      } catch (const std::system_error&) {  // no thread to be had: write it here
        std::promise<Status> done;
        done.set_value(write_chunk(*written));
        writing = done.get_future();
      }
      return Status::Ok();
    }
    InventoryChange change;
    change.inserts = std::move(c.records);
    MQTTPKI_TRY(store.Begin());
    auto abort = [&](const Error& e) {
      store.Rollback();
      for (const CertRecord& r : change.inserts) RemoveTree(out.dir + "/.partial-" + r.name);
      return e;
    };
    if (Status st = store.InsertMany(change.inserts); !st.ok()) return abort(st.error());
    FileTransaction journal_tx(pki.fs(), false);
    journal_tx.SetCommitLog(pki.Path(kPendingDir));  // one file: only so that killed commits are recovered first
    Result<std::string> journal = StageJournal(pki, journal_tx, change, now);
    if (!journal.ok()) return abort(journal.error());
    if (Status st = journal_tx.Commit(); !st.ok()) return abort(st.error());
    if (Status st = pki.fs().Sync(c.files); !st.ok()) return abort(st.error());
    for (const CertRecord& r : change.inserts) {
      std::string from = out.dir + "/.partial-" + r.name, to = out.dir + "/" + r.name;
      if (Status st = pki.fs().Rename(from, to, false); !st.ok()) {
        // The devices renamed so far are complete; the journal records them at the next command.
        store.Rollback();
        for (const CertRecord& rest : change.inserts) RemoveTree(out.dir + "/.partial-" + rest.name);
        return st;
      }
    }
    MQTTPKI_TRY(pki.fs().Sync({out.dir}));
    if (Status st = store.Commit(); !st.ok()) {
      return st.error().Context("the devices were written, but the inventory could not be updated (the next "
                                "command will record them)");
    }
    (void)pki.fs().Unlink(*journal);
    result.issued += change.inserts.size();
    return Status::Ok();
  };

  uint64_t next_seq = 0, committed_seq = 0;
  size_t in_flight = 0;
  bool source_done = false;
  Status failure;
  auto report = [&]() {
    if (!progress) return;
    BatchProgress p;
    p.done = result.issued;
    p.todo = todo;
    p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    progress(p);
  };
  // Fill makes the next chunk from the source (false: nothing more).
  uint64_t ordinal = 0;
  auto fill = [&](Chunk& c) -> Result<bool> {
    DeviceSpec spec;
    while (c.specs.size() < chunk_size) {
      MQTTPKI_ASSIGN_OR_RETURN(bool more, source.Next(spec));
      if (!more) break;
      bool finished_id = ordinal < done_bits.size() && done_bits[ordinal];
      spec.ordinal = ordinal++;
      if (!finished_id) c.specs.push_back(std::move(spec));
    }
    return !c.specs.empty();
  };
  size_t max_in_flight = 2 * static_cast<size_t>(jobs);
  while (true) {
    bool stopping = stop != nullptr && stop->load();
    while (failure.ok() && !stopping && !source_done && in_flight < max_in_flight) {
      std::unique_ptr<Chunk> c;
      if (spare.empty()) {
        c = std::make_unique<Chunk>();
      } else {
        c = std::move(spare.back());
        spare.pop_back();
      }
      c->seq = next_seq;
      Result<bool> got = fill(*c);
      if (!got.ok()) {
        failure = got.error();
        break;
      }
      if (!*got) {
        source_done = true;
        break;
      }
      ++next_seq;
      ++in_flight;
      if (jobs == 1) {
        EncodeChunk(*c, *workers[0], *issuer, out, now);
        finished[c->seq] = std::move(c);
        break;  // commit it before making the next: one thread does everything in turn
      }
      std::lock_guard<std::mutex> lock(mu);
      work.push_back(c.get());
      in_flight_owned[c->seq] = std::move(c);
      work_cv.notify_one();
    }
    if (in_flight == 0) break;
    std::unique_ptr<Chunk> c;
    {
      std::unique_lock<std::mutex> lock(mu);
      done_cv.wait(lock, [&]() { return finished.count(committed_seq) != 0; });
      c = std::move(finished[committed_seq]);
      finished.erase(committed_seq);
    }
    ++committed_seq;
    --in_flight;
    if (failure.ok()) {
      if (Status st = commit(c); !st.ok()) failure = st;
    } else if (!out.archive) {
      for (const DeviceSpec& s : c->specs) RemoveTree(out.dir + "/.partial-" + s.id);
    }
    report();
  }
  // The last chunk's rows (after a failure too: what was written whole is recorded).
  if (Status st = record(); !st.ok() && failure.ok()) failure = st;
  report();
  stop_threads();
  if (!failure.ok()) return failure.error();
  result.interrupted = stop != nullptr && stop->load() && result.issued < todo;

  // The manifest, once the batch is complete.
  if (!result.interrupted) {
    TempFile csv, json;
    std::string near = out.archive ? partial : out.dir + "/manifest";
    MQTTPKI_TRY(csv.Open(near));
    MQTTPKI_TRY(json.Open(near));
    std::FILE* lines = manifest;
    if (!out.archive) {
      MQTTPKI_TRY(store.Begin());  // one read for all the lookups
      Status st = WriteManifestLines(store, out, csv.f);
      store.Rollback();
      MQTTPKI_TRY(st);
      lines = csv.f;
    }
    std::rewind(lines);
    MQTTPKI_TRY(CsvToJson(lines, json.f));
    if (out.archive) {
      tar::Buffer tail;
      for (std::FILE* f : {manifest, json.f}) {
        std::fflush(f);
        std::fseek(f, 0, SEEK_END);
        long size = std::ftell(f);
        std::rewind(f);
        bool is_csv = f == manifest;
        uint64_t total = static_cast<uint64_t>(size) + (is_csv ? strlen(kManifestHeader) : 0);
        tar::AppendHeader(tail, is_csv ? "manifest.csv" : "manifest.json", total, 0644, now, false);
        if (is_csv) tail.append(kManifestHeader);
        char buf[1 << 16];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) {
          tail.append(std::string_view(buf, n));
          if (tail.size() > (1 << 20)) {
            MQTTPKI_TRY(writer.Append(tail.view()));
            tail.clear();
          }
        }
        if (std::ferror(f)) return MakeError(ErrorCode::kIo, "cannot read back the manifest");
        tar::AppendPadding(tail, total);
      }
      tar::AppendEnd(tail);
      MQTTPKI_TRY(writer.Append(tail.view()));
      writer.Close();
      if (::fsync(archive_fd) != 0) return IoError("sync", partial, errno);
      MQTTPKI_TRY(store.Checkpoint());
      close_archive();
      MQTTPKI_TRY(pki.fs().Rename(partial, options.archive, false));
      // 0400 once it is complete (0600 until then, so that a rerun can resume it).
      if (::chmod(options.archive.c_str(), 0400) != 0) return IoError("chmod", options.archive, errno);
      std::string parent = std::filesystem::path(options.archive).parent_path().string();
      MQTTPKI_TRY(pki.fs().Sync({parent.empty() ? "." : parent}));
      ::unlink(sidecar.c_str());
      result.outputs.push_back(options.archive);
    } else {
      // manifest.csv: the header, then the lines.
      std::rewind(csv.f);
      TempFile final_csv;
      MQTTPKI_TRY(final_csv.Open(near));
      std::fputs(kManifestHeader, final_csv.f);
      char buf[1 << 16];
      size_t n;
      while ((n = std::fread(buf, 1, sizeof(buf), csv.f)) > 0) std::fwrite(buf, 1, n, final_csv.f);
      MQTTPKI_TRY(final_csv.Place(out.dir + "/manifest.csv"));
      MQTTPKI_TRY(json.Place(out.dir + "/manifest.json"));
      MQTTPKI_TRY(pki.fs().Sync({out.dir}));
      result.outputs.push_back(out.dir + "/");
      result.outputs.push_back(out.dir + "/manifest.csv");
      result.outputs.push_back(out.dir + "/manifest.json");
    }
  } else if (out.archive) {
    result.outputs.push_back(partial);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace mqttpki

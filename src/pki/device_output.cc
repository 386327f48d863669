#include "pki/device_output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <vector>

#include "mqttpki/fleet.h"
#include "pki/internal.h"

namespace mqttpki {

void ArchiveWriter::Open(int fd, const std::string& path, uint64_t end) {
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

void ArchiveWriter::Close() {
  if (direct_fd_ >= 0) ::close(direct_fd_);
  direct_fd_ = -1;
}

Status ArchiveWriter::Append(std::string_view data) {
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

Status ArchiveWriter::Sync() {
  if (::fdatasync(fd_) != 0) return IoError("sync", path_, errno);
  return Status::Ok();
}

void AppendManifestLine(std::string& out, const CertRecord& r, std::string_view not_after) {
  out.append(r.name).append(",").append(r.serial).append(",").append(r.sha256).append(",");
  out.append(not_after).append("\n");
}

// ScanArchive finds where a partial archive's complete, recorded devices end: the offset after the last device
// (in order) whose id the inventory records at this archive, and how many devices that is. A device's chain is
// its last entry, so a device is complete when its chain is.
Result<uint64_t> ScanArchive(int fd, const std::string& path, Store& store, const DeviceOutput& out,
                             uint64_t& kept) {
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
Status WriteManifestLines(FileSystem& fs, Store& store, const DeviceOutput& out, std::FILE* csv) {
  std::vector<std::string> ids;
  MQTTPKI_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, fs.ListDir(out.dir));
  for (DirEntry& e : entries) {
    if (e.is_dir && ValidateDeviceId(e.name).ok()) ids.push_back(std::move(e.name));
  }
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

}  // namespace mqttpki

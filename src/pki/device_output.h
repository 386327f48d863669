// The device batch's output (src/ops/device_batch.cc): where devices go and how their files are named, the archive it
// appends to, and the manifest it writes. Internal to the library.
#ifndef MQTTPKI_PKI_DEVICE_OUTPUT_H_
#define MQTTPKI_PKI_DEVICE_OUTPUT_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "mqttpki/fs.h"
#include "mqttpki/result.h"
#include "mqttpki/store.h"
#include "pki/tar.h"

namespace mqttpki {

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
  void Open(int fd, const std::string& path, uint64_t end);
  void Close();
  Status Append(std::string_view data);
  // Sync makes everything appended so far durable.
  Status Sync();

 private:
  int fd_ = -1;
  int direct_fd_ = -1;
  size_t align_ = tar::kBlock;
  std::string path_;
  uint64_t end_ = 0;
};

// DeviceOutput knows where devices go and how their files are named.
struct DeviceOutput {
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

inline constexpr const char* kManifestHeader = "id,serial,sha256,not_after\n";

// AppendManifestLine appends a device's line of manifest.csv; |not_after| is FormatTimeIso(r.not_after).
void AppendManifestLine(std::string& out, const CertRecord& r, std::string_view not_after);

// ScanArchive finds where a partial archive's complete, recorded devices end: the offset after the last device
// (in order) whose id the inventory records at this archive, and how many devices that is. A device's chain is
// its last entry, so a device is complete when its chain is.
Result<uint64_t> ScanArchive(int fd, const std::string& path, Store& store, const DeviceOutput& out,
                             uint64_t& kept);

// CsvToJson streams manifest lines (no header) from |csv| into |json| as an array of objects.
Status CsvToJson(std::FILE* csv, std::FILE* json);

// WriteManifestLines writes the line of every device folder in OUT whose current certificate is the one there
// (earlier batches into the same folder included), in id order.
Status WriteManifestLines(FileSystem& fs, Store& store, const DeviceOutput& out, std::FILE* csv);

}  // namespace mqttpki

#endif  // MQTTPKI_PKI_DEVICE_OUTPUT_H_

// The device batch's sinks (device_batch.cc): where the devices of a chunk go, and how a chunk is made durable and
// recorded. One interface, two implementations: a tar archive and a folder per device. Internal to the library.
#ifndef MQTTPKI_OPS_DEVICE_SINK_H_
#define MQTTPKI_OPS_DEVICE_SINK_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mqttpki/device_batch.h"
#include "mqttpki/fleet.h"
#include "mqttpki/pki_dir.h"
#include "mqttpki/result.h"
#include "mqttpki/store.h"
#include "pki/device_output.h"
#include "pki/tar.h"

namespace mqttpki {

// Chunk is a run of devices that are issued together (by one worker) and committed together.
struct Chunk {
  uint64_t seq = 0;
  std::vector<DeviceSpec> specs;
  // results
  Status status;
  std::vector<CertRecord> records;
  tar::Buffer tar;                  // archive: the devices' tar entries
  std::vector<std::string> files;   // folders: every folder and file written (to sync)
  std::string manifest;             // archive: the chunk's manifest lines
  uint64_t oversize = 0;
  size_t largest = 0;

  // Reset empties the chunk for the next one and keeps the memory.
  void Reset();
};

// DeviceFile is one of a device's files: the end of its name (after the id), content (in one or two pieces: the
// second is appended to the first), mode.
struct DeviceFile {
  const char* suffix = "";
  std::string_view data;
  unsigned mode = 0;
  std::string_view more;
};

// BatchPlan is what the batch found before writing anything (pass 1).
struct BatchPlan {
  std::vector<bool> done;        // per device, in source order: it has a valid certificate from this CA already
  uint64_t todo = 0;             // devices to issue
  uint64_t in_this_archive = 0;  // finished devices that the inventory records in this batch's archive
};

// DeviceSink is where a batch's devices go. The batch calls Open once; Add from the workers, several at a time
// (Add touches only its chunk, and calls the FileSystem from those threads); Commit for each chunk, in order,
// from one thread; Discard for each chunk left uncommitted after a failure; Flush after the last Commit (even
// after a failure: what was written whole is recorded); and Finish once every device is issued. Interrupted
// replaces Finish when the batch was stopped.
class DeviceSink {
 public:
  virtual ~DeviceSink() = default;
  // Open makes the output ready for |plan|: it resumes what an interrupted run left, or removes it. False: the
  // batch was complete already (result.outputs says where it is).
  virtual Result<bool> Open(const BatchPlan& plan, BatchResult& result) = 0;
  // Add adds device |rec|'s files to |c| (|rec| as the inventory will record it).
  virtual Status Add(Chunk& c, const CertRecord& rec, const DeviceFile* files, size_t n) const = 0;
  // Commit makes the devices of |c| durable and records them (or starts to: Flush completes the last one).
  virtual Status Commit(std::unique_ptr<Chunk> c, BatchResult& result) = 0;
  virtual void Discard(const Chunk& c) = 0;
  virtual Status Flush(BatchResult& result) = 0;
  // Finish writes the manifest and gives the output its final name (result.outputs).
  virtual Status Finish(BatchResult& result) = 0;
  virtual void Interrupted(BatchResult& result) = 0;
  // Spare is a recorded chunk emptied for reuse (its buffers keep their size), or null.
  std::unique_ptr<Chunk> Spare();

 protected:
  void Recycle(std::unique_ptr<Chunk> c);

 private:
  std::vector<std::unique_ptr<Chunk>> spare_;
};

// ArchiveSink appends the devices to |archive|.partial (resumable) and names it |archive| when it is complete;
// |not_after| is FormatTimeIso of the batch's end of validity, for the manifest.
std::unique_ptr<DeviceSink> ArchiveSink(const PkiDir& pki, Store& store, const DeviceOutput& out,
                                        const std::string& archive, std::string not_after, int64_t now);
// FolderSink writes device ID to OUT/.partial-ID/ and renames it to OUT/ID once it is durable.
std::unique_ptr<DeviceSink> FolderSink(const PkiDir& pki, Store& store, const DeviceOutput& out, int64_t now);

}  // namespace mqttpki

#endif  // MQTTPKI_OPS_DEVICE_SINK_H_

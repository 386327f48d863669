// Device batches: every device of a DeviceSource (fleet.h) issued by one CA, in parts that the workers issue
// and one thread commits in order, into one tar archive or a folder per device, resumable after an interruption.
// An operation over the engine and the inventory (src/ops/device_batch.cc); ops::IssueDevices loads its CA.
#ifndef MQTTPKI_DEVICE_BATCH_H_
#define MQTTPKI_DEVICE_BATCH_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mqttpki/fleet.h"
#include "mqttpki/pki_dir.h"
#include "mqttpki/result.h"

namespace mqttpki {

struct BatchOptions {
  std::string ca_name = kDefaultDeviceCaName;
  std::string out_dir;  // per-device folders (OUT/ID/...) and OUT/manifest.{csv,json}
  std::string archive;  // or one tar: ID/... per device and manifest.{csv,json}
  bool der = false;       // also ID.key.der (and ID.cert.der)
  bool c_header = false;  // also ID.h
  unsigned jobs = 0;      // 0: every core
  size_t chunk = 0;       // devices per commit (0: 1024 in an archive, 256 as files)
  // on_wait, if set, is called when another batch is running in the same PKI: this one waits for it to end.
  std::function<void()> on_wait;
};

struct BatchProgress {
  uint64_t done = 0;    // devices issued in this run
  uint64_t todo = 0;    // devices this run has to issue
  double seconds = 0;
};

struct BatchResult {
  uint64_t total = 0;    // devices in the source
  uint64_t issued = 0;   // issued now
  uint64_t skipped = 0;  // already issued by an earlier run
  uint64_t resumed = 0;  // of those, kept from the interrupted run's archive
  uint64_t oversize = 0; // devices whose certificate + chain exceed kMaxDeviceChainBytes
  size_t largest_chain = 0;
  bool interrupted = false;
  double seconds = 0;
  std::vector<std::string> warnings;
  std::vector<std::string> outputs;  // what the user gets: the archive or the folder and manifests
};

// kMaxDeviceChainBytes is ESP-IDF's default mbedTLS output buffer: a device whose TLS Certificate message
// (its certificate and chain) is larger cannot connect with it.
inline constexpr size_t kMaxDeviceChainBytes = 4096;

// RunDeviceBatch issues every device of |source| that has no valid certificate from this CA yet, on
// options.jobs threads, committing |options.chunk| devices at a time: files (or archive bytes) first, made
// durable, then their inventory rows. |stop| (Ctrl-C) ends the batch after the chunks in flight; rerunning the
// same batch resumes it. |progress| is called after every chunk.
Result<BatchResult> RunDeviceBatch(const PkiDir& pki, const CaMaterial& ca, const DeviceIssuer::Options& issue,
                                   DeviceSource& source, const BatchOptions& options, int64_t now,
                                   const std::atomic<bool>* stop,
                                   const std::function<void(const BatchProgress&)>& progress);

}  // namespace mqttpki

#endif  // MQTTPKI_DEVICE_BATCH_H_

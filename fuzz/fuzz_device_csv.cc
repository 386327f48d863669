// A devices file (`device issue --from FILE`): every line through ParseDeviceCsvLine, the whole input through
// CsvSource as the command reads it, and the input's 512-byte blocks through the tar header parser that resumes
// an interrupted archive (FILE.tar.partial is read back from disk).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "fuzz_util.h"
#include "mqttpki/fleet.h"
#include "pki/tar.h"

using namespace mqttpki;

namespace {

// CheckSpec checks what fleet.h promises of an accepted device.
void CheckSpec(const DeviceSpec& spec) {
  fuzz::Require(ValidateDeviceId(spec.id).ok(), "an accepted device id is a valid one");
  for (char c : spec.id) fuzz::Require(c != '/' && c > 0x20, "a device id has no '/' or control byte");
  for (const SubjectAltName& san : spec.sans) {
    Result<SubjectAltName> again = ParseSan(san.ToString());
    fuzz::Require(again.ok() && *again == san, "a device SAN is a canonical --san value");
    fuzz::Require(san.value.rfind("*.", 0) != 0, "a device SAN is never a wildcard");
  }
}

std::string TempPath() {
  static std::string path = [] {
    char tmpl[] = "/tmp/fuzz_device_csv.XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd >= 0) close(fd);
    return std::string(tmpl);
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return -1;
  std::string_view text = fuzz::Text(data, size);
  DeviceSpec spec;
  bool first = true;
  for (size_t start = 0; start <= text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    Result<bool> r = ParseDeviceCsvLine(text.substr(start, end - start), first, spec);
    if (r.ok() && *r) CheckSpec(spec);
    first = false;
    start = end + 1;
  }

  // The file reader (line length limit, CR LF, getline) on one input in 16: writing the file dominates otherwise.
  std::string path = TempPath();
  std::FILE* f = (size & 15) == 0 ? std::fopen(path.c_str(), "wb") : nullptr;
  if (f != nullptr) {
    std::fwrite(data, 1, size, f);
    std::fclose(f);
    Result<std::unique_ptr<DeviceSource>> source = CsvSource(path);
    if (source.ok()) {
      for (int i = 0; i < 10000; ++i) {
        Result<bool> more = (*source)->Next(spec);
        if (!more.ok() || !*more) break;
        CheckSpec(spec);
      }
    }
  }

  for (size_t off = 0; off + tar::kBlock <= size; off += tar::kBlock) {
    tar::Entry e;
    if (tar::ParseHeader(text.substr(off, tar::kBlock), e)) {
      fuzz::Require(e.path.size() <= 100 + 1 + 155, "a tar path fits the header");
    }
  }
  return 0;
}

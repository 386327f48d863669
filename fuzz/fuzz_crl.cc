// CRLs from outside: what ReadCrl is given when the inventory reads a CA's CRL file back (a file anyone with
// access to the PKI directory can replace). Input: the file's bytes (PEM or DER).
#include <cstddef>
#include <cstdint>

#include "fuzz_util.h"
#include "mqttpki/crl.h"

using namespace mqttpki;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256 * 1024) return -1;
  Result<CrlInfo> info = ReadCrl(fuzz::Text(data, size), "fuzz.crl.pem");
  if (fuzz::Verbose()) {
    fuzz::Note(info.ok() ? info->issuer + ", number " + std::to_string(info->number) + ", " +
                               std::to_string(info->entries) + " entries"
                         : info.error().message);
  }
  if (info.ok()) {  // inspect and the inventory's journal replay print and compare these
    (void)FormatTime(info->this_update);
    (void)FormatTime(info->next_update);
  }
  fuzz::EndRun();
  return 0;
}

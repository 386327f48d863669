// Shared by the fuzz targets: fixed inputs (time, passphrase, a key), the accessor sweeps the CLI runs on a parsed
// object, and a deterministic random source so that a reproducer replays the same way.
#ifndef MQTTPKI_FUZZ_FUZZ_UTIL_H_
#define MQTTPKI_FUZZ_FUZZ_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mqttpki/certificate.h"
#include "mqttpki/key.h"

namespace mqttpki::fuzz {

// kNow is "now" for every check that depends on it (2027-01-01 00:00:00 UTC): fixed, so a run replays exactly.
// The seed certificates (fuzz/make_corpus.sh) are valid then, so validity checks take their "valid" path too.
inline constexpr int64_t kNow = 1798761600;

// kPassphrase encrypts the encrypted seed keys (fuzz/make_corpus.sh uses the same one).
inline constexpr const char* kPassphrase = "fuzz-corpus-passphrase";

// Text views the fuzz input as bytes of a file.
inline std::string_view Text(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

// Require aborts (a crash libFuzzer reports and saves) when a property the API promises does not hold.
void Require(bool condition, const char* what);

// FixedKey is one EC P-256 key made once per process (for MatchesKey and for signing).
const PrivateKey& FixedKey();

// ExerciseCertificate calls every accessor `mqttpki inspect` and `verify` call on a certificate, plus the
// encoders, and checks what the header promises about their results.
void ExerciseCertificate(const Certificate& cert);

// ExerciseRequest does the same for a CSR (`inspect` and `csr sign`).
void ExerciseRequest(const CertificateRequest& req);

// UseDeterministicRandom replaces OpenSSL's random source, for this process, with a counter-based one that
// ResetRandom restarts: key shares, ClientHello randoms, ECDSA nonces and serials then repeat from run to run.
void UseDeterministicRandom();
void ResetRandom();

// Note prints one line to stderr when MQTTPKI_FUZZ_VERBOSE is set: what a target made of an input, to check that
// the seeds reach where they are meant to (MQTTPKI_FUZZ_VERBOSE=1 build-fuzz/fuzz_cert -runs=0 fuzz/corpus/cert).
bool Verbose();
void Note(const std::string& line);

// EndRun empties OpenSSL's error queue, so one input's errors are not carried into the next.
void EndRun();

}  // namespace mqttpki::fuzz

#endif  // MQTTPKI_FUZZ_FUZZ_UTIL_H_

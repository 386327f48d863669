// Certificates from outside: a chain file, a bundle or a DER certificate given to inspect, verify or import.
// Input: the file's bytes (PEM or DER).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_util.h"
#include "mqttpki/certificate.h"
#include "mqttpki/verify.h"

using namespace mqttpki;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::UseDeterministicRandom();
  (void)fuzz::FixedKey();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return -1;  // a chain file is a few KiB; bigger inputs only slow the search
  fuzz::ResetRandom();
  std::string_view text = fuzz::Text(data, size);
  const std::string what = "fuzz.pem";

  (void)PemFingerprint(text);
  Result<Certificate> one = Certificate::FromPem(text, what);
  if (one.ok()) fuzz::ExerciseCertificate(*one);

  // inspect on a file with no PEM in it: a DER certificate, shown through its PEM form.
  Result<Certificate> der = Certificate::FromDer(text, what);
  if (der.ok()) {
    fuzz::ExerciseCertificate(*der);
    Result<Certificate> again = Certificate::FromPem(der->ToPem(), what);
    if (again.ok()) (void)again->Subject();
  }

  // verify FILE: the chain, leaf first, against a bundle. The bundle is the chain's last certificate (a
  // self-signed root in a full chain file), so a good chain verifies and a mutated one fails somewhere inside.
  Result<std::vector<Certificate>> all = Certificate::AllFromPem(text, what);
  if (!all.ok()) {
    fuzz::EndRun();
    return 0;
  }
  std::vector<Certificate>& chain = *all;
  if (chain.size() > 8) chain.resize(8);
  for (const Certificate& c : chain) fuzz::ExerciseCertificate(c);
  for (size_t i = 0; i + 1 < chain.size(); ++i) {  // inspect's "Chain order" line
    (void)chain[i].NamesIssuer(chain[i + 1]);
    (void)chain[i].IssuedBy(chain[i + 1]);
  }
  VerifyOptions o;
  o.trusted.push_back(chain.back());
  if (chain.size() > 2) o.untrusted.push_back(chain[1]);  // as --untrusted
  std::vector<SubjectAltName> sans = chain.front().Sans();
  if (!sans.empty()) o.host = sans.front().value;
  o.purpose = (size & 1) != 0 ? Purpose::kClient : Purpose::kServer;
  o.now = fuzz::kNow;
  o.file_name = what;
  Result<VerifyReport> report = VerifyChain(chain, o);
  if (fuzz::Verbose()) {
    fuzz::Note(std::to_string(chain.size()) + " certificate(s), leaf " + chain.front().Subject() + ", verify: " +
               (!report.ok() ? "error " + report.error().message : report->ok ? "ok" : report->reason));
  }
  if (report.ok()) {
    fuzz::Require(report->ok == report->reason.empty(), "a verdict has a reason exactly when it fails");
    for (const Certificate& c : report->path) (void)c.CommonName();
  }
  fuzz::EndRun();
  return 0;
}

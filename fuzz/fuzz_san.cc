// Names from the command line: --san values (ParseSan), --host (IsIpAddress), and the subject fields
// (DistinguishedName::Validate), then a CSR built from them as `csr create` does, read back.
// Input: text; every line is one --san value, and the first four lines are also C, O, OU and CN (the lines that
// are good --san values go into the CSR's subjectAltName).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "mqttpki/certificate.h"
#include "mqttpki/name.h"

using namespace mqttpki;

namespace {

// CheckSan checks what the header promises of an accepted --san value.
void CheckSan(std::string_view text, const SubjectAltName& san) {
  // A value is accepted as written: no byte of it may be one that no DNS name or address has (a NUL would
  // cut the text short for inet_pton, "10.0.0.1\0evil" is not an address).
  for (char c : text) fuzz::Require(static_cast<unsigned char>(c) > 0x20, "an accepted --san has no control byte");
  if (san.kind == SubjectAltName::Kind::kIp) {
    fuzz::Require(IsIpAddress(san.value), "an IP SAN's value is an address");
  } else {
    fuzz::Require(!san.value.empty() && san.value.size() <= 253, "a DNS SAN is 1-253 characters");
    for (char c : san.value) {
      fuzz::Require(c == '.' || c == '-' || c == '_' || c == '*' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'),
                    "a DNS SAN is lower-case letters, digits, '-', '_', '.' and a leading '*'");
    }
  }
  Result<SubjectAltName> again = ParseSan(san.ToString());
  fuzz::Require(again.ok() && *again == san, "ParseSan(san.ToString()) gives san back");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::UseDeterministicRandom();
  (void)fuzz::FixedKey();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return -1;
  fuzz::ResetRandom();
  std::string_view text = fuzz::Text(data, size);
  (void)IsIpAddress(text);
  if (Result<SubjectAltName> whole = ParseSan(text); whole.ok()) CheckSan(text, *whole);

  std::vector<std::string_view> lines;
  for (size_t start = 0; start <= text.size() && lines.size() < 16;) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  std::vector<SubjectAltName> sans;  // the lines that are good --san values, as the CLI would have them
  for (std::string_view line : lines) {
    Result<SubjectAltName> san = ParseSan(line);
    if (!san.ok()) continue;
    CheckSan(line, *san);
    AddUnique(sans, *san);
  }
  DistinguishedName dn;
  if (lines.size() > 0) dn.country = std::string(lines[0]);
  if (lines.size() > 1) dn.organization = std::string(lines[1]);
  if (lines.size() > 2) dn.org_unit = std::string(lines[2]);
  if (lines.size() > 3) dn.common_name = std::string(lines[3]);
  (void)dn.ToString();
  if (!dn.Validate().ok()) {
    fuzz::EndRun();
    return 0;
  }
  // csr create: the subject and the names as given, in a CSR that must say exactly that when read back.
  Result<CertificateRequest> req = CertificateRequest::Create(fuzz::FixedKey(), dn, sans);
  fuzz::Note(dn.ToString() + ", " + std::to_string(sans.size()) + " SAN(s): " +
             (req.ok() ? "CSR made" : req.error().message));
  if (req.ok()) {
    fuzz::Require(req->VerifySignature("created").ok(), "a CSR we create verifies");
    Result<CertificateRequest> back = CertificateRequest::FromPem(req->ToPem(), "created");
    fuzz::Require(back.ok(), "a CSR we create reads back");
    DistinguishedName got = back->SubjectFields();
    fuzz::Require(got.country == dn.country && got.organization == dn.organization &&
                      got.org_unit == dn.org_unit && got.common_name == dn.common_name,
                  "a CSR's subject reads back as given");
    fuzz::Require(back->Sans() == sans, "a CSR's SANs read back as given");
  }
  fuzz::EndRun();
  return 0;
}

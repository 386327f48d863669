#include "fuzz_util.h"

// RAND_set_rand_method is deprecated in OpenSSL 3 but still honoured by RAND_bytes_ex and RAND_priv_bytes_ex,
// which is all the TLS client, key generation and signing use: the simplest way to make them repeatable.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/err.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "mqttpki/name.h"

namespace mqttpki::fuzz {

void Require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "mqttpki fuzz: property violated: %s\n", what);
  std::abort();
}

const PrivateKey& FixedKey() {
  static const PrivateKey* key = [] {
    Result<PrivateKey> k = PrivateKey::Generate(KeyType::kEcP256);
    Require(k.ok(), "generating the fixed P-256 key");
    return new PrivateKey(std::move(k).value());
  }();
  return *key;
}

void ExerciseCertificate(const Certificate& c) {
  // What inspect prints (DescribeCertificate, Role) and verify reports.
  (void)c.Subject();
  (void)c.Issuer();
  (void)c.CommonName();
  DistinguishedName dn = c.SubjectFields();
  (void)dn.ToString();
  (void)dn.Validate();
  std::vector<SubjectAltName> sans = c.Sans();
  for (const SubjectAltName& s : sans) {
    (void)s.ToString();
    if (s.kind == SubjectAltName::Kind::kIp) Require(IsIpAddress(s.value), "an IP SAN reads back as an address");
    (void)c.MatchesHost(s.value);
  }
  if (!dn.common_name.empty()) (void)c.MatchesHost(dn.common_name);
  (void)FormatTime(c.NotBefore());
  (void)FormatTime(c.NotAfter());
  (void)c.SerialHex();
  Require(c.SerialBytes() >= 0, "SerialBytes is a length");
  std::string fingerprint = c.Sha256Fingerprint();
  (void)c.SignatureAlgorithm();
  (void)c.KeyDescription();
  (void)c.PublicKey();
  (void)c.IsCa();
  Require(c.PathLength() >= -1, "PathLength is -1 or a length");
  (void)c.KeyUsage();
  (void)c.ExtendedKeyUsage();
  (void)c.HasExtendedKeyUsage();
  (void)c.IsSelfIssued();
  (void)c.NamesIssuer(c);
  (void)c.IssuedBy(c);
  (void)c.MatchesKey(FixedKey());
  (void)c.ToDer();
  // The inventory compares PemFingerprint of a file with Sha256Fingerprint of the certificate it recorded.
  std::string pem = c.ToPem();
  if (!pem.empty() && !fingerprint.empty()) {
    Require(PemFingerprint(pem) == fingerprint, "PemFingerprint(ToPem()) == Sha256Fingerprint()");
  }
}

void ExerciseRequest(const CertificateRequest& r) {
  // What inspect prints and the checks of `csr sign` (PkiDir::SignCsr) before it issues.
  (void)r.VerifySignature("fuzz.csr.pem");
  (void)r.Subject();
  DistinguishedName dn = r.SubjectFields();
  (void)dn.ToString();
  (void)dn.Validate();
  for (const SubjectAltName& s : r.Sans()) {
    (void)s.ToString();
    (void)ParseSan(s.ToString());
  }
  (void)r.RequestedExtensions();
  (void)KeyTypeFromDescription(r.KeyDescription());
  (void)r.PublicKey();
  (void)r.ToPem();
}

namespace {

uint64_t g_state = 0;

uint64_t Next() {  // splitmix64
  uint64_t z = (g_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

int Bytes(unsigned char* buf, int num) {
  for (int i = 0; i < num; i += 8) {
    uint64_t v = Next();
    std::memcpy(buf + i, &v, static_cast<size_t>(num - i < 8 ? num - i : 8));
  }
  return 1;
}

int Status() { return 1; }

RAND_METHOD g_method = {nullptr, Bytes, nullptr, nullptr, Bytes, Status};

}  // namespace

void UseDeterministicRandom() {
  Require(RAND_set_rand_method(&g_method) == 1, "installing the deterministic random source");
  ResetRandom();
}

void ResetRandom() { g_state = 0x6d717474706b6921ULL; }

bool Verbose() {
  static const bool verbose = std::getenv("MQTTPKI_FUZZ_VERBOSE") != nullptr;
  return verbose;
}

void Note(const std::string& line) {
  if (Verbose()) std::fprintf(stderr, "mqttpki fuzz: %s\n", line.c_str());
}

void EndRun() { ERR_clear_error(); }

}  // namespace mqttpki::fuzz

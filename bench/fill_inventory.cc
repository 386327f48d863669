// Fills a PKI's inventory with synthetic client certificate records, for bench/lifecycle_bench.sh.
//
// usage: mqttpki_fill_inventory PKI_DIR N REVOKED
//
// PKI_DIR holds a PKI made by `mqttpki --pki PKI_DIR quickstart ... --no-passphrase` (root-ca, server-ca,
// inventory.db). N records of client certificates issued by server-ca are added to the inventory (no certificate
// files: only the rows), with notAfter spread uniformly over now-30d .. now+365d (about 7.6% expired, 7.6% expiring
// within 30 days); REVOKED of the unexpired ones are then marked revoked (keyCompromise). The same certificates are
// written as an `openssl ca` database (PKI_DIR/openssl-ca/index.txt and openssl.cnf), so that
// `openssl ca -gencrl -config PKI_DIR/openssl-ca/openssl.cnf` makes the same CRL as `mqttpki crl --ca server-ca`.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "mqttpki/certificate.h"
#include "mqttpki/inventory.h"
#include "mqttpki/pki_dir.h"
#include "mqttpki/sqlite_store.h"
#include "mqttpki/store.h"

namespace {

using mqttpki::CertRecord;
using mqttpki::CertStatus;
using mqttpki::RevocationReason;

constexpr int64_t kDay = 86400;
constexpr size_t kBatch = 10000;  // rows per transaction

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "mqttpki_fill_inventory: %s\n", message.c_str());
  std::exit(1);
}

void Check(const mqttpki::Status& st, const std::string& what) {
  if (!st.ok()) Die(what + ": " + st.error().message);
}

bool ParseCount(const char* s, size_t* out) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || s[0] == '-') return false;
  *out = static_cast<size_t>(v);
  return true;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// UtcTime formats |t| as an ASN.1 UTCTime, YYMMDDHHMMSSZ, as index.txt holds dates.
std::string UtcTime(int64_t t) {
  time_t tt = static_cast<time_t>(t);
  struct tm tm {};
  if (gmtime_r(&tt, &tm) == nullptr) Die("cannot convert time " + std::to_string(t));
  char buf[16];
  std::strftime(buf, sizeof(buf), "%y%m%d%H%M%SZ", &tm);
  return buf;
}

// RandomHex returns |n| random bytes as upper-case hex, separated by |sep| when it is not '\0'.
std::string RandomHex(std::mt19937_64& rng, size_t n, char sep, bool serial) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(n * 3);
  uint64_t bits = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i % 8 == 0) bits = rng();
    auto b = static_cast<unsigned>(bits & 0xff);
    bits >>= 8;
    // A positive serial with no leading zero byte, as the issuer makes them.
    if (serial && i == 0) b = (b & 0x7f) | 0x40;
    if (sep != '\0' && i > 0) out += sep;
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  f.close();
  if (!f) Die("cannot write " + path);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s PKI_DIR N REVOKED\n", argv[0]);
    return 2;
  }
  // Absolute, as openssl.cnf names files by it.
  std::error_code abs_ec;
  std::string pki_dir = std::filesystem::absolute(argv[1], abs_ec).lexically_normal().string();
  while (pki_dir.size() > 1 && pki_dir.back() == '/') pki_dir.pop_back();
  if (abs_ec) {
    std::fprintf(stderr, "mqttpki_fill_inventory: %s: %s\n", argv[1], abs_ec.message().c_str());
    return 1;
  }
  size_t n = 0, revoked = 0;
  if (!ParseCount(argv[2], &n) || !ParseCount(argv[3], &revoked)) {
    std::fprintf(stderr, "usage: %s PKI_DIR N REVOKED  (N, REVOKED: non-negative numbers)\n", argv[0]);
    return 2;
  }
  if (revoked > n) Die("REVOKED (" + std::to_string(revoked) + ") exceeds N (" + std::to_string(n) + ")");

  const auto start = std::chrono::steady_clock::now();
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  std::mt19937_64 rng(std::random_device{}());

  mqttpki::PkiDir pki(pki_dir);
  mqttpki::Result<mqttpki::Certificate> ca_cert = pki.LoadCertificate(mqttpki::kDefaultServerCaName);
  if (!ca_cert.ok()) Die("reading the server-ca certificate: " + ca_cert.error().message);
  const std::string issuer = ca_cert->Subject();

  auto opened = mqttpki::OpenSqliteStore(pki_dir + "/" + mqttpki::kInventoryFile);
  if (!opened.ok()) Die(opened.error().message);
  mqttpki::Store& store = **opened;
  mqttpki::Result<size_t> before = store.Count();
  if (!before.ok()) Die(before.error().message);

  // notAfter: stratified over now-30d .. now+365d (one value per stratum, shuffled), so that the number of expired
  // certificates is the same in every run and the N >= REVOKED * 1.1 rule of the script always leaves enough
  // unexpired ones to revoke.
  const int64_t lo = now - 30 * kDay;
  const int64_t span = 395 * kDay;
  std::vector<int64_t> not_after(n);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (size_t i = 0; i < n; ++i) {
    double pos = (static_cast<double>(i) + unit(rng)) / static_cast<double>(n);
    not_after[i] = lo + static_cast<int64_t>(pos * static_cast<double>(span));
  }
  std::shuffle(not_after.begin(), not_after.end(), rng);

  // Insert the records.
  std::vector<CertRecord> records(n);
  size_t expired = 0, expiring = 0;
  for (size_t i = 0; i < n; ++i) {
    CertRecord& r = records[i];
    char name[32];
    std::snprintf(name, sizeof(name), "dev-%07zu", i + 1);
    r.serial = RandomHex(rng, 20, '\0', /*serial=*/true);
    r.name = name;
    r.ca = mqttpki::kDefaultServerCaName;
    r.profile = "client";
    r.subject = std::string("CN=") + name;
    r.issuer = issuer;
    r.not_before = now - 10 * kDay;
    r.not_after = not_after[i];
    r.status = CertStatus::kValid;
    r.sha256 = RandomHex(rng, 32, ':', /*serial=*/false);
    r.recorded_at = now;
    if (r.not_after < now) ++expired;
    else if (r.not_after < now + 30 * kDay) ++expiring;
  }
  const auto t_insert = std::chrono::steady_clock::now();
  for (size_t i = 0; i < n; i += kBatch) {
    Check(store.Begin(), "begin");
    for (size_t j = i; j < std::min(n, i + kBatch); ++j) {
      mqttpki::Status st = store.Insert(records[j]);
      if (!st.ok()) {
        store.Rollback();
        Die("inserting " + records[j].name + ": " + st.error().message);
      }
    }
    Check(store.Commit(), "commit");
  }
  const double insert_s = Seconds(t_insert);

  // Revoke REVOKED random unexpired ones.
  std::vector<size_t> candidates;
  candidates.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (records[i].not_after >= now) candidates.push_back(i);
  }
  if (candidates.size() < revoked) {
    Die("only " + std::to_string(candidates.size()) + " of the " + std::to_string(n) +
        " certificates are unexpired, fewer than REVOKED (" + std::to_string(revoked) +
        "): use N >= REVOKED * 1.1");
  }
  std::shuffle(candidates.begin(), candidates.end(), rng);
  candidates.resize(revoked);
  std::sort(candidates.begin(), candidates.end());
  // Revoked between one minute and nine days ago (after notBefore, now - 10 days).
  std::uniform_int_distribution<int64_t> age(60, 9 * kDay);
  const auto t_revoke = std::chrono::steady_clock::now();
  for (size_t i = 0; i < candidates.size(); i += kBatch) {
    Check(store.Begin(), "begin");
    for (size_t j = i; j < std::min(candidates.size(), i + kBatch); ++j) {
      CertRecord& r = records[candidates[j]];
      r.status = CertStatus::kRevoked;
      r.revoked_at = now - age(rng);
      r.reason = RevocationReason::kKeyCompromise;
      mqttpki::Status st = store.SetStatus(r.serial, r.status, r.revoked_at, r.reason);
      if (!st.ok()) {
        store.Rollback();
        Die("revoking " + r.name + ": " + st.error().message);
      }
    }
    Check(store.Commit(), "commit");
  }
  const double revoke_s = Seconds(t_revoke);
  // What `list --expiring 30d` selects: valid ones with notAfter < now + 30 days (the expired included).
  size_t listed = 0;
  for (const CertRecord& r : records) {
    if (r.status == CertStatus::kValid && r.not_after < now + 30 * kDay) ++listed;
  }
  mqttpki::Result<size_t> after = store.Count();
  if (!after.ok()) Die(after.error().message);

  // The openssl ca database of the same certificates.
  const auto t_index = std::chrono::steady_clock::now();
  const std::string ca_dir = pki_dir + "/openssl-ca";
  std::error_code ec;
  std::filesystem::create_directories(ca_dir, ec);
  if (ec) Die("cannot create " + ca_dir + ": " + ec.message());
  std::string index;
  index.reserve(n * 96);
  for (const CertRecord& r : records) {
    if (r.status == CertStatus::kRevoked) {
      index += "R\t" + UtcTime(r.not_after) + "\t" + UtcTime(r.revoked_at) + ",keyCompromise\t";
    } else {
      index += "V\t" + UtcTime(r.not_after) + "\t\t";
    }
    index += r.serial + "\tunknown\t/" + r.subject + "\n";
  }
  WriteFile(ca_dir + "/index.txt", index);
  WriteFile(ca_dir + "/index.txt.attr", "unique_subject = no\n");
  WriteFile(ca_dir + "/crlnumber", "01\n");
  WriteFile(ca_dir + "/openssl.cnf",
            "[ ca ]\n"
            "default_ca = CA_default\n"
            "\n"
            "[ CA_default ]\n"
            "dir              = " + ca_dir + "\n"
            "database         = $dir/index.txt\n"
            "crlnumber        = $dir/crlnumber\n"
            "new_certs_dir    = $dir\n"
            "certificate      = " + pki.CertPath(mqttpki::kDefaultServerCaName) + "\n"
            "private_key      = " + pki.KeyPath(mqttpki::kDefaultServerCaName) + "\n"
            "default_md       = sha256\n"
            "default_crl_days = 30\n"
            "unique_subject   = no\n"
            "crl_extensions   = crl_ext\n"
            "\n"
            "[ crl_ext ]\n"
            "authorityKeyIdentifier = keyid:always\n");
  const double index_s = Seconds(t_index);

  std::printf("inventory %s: %zu -> %zu records\n", (pki_dir + "/" + mqttpki::kInventoryFile).c_str(), *before,
              *after);
  std::printf("  inserted %zu client certificates of server-ca in %.2f s (%zu per transaction)\n", n, insert_s,
              kBatch);
  std::printf("  expired: %zu, expiring within 30 days: %zu\n", expired, expiring);
  std::printf("  revoked %zu unexpired ones (keyCompromise) in %.2f s\n", revoked, revoke_s);
  std::printf("  valid ones with notAfter < now + 30 days (what list --expiring 30d selects of them): %zu\n",
              listed);
  std::printf("openssl ca database %s/index.txt: %zu lines (%zu R), openssl.cnf, in %.2f s\n", ca_dir.c_str(), n,
              revoked, index_s);
  std::printf("total %.2f s\n", Seconds(start));
  return 0;
}

#include "mqttpki/import.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "mqttpki/certificate.h"
#include "mqttpki/key.h"

namespace mqttpki {
namespace {

// Entity is one directory of the source PKI.
struct Entity {
  std::string dir;   // the directory's name in the source
  std::string name;  // its name in the destination
  Certificate cert;
  std::string cert_file, key_file, csr_file;
  Secret key_pem;
};

// FindFile returns the first regular file in |dir| whose contents contain |marker| (sorted by name).
std::string FindFile(FileSystem& fs, const std::filesystem::path& dir, const std::string& marker) {
  std::error_code ec;
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec)) files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) {
    Result<std::string> text = fs.ReadFile(f, kMaxInputBytes);
    if (text.ok() && text->find(marker) != std::string::npos) return f;
  }
  return {};
}

}  // namespace

Status ImportTutorialPki(const std::string& source, const PkiDir& dest, int64_t now, PassphraseProvider& pass,
                         FileTransaction& tx, Report& report) {
  FileSystem& fs = dest.fs();
  std::error_code ec;
  if (!std::filesystem::is_directory(source, ec)) {
    return MakeError(ErrorCode::kInput, source + " is not a directory");
  }
  std::vector<Entity> entities;
  std::vector<std::string> dirs;
  for (const auto& e : std::filesystem::directory_iterator(source, ec)) {
    if (e.is_directory(ec)) dirs.push_back(e.path().filename().string());
  }
  std::sort(dirs.begin(), dirs.end());
  for (const std::string& d : dirs) {
    std::filesystem::path base = std::filesystem::path(source) / d;
    std::string cert_file = FindFile(fs, base / "certs", "-----BEGIN CERTIFICATE-----");
    if (cert_file.empty()) continue;  // not a PKI entity (e.g. a backup folder)
    Entity ent;
    ent.dir = d;
    ent.cert_file = cert_file;
    MQTTPKI_ASSIGN_OR_RETURN(std::string pem, fs.ReadFile(cert_file, kMaxInputBytes));
    MQTTPKI_ASSIGN_OR_RETURN(std::vector<Certificate> certs, Certificate::AllFromPem(pem, cert_file));
    ent.cert = certs.front();
    ent.key_file = FindFile(fs, base / "private", "PRIVATE KEY-----");
    ent.csr_file = FindFile(fs, base / "csr", "CERTIFICATE REQUEST-----");
    entities.push_back(std::move(ent));
  }
  if (entities.empty()) {
    return MakeError(ErrorCode::kInput, source + " holds no PKI: no */certs/*.pem certificate (expected the "
                                                 "tutorial's layout: root-ca/, server-ca/, mqtt-server-1/, ...)");
  }
  // Roles: exactly one self-signed CA is the root.
  std::vector<Entity*> roots;
  for (Entity& e : entities) {
    if (e.cert.IsCa() && e.cert.IsSelfIssued()) roots.push_back(&e);
  }
  if (roots.size() != 1) {
    return MakeError(ErrorCode::kInput, source + " has " + std::to_string(roots.size()) +
                                            " self-signed CA certificates; exactly one root is needed");
  }
  for (Entity& e : entities) {
    e.name = &e == roots.front() ? kRootName : e.dir;
    if (&e != roots.front() && e.name == kRootName) {
      return MakeError(ErrorCode::kInput, source + "/root-ca holds a certificate that is not a self-signed CA");
    }
    MQTTPKI_TRY(PkiDir::ValidateName(e.name));
  }
  // An expired CA: every chain through it is refused by devices, and nothing can be issued under it. Adopting it
  // would hand over a broken PKI that only looks complete.
  for (const Entity& e : entities) {
    if (!e.cert.IsCa() || e.cert.NotAfter() >= now) continue;
    bool root = &e == roots.front();
    return MakeError(ErrorCode::kInput,
                     e.cert_file + " ('" + Printable(e.cert.CommonName()) + "'), the " +
                         (root ? "root CA" : "intermediate CA " + e.dir) + " of " + source + ", expired on " +
                         FormatTime(e.cert.NotAfter()) + ": devices refuse every chain through it, so it is not "
                         "imported; " +
                         (root ? "build a new PKI (" + Op("quickstart") + ") and give the devices its bundle"
                               : "re-sign its CSR with the root for a new validity period, then import again"));
  }
  for (const Entity& e : entities) {
    std::vector<std::string> ku = e.cert.KeyUsage();
    if (e.cert.IsCa() && ku.empty()) {
      report.warnings.push_back(e.cert_file + " ('" + e.cert.CommonName() +
                                "') has no keyUsage extension: strict clients reject chains through it (" +
                                Op("verify") + ", openssl verify -x509_strict); consider a new " +
                                (e.cert.IsSelfIssued() ? "root (" + Op("root create --force") +
                                                             ", then a new bundle on the devices)"
                                                       : "intermediate (" + Op("rotate " + e.dir) + ")"));
    }
  }
  // Who issued whom, checked by signature.
  std::map<std::string, const Entity*> issuer_of;
  for (const Entity& e : entities) {
    if (&e == roots.front()) continue;
    const Entity* issuer = nullptr;
    for (const Entity& c : entities) {
      if (c.cert.IsCa() && &c != &e && e.cert.IssuedBy(c.cert)) issuer = &c;
    }
    if (issuer == nullptr) {
      return MakeError(ErrorCode::kInput, e.cert_file + " ('" + e.cert.CommonName() +
                                              "') was not issued by any CA in " + source);
    }
    issuer_of[e.name] = issuer;
  }
  // Validity that a device will not accept for long: an expired leaf, and a certificate that outlives its issuer
  // (from the issuer's notAfter on, every chain through it fails).
  for (const Entity& e : entities) {
    if (&e == roots.front()) continue;
    const Entity* issuer = issuer_of[e.name];
    std::string what = e.cert_file + " ('" + Printable(e.cert.CommonName()) + "')";
    if (!e.cert.IsCa() && e.cert.NotAfter() < now) {
      report.warnings.push_back(what + " expired on " + FormatTime(e.cert.NotAfter()) + ": renew it after the import (" +
                                Op("renew " + e.name) + ")");
    } else if (e.cert.NotAfter() > issuer->cert.NotAfter()) {
      report.warnings.push_back(what + " is valid until " + FormatTime(e.cert.NotAfter()) + ", after its issuer " +
                                issuer->dir + " (until " + FormatTime(issuer->cert.NotAfter()) +
                                "): devices refuse it from then on; " +
                                (issuer == roots.front()
                                     ? std::string("plan a new root before then (new device bundles)")
                                     : "rotate " + issuer->dir + " before then (" + Op("rotate " + issuer->name) +
                                           " re-issues its servers)"));
    }
  }
  // Keys: present, readable, and the certificate's.
  for (Entity& e : entities) {
    if (e.key_file.empty()) {
      report.warnings.push_back("no private key for " + e.dir + " in " + source + "/" + e.dir +
                                "/private: imported without it");
      continue;
    }
    MQTTPKI_ASSIGN_OR_RETURN(LoadedKey key, ReadPrivateKey(fs, e.key_file, pass));
    if (!key.encrypted && e.cert.IsCa()) {
      report.warnings.push_back(e.key_file + " (a CA key) is not encrypted; keep the copy offline, or encrypt it: "
                                "openssl pkey -aes256 -in KEY -out KEY.enc");
    }
    if (!e.cert.MatchesKey(key.key)) return MakeError(ErrorCode::kInput, e.key_file + " is not the key of " + e.cert_file);
    e.key_pem = std::move(key.pem);
  }
  // Stage everything in mqttpki's layout.
  auto stage = [&](const std::string& path, const std::string& data, mode_t mode, const char* kind,
                   const std::string& name) -> Status {
    MQTTPKI_TRY(tx.Stage(path, data, mode));
    report.files.push_back({path, kind, name});
    return Status::Ok();
  };
  DistinguishedName root_dn = roots.front()->cert.SubjectFields();
  SubjectDefaults defaults;
  if (!root_dn.organization.empty()) defaults.organization = root_dn.organization;
  defaults.country = root_dn.country;
  defaults.org_unit = root_dn.org_unit;
  if (!fs.Exists(dest.ConfigPath()).value_or(false)) MQTTPKI_TRY(dest.Init(defaults, tx, report));
  for (const Entity& e : entities) {
    if (!e.key_file.empty()) MQTTPKI_TRY(stage(dest.KeyPath(e.name), e.key_pem.str(), 0400, "key", e.name));
    MQTTPKI_TRY(stage(dest.CertPath(e.name), e.cert.ToPem(), 0644, "certificate", e.name));
    if (!e.csr_file.empty()) {
      MQTTPKI_ASSIGN_OR_RETURN(std::string csr_text, fs.ReadFile(e.csr_file, kMaxInputBytes));
      MQTTPKI_ASSIGN_OR_RETURN(CertificateRequest csr, CertificateRequest::FromPem(csr_text, e.csr_file));
      MQTTPKI_TRY(stage(dest.CsrPath(e.name), csr.ToPem(), 0644, "csr", e.name));  // the CSR alone
    }
    bool leaf = !e.cert.IsCa();
    if (leaf) {
      std::string chain = e.cert.ToPem();
      for (const Entity* i = issuer_of[e.name]; i != nullptr && i != roots.front(); i = issuer_of[i->name]) {
        chain += i->cert.ToPem();
      }
      MQTTPKI_TRY(stage(dest.ChainPath(e.name), chain, 0644, "chain", e.name));
    }
    dest.RecordIssued(report, e.cert, e.name, &e == roots.front() ? kRootName : issuer_of[e.name]->name,
                      ProfileOf(e.cert), !e.key_file.empty(), leaf, now);
  }
  // The bundle: theirs if it holds our root, else the root alone.
  std::string bundle = roots.front()->cert.ToPem();
  Result<std::string> theirs = fs.ReadFile((std::filesystem::path(source) / "ca-bundle.pem").string(), kMaxInputBytes);
  if (theirs.ok()) {
    Result<std::vector<Certificate>> certs = Certificate::AllFromPem(*theirs, "ca-bundle.pem");
    if (certs.ok() && std::any_of(certs->begin(), certs->end(), [&](const Certificate& c) {
          return c.Sha256Fingerprint() == roots.front()->cert.Sha256Fingerprint();
        })) {
      bundle.clear();
      for (const Certificate& c : *certs) bundle += c.ToPem();
      if (certs->size() > 1) report.warnings.push_back("the imported ca-bundle.pem pins more than the root");
    } else {
      report.warnings.push_back(source + "/ca-bundle.pem does not hold the root; wrote a root-only bundle");
    }
  }
  return stage(dest.BundlePath(), bundle, 0644, "bundle", "");
}

}  // namespace mqttpki

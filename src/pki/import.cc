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

// TutorialImport reads a PKI in the tutorial's layout, checks it as a device would, and stages it in mqttpki's.
// Its steps run in order; each refuses what cannot be adopted, or warns of what can but should not stay so.
class TutorialImport {
 public:
  TutorialImport(const std::string& source, const PkiDir& dest, int64_t now, Report& report)
      : fs_(dest.fs()), source_(source), dest_(dest), now_(now), report_(report) {}

  // Scan finds the entities: each directory with a certificate in certs/, and its key and CSR.
  Status Scan() {
    std::error_code ec;
    if (!std::filesystem::is_directory(source_, ec)) {
      return MakeError(ErrorCode::kInput, source_ + " is not a directory");
    }
    std::vector<std::string> dirs;
    for (const auto& e : std::filesystem::directory_iterator(source_, ec)) {
      if (e.is_directory(ec)) dirs.push_back(e.path().filename().string());
    }
    std::sort(dirs.begin(), dirs.end());
    for (const std::string& d : dirs) {
      std::filesystem::path base = std::filesystem::path(source_) / d;
      std::string cert_file = FindFile(fs_, base / "certs", "-----BEGIN CERTIFICATE-----");
      if (cert_file.empty()) continue;  // not a PKI entity (e.g. a backup folder)
      Entity ent;
      ent.dir = d;
      ent.cert_file = cert_file;
      MQTTPKI_ASSIGN_OR_RETURN(std::string pem, fs_.ReadFile(cert_file, kMaxInputBytes));
      MQTTPKI_ASSIGN_OR_RETURN(std::vector<Certificate> certs, Certificate::AllFromPem(pem, cert_file));
      ent.cert = certs.front();
      ent.key_file = FindFile(fs_, base / "private", "PRIVATE KEY-----");
      ent.csr_file = FindFile(fs_, base / "csr", "CERTIFICATE REQUEST-----");
      entities_.push_back(std::move(ent));
    }
    if (entities_.empty()) {
      return MakeError(ErrorCode::kInput, source_ + " holds no PKI: no */certs/*.pem certificate (expected the "
                                                    "tutorial's layout: root-ca/, server-ca/, mqtt-server-1/, ...)");
    }
    return Status::Ok();
  }

  // AssignRoles picks the root (exactly one self-signed CA) and names every entity.
  Status AssignRoles() {
    std::vector<Entity*> roots;
    for (Entity& e : entities_) {
      if (e.cert.IsCa() && e.cert.IsSelfIssued()) roots.push_back(&e);
    }
    if (roots.size() != 1) {
      return MakeError(ErrorCode::kInput, source_ + " has " + std::to_string(roots.size()) +
                                              " self-signed CA certificates; exactly one root is needed");
    }
    root_ = roots.front();
    for (Entity& e : entities_) {
      e.name = &e == root_ ? kRootName : e.dir;
      if (&e != root_ && e.name == kRootName) {
        return MakeError(ErrorCode::kInput, source_ + "/root-ca holds a certificate that is not a self-signed CA");
      }
      MQTTPKI_TRY(PkiDir::ValidateName(e.name));
    }
    return Status::Ok();
  }

  // CheckCas refuses an expired CA: every chain through it is refused by devices, and nothing can be issued
  // under it; adopting it would hand over a broken PKI that only looks complete. A CA without keyUsage is
  // adopted with a warning.
  Status CheckCas() {
    for (const Entity& e : entities_) {
      if (!e.cert.IsCa() || e.cert.NotAfter() >= now_) continue;
      bool root = &e == root_;
      return MakeError(ErrorCode::kInput,
                       e.cert_file + " ('" + Printable(e.cert.CommonName()) + "'), the " +
                           (root ? "root CA" : "intermediate CA " + e.dir) + " of " + source_ + ", expired on " +
                           FormatTime(e.cert.NotAfter()) + ": devices refuse every chain through it, so it is not "
                           "imported; " +
                           (root ? "build a new PKI (" + Op("quickstart") + ") and give the devices its bundle"
                                 : "re-sign its CSR with the root for a new validity period, then import again"));
    }
    for (const Entity& e : entities_) {
      if (e.cert.IsCa() && e.cert.KeyUsage().empty()) {
        report_.warnings.push_back(e.cert_file + " ('" + Printable(e.cert.CommonName()) +
                                   "') has no keyUsage extension: strict clients reject chains through it (" +
                                   Op("verify") + ", openssl verify -x509_strict); consider a new " +
                                   (e.cert.IsSelfIssued() ? "root (" + Op("root create --force") +
                                                                ", then a new bundle on the devices)"
                                                          : "intermediate (" + Op("rotate " + e.dir) + ")"));
      }
    }
    return Status::Ok();
  }

  // LinkIssuers finds who issued whom, by signature, and warns of validity a device will not accept for long:
  // an expired leaf, and a certificate that outlives its issuer (from the issuer's notAfter on, every chain
  // through it fails).
  Status LinkIssuers() {
    for (const Entity& e : entities_) {
      if (&e == root_) continue;
      const Entity* issuer = nullptr;
      for (const Entity& c : entities_) {
        if (c.cert.IsCa() && &c != &e && e.cert.IssuedBy(c.cert)) issuer = &c;
      }
      if (issuer == nullptr) {
        return MakeError(ErrorCode::kInput, e.cert_file + " ('" + Printable(e.cert.CommonName()) +
                                                "') was not issued by any CA in " + source_);
      }
      issuer_of_[e.name] = issuer;
    }
    for (const Entity& e : entities_) {
      if (&e == root_) continue;
      const Entity* issuer = issuer_of_[e.name];
      std::string what = e.cert_file + " ('" + Printable(e.cert.CommonName()) + "')";
      if (!e.cert.IsCa() && e.cert.NotAfter() < now_) {
        report_.warnings.push_back(what + " expired on " + FormatTime(e.cert.NotAfter()) +
                                   ": renew it after the import (" + Op("renew " + e.name) + ")");
      } else if (e.cert.NotAfter() > issuer->cert.NotAfter()) {
        report_.warnings.push_back(what + " is valid until " + FormatTime(e.cert.NotAfter()) + ", after its issuer " +
                                   issuer->dir + " (until " + FormatTime(issuer->cert.NotAfter()) +
                                   "): devices refuse it from then on; " +
                                   (issuer == root_
                                        ? std::string("plan a new root before then (new device bundles)")
                                        : "rotate " + issuer->dir + " before then (" + Op("rotate " + issuer->name) +
                                              " re-issues its servers)"));
      }
    }
    return Status::Ok();
  }

  // ReadKeys reads each key (asking |pass| for an encrypted one) and checks it is the certificate's.
  Status ReadKeys(PassphraseProvider& pass) {
    for (Entity& e : entities_) {
      if (e.key_file.empty()) {
        report_.warnings.push_back("no private key for " + e.dir + " in " + source_ + "/" + e.dir +
                                   "/private: imported without it");
        continue;
      }
      MQTTPKI_ASSIGN_OR_RETURN(LoadedKey key, ReadPrivateKey(fs_, e.key_file, pass));
      if (!key.encrypted && e.cert.IsCa()) {
        report_.warnings.push_back(e.key_file + " (a CA key) is not encrypted; keep the copy offline, or encrypt it: "
                                   "openssl pkey -aes256 -in KEY -out KEY.enc");
      }
      if (!e.cert.MatchesKey(key.key)) {
        return MakeError(ErrorCode::kInput, e.key_file + " is not the key of " + e.cert_file);
      }
      e.key_pem = std::move(key.pem);
    }
    return Status::Ok();
  }

  // Stage stages everything in mqttpki's layout: the defaults (from the root's subject), each entity's files and
  // inventory row, and the bundle (theirs if it holds the root, else the root alone).
  Status Stage(FileTransaction& tx) {
    DistinguishedName root_dn = root_->cert.SubjectFields();
    SubjectDefaults defaults;
    if (!root_dn.organization.empty()) defaults.organization = root_dn.organization;
    defaults.country = root_dn.country;
    defaults.org_unit = root_dn.org_unit;
    if (!fs_.Exists(dest_.ConfigPath()).value_or(false)) MQTTPKI_TRY(dest_.Init(defaults, tx, report_));
    for (const Entity& e : entities_) {
      if (!e.key_file.empty()) MQTTPKI_TRY(Put(tx, dest_.KeyPath(e.name), e.key_pem.str(), 0400, "key", e.name));
      MQTTPKI_TRY(Put(tx, dest_.CertPath(e.name), e.cert.ToPem(), 0644, "certificate", e.name));
      if (!e.csr_file.empty()) {
        MQTTPKI_ASSIGN_OR_RETURN(std::string csr_text, fs_.ReadFile(e.csr_file, kMaxInputBytes));
        MQTTPKI_ASSIGN_OR_RETURN(CertificateRequest csr, CertificateRequest::FromPem(csr_text, e.csr_file));
        MQTTPKI_TRY(Put(tx, dest_.CsrPath(e.name), csr.ToPem(), 0644, "csr", e.name));  // the CSR alone
      }
      bool leaf = !e.cert.IsCa();
      if (leaf) {
        std::string chain = e.cert.ToPem();
        for (const Entity* i = issuer_of_[e.name]; i != nullptr && i != root_; i = issuer_of_[i->name]) {
          chain += i->cert.ToPem();
        }
        MQTTPKI_TRY(Put(tx, dest_.ChainPath(e.name), chain, 0644, "chain", e.name));
      }
      dest_.RecordIssued(report_, e.cert, e.name, &e == root_ ? kRootName : issuer_of_[e.name]->name,
                         ProfileOf(e.cert), !e.key_file.empty(), leaf, now_);
    }
    std::string bundle = root_->cert.ToPem();
    Result<std::string> theirs =
        fs_.ReadFile((std::filesystem::path(source_) / "ca-bundle.pem").string(), kMaxInputBytes);
    if (theirs.ok()) {
      Result<std::vector<Certificate>> certs = Certificate::AllFromPem(*theirs, "ca-bundle.pem");
      if (certs.ok() && std::any_of(certs->begin(), certs->end(), [&](const Certificate& c) {
            return c.Sha256Fingerprint() == root_->cert.Sha256Fingerprint();
          })) {
        bundle.clear();
        for (const Certificate& c : *certs) bundle += c.ToPem();
        if (certs->size() > 1) report_.warnings.push_back("the imported ca-bundle.pem pins more than the root");
      } else {
        report_.warnings.push_back(source_ + "/ca-bundle.pem does not hold the root; wrote a root-only bundle");
      }
    }
    return Put(tx, dest_.BundlePath(), bundle, 0644, "bundle", "");
  }

 private:
  Status Put(FileTransaction& tx, const std::string& path, const std::string& data, mode_t mode, const char* kind,
             const std::string& name) {
    MQTTPKI_TRY(tx.Stage(path, data, mode));
    report_.files.push_back({path, kind, name});
    return Status::Ok();
  }

  FileSystem& fs_;
  const std::string& source_;
  const PkiDir& dest_;
  int64_t now_;
  Report& report_;
  std::vector<Entity> entities_;  // not resized after Scan: the pointers below point into it
  const Entity* root_ = nullptr;
  std::map<std::string, const Entity*> issuer_of_;
};

}  // namespace

Status ImportTutorialPki(const std::string& source, const PkiDir& dest, int64_t now, PassphraseProvider& pass,
                         FileTransaction& tx, Report& report) {
  TutorialImport import(source, dest, now, report);
  MQTTPKI_TRY(import.Scan());
  MQTTPKI_TRY(import.AssignRoles());
  MQTTPKI_TRY(import.CheckCas());
  MQTTPKI_TRY(import.LinkIssuers());
  MQTTPKI_TRY(import.ReadKeys(pass));
  return import.Stage(tx);
}

}  // namespace mqttpki

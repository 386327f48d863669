// PkiDir: the layout, the subject defaults, staging files and reading certificates back. The CAs' lifecycle is in
// pki_dir_ca.cc, leaf issuance and the CSR policy in pki_dir_leaf.cc.
#include "mqttpki/pki_dir.h"

#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace mqttpki {

PkiDir::PkiDir(std::string root, FileSystem& fs, StoreOptions store) : root_(std::move(root)), fs_(fs), store_(store) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  if (root_.empty()) root_ = ".";
}

std::string PkiDir::Path(const std::string& relative) const { return root_ + "/" + relative; }
std::string PkiDir::KeyPath(const std::string& name) const { return Path(name + "/private/" + name + ".key.pem"); }
std::string PkiDir::CertPath(const std::string& name) const { return Path(name + "/certs/" + name + ".cert.pem"); }
std::string PkiDir::CsrPath(const std::string& name) const { return Path(name + "/csr/" + name + ".csr.pem"); }
std::string PkiDir::ChainPath(const std::string& name) const { return Path(name + "/" + name + ".chain.pem"); }
std::string PkiDir::CrlPath(const std::string& ca, bool der) const {
  return Path(ca + "/crl/" + ca + (der ? ".crl.der" : ".crl.pem"));
}
std::string PkiDir::Relative(const std::string& path) const {
  std::string prefix = root_ + "/";
  if (path.compare(0, prefix.size(), prefix) == 0) return path.substr(prefix.size());
  // Any other path: relative to the PKI directory if it lies inside it (spelled another way), else absolute,
  // so that Resolve finds it again from wherever the PKI is used.
  std::string abs = std::filesystem::absolute(path).lexically_normal().string();
  std::string root = std::filesystem::absolute(root_).lexically_normal().string();
  if (!root.empty() && root.back() == '/') root.pop_back();
  return abs.compare(0, root.size() + 1, root + "/") == 0 ? abs.substr(root.size() + 1) : abs;
}

std::string PkiDir::Resolve(const std::string& relative) const {
  if (relative.empty() || relative[0] == '/') return relative;
  return Path(relative);
}

std::string PkiDir::ArchivePath(const std::string& name, const std::string& serial, const std::string& file) const {
  return Path(name + "/archive/" + serial + "/" + file);
}
std::string PkiDir::CombinedCrlPath() const { return Path("crl.pem"); }
std::string PkiDir::BundlePath() const { return Path("ca-bundle.pem"); }
std::string PkiDir::ConfigPath() const { return Path("mqttpki.json"); }

Status PkiDir::ValidateName(const std::string& name, const std::string& what) {
  if (name.empty()) return MakeError(ErrorCode::kUsage, "a " + what + " is required");
  if (name.size() > 64) {
    return MakeError(ErrorCode::kUsage,
                     what + " '" + Printable(name.substr(0, 64)) + "...' is longer than 64 characters");
  }
  if (name[0] == '.' || name[0] == '-') {
    return MakeError(ErrorCode::kUsage,
                     "invalid " + what + " '" + Printable(name) + "': it must not start with '.' or '-'");
  }
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) {
      auto u = static_cast<unsigned char>(c);
      std::string bad = c == '/'                ? "'/'"
                        : u < 0x20 || u == 0x7f ? "a control character"
                        : u >= 0x80             ? "a character that is not ASCII"
                                                : "'" + Printable(std::string(1, c)) + "'";
      return MakeError(ErrorCode::kUsage, "invalid " + what + " '" + Printable(name) + "': it contains " + bad +
                                              "; use letters, digits, '.', '_' and '-' only (it becomes a directory)");
    }
  }
  return Status::Ok();
}

Result<SubjectDefaults> PkiDir::Defaults() const {
  SubjectDefaults d;
  MQTTPKI_ASSIGN_OR_RETURN(bool exists, fs_.Exists(ConfigPath()));
  if (!exists) return d;
  MQTTPKI_ASSIGN_OR_RETURN(std::string text, fs_.ReadFile(ConfigPath(), 1024 * 1024));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return MakeError(ErrorCode::kInput, ConfigPath() + " is not valid JSON; fix it or run " + Op("init --force"))
        .WithFile(ConfigPath());
  }
  auto get = [&j](const char* key, std::string& out) {
    auto it = j.find(key);
    if (it != j.end() && it->is_string()) out = it->get<std::string>();
  };
  get("organization", d.organization);
  get("country", d.country);
  get("org_unit", d.org_unit);
  // A bad value here is bad input in a file, not a usage error: say which file to fix.
  DistinguishedName check{d.country, d.organization, d.org_unit, ""};
  if (Status st = check.Validate(); !st.ok()) {
    return MakeError(ErrorCode::kInput,
                     ConfigPath() + ": " + st.error().message + "; fix it or run " + Op("init --force"))
        .WithFile(ConfigPath());
  }
  return d;
}

Status PkiDir::StageFile(const std::string& path, std::string data, mode_t mode, const std::string& kind,
                         const std::string& name, FileTransaction& tx, Report& report) const {
  if (data.empty()) return MakeError(ErrorCode::kInternal, "refusing to write an empty " + kind + " to " + path);
  MQTTPKI_TRY(tx.Stage(path, std::move(data), mode));
  report.files.push_back({path, kind, name});
  return Status::Ok();
}

Status PkiDir::Init(const SubjectDefaults& d, FileTransaction& tx, Report& report) const {
  DistinguishedName check{d.country, d.organization, d.org_unit, ""};
  MQTTPKI_TRY(check.Validate());
  nlohmann::json j = {{"organization", d.organization}, {"country", d.country}, {"org_unit", d.org_unit}};
  return StageFile(ConfigPath(), j.dump(2) + "\n", kPublicMode, "config", "", tx, report);
}

Status PkiDir::StageKey(const std::string& name, const PrivateKey& key, bool encrypt, PassphraseProvider& pass,
                        FileTransaction& tx, Report& report) const {
  std::string path = KeyPath(name);
  Result<Secret> pem = Secret();
  if (encrypt) {
    MQTTPKI_ASSIGN_OR_RETURN(Secret passphrase, pass.ForNewKey(path));
    pem = key.ToPem(&passphrase);
  } else {
    pem = key.ToPem(nullptr);
  }
  if (!pem.ok()) return pem.error();
  return StageFile(path, pem->str(), kKeyMode, "key", name, tx, report);
}

Status PkiDir::WriteBundle(const Certificate& root, const std::vector<Certificate>& intermediates, FileTransaction& tx,
                           Report& report) const {
  std::string pem;
  for (const Certificate& c : intermediates) pem += c.ToPem();
  pem += root.ToPem();
  MQTTPKI_ASSIGN_OR_RETURN(bool exists, fs_.Exists(BundlePath()));
  if (exists) {
    Result<std::string> current = fs_.ReadFile(BundlePath(), kMaxInputBytes);
    if (current.ok() && *current == pem) return Status::Ok();  // already what it should be
  }
  return StageFile(BundlePath(), pem, kPublicMode, "bundle", "", tx, report);
}

Result<Certificate> PkiDir::LoadCertificate(const std::string& name) const {
  std::string path = CertPath(name);
  MQTTPKI_ASSIGN_OR_RETURN(bool exists, fs_.Exists(path));
  if (!exists) {
    if (name == kRootName) {
      return MakeError(ErrorCode::kInput, "no root CA in " + root_ + ": " + path + " does not exist (run " +
                                              Op("root create") + " or " + Op("quickstart") + ")");
    }
    return MakeError(ErrorCode::kInput,
                     "no certificate for '" + name + "' in " + root_ + ": " + path + " does not exist");
  }
  MQTTPKI_ASSIGN_OR_RETURN(std::string pem, fs_.ReadFile(path, kMaxInputBytes));
  return Certificate::FromPem(pem, path);
}

Result<bool> PkiDir::HasCertificate(const std::string& name) const { return fs_.Exists(CertPath(name)); }

void PkiDir::RecordIssued(Report& report, const Certificate& cert, const std::string& name, const std::string& ca,
                          Profile profile, bool has_key, bool has_chain, int64_t now) const {
  CertRecord r = CertRecord::FromCertificate(cert);
  r.name = name;
  r.ca = ca;
  r.profile = ProfileName(profile);
  r.cert_path = Relative(CertPath(name));
  r.key_path = has_key ? Relative(KeyPath(name)) : "";
  r.chain_path = has_chain ? Relative(ChainPath(name)) : "";
  r.recorded_at = now;
  report.inventory.inserts.push_back(r);
  Result<std::string> old_pem = fs_.ReadFile(CertPath(name), kMaxInputBytes);
  if (old_pem.ok()) {
    Result<std::vector<Certificate>> old = Certificate::AllFromPem(*old_pem, CertPath(name));
    if (old.ok() && !old->empty() && old->front().SerialHex() != r.serial) {
      report.inventory.status_changes.push_back(
          {old->front().SerialHex(), CertStatus::kSuperseded, RevocationReason::kSuperseded, now});
    }
  }
}

}  // namespace mqttpki

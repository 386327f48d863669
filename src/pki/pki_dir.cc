#include "mqttpki/pki_dir.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace mqttpki {
namespace {

constexpr mode_t kKeyMode = 0400;
constexpr mode_t kPublicMode = 0644;

int DaysOr(int days, Profile profile) { return days > 0 ? days : DefaultDays(profile); }

std::string Pick(const std::optional<std::string>& flag, const std::string& fallback) {
  return flag ? *flag : fallback;
}

}  // namespace

PkiDir::PkiDir(std::string root, FileSystem& fs, StoreOptions store)
    : root_(std::move(root)), fs_(fs), store_(store) {
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
      std::string bad = c == '/'                  ? "'/'"
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
    return MakeError(ErrorCode::kInput, ConfigPath() + ": " + st.error().message + "; fix it or run " +
                                            Op("init --force"))
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

Status PkiDir::StageLeafKey(const std::string& name, const PrivateKey& key, bool encrypt, PassphraseProvider* key_pass,
                            FileTransaction& tx, Report& report) const {
  if (encrypt && key_pass == nullptr) return MakeError(ErrorCode::kInternal, "no passphrase source for a leaf key");
  PassphraseProvider none(fs_, "");
  return StageKey(name, key, encrypt, encrypt ? *key_pass : none, tx, report);
}

Status PkiDir::CheckLeafName(const std::string& name) const {
  MQTTPKI_TRY(ValidateName(name));
  if (name == kRootName) return MakeError(ErrorCode::kUsage, "'root-ca' is reserved for the root CA");
  Result<std::string> pem = fs_.ReadFile(CertPath(name), kMaxInputBytes);
  if (pem.ok()) {
    Result<std::vector<Certificate>> certs = Certificate::AllFromPem(*pem, CertPath(name));
    if (certs.ok() && !certs->empty() && certs->front().IsCa()) {
      return MakeError(ErrorCode::kInput, "'" + name + "' is a CA in " + root_ + ": a server or device needs another name");
    }
  }
  return Status::Ok();
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

DistinguishedName PkiDir::CaSubject(const std::string& name, const CaOptions& o, const SubjectDefaults& d) const {
  DistinguishedName dn;
  dn.country = Pick(o.country, d.country);
  dn.organization = Pick(o.organization, d.organization);
  dn.org_unit = Pick(o.org_unit, d.org_unit);
  if (!o.common_name.empty()) {
    dn.common_name = o.common_name;
  } else if (name == kRootName) {
    dn.common_name = dn.organization + " Root CA";
  } else if (name == kDefaultServerCaName) {
    dn.common_name = dn.organization + " MQTT Server CA";
  } else if (name == kDefaultDeviceCaName) {
    dn.common_name = dn.organization + " Device CA";
  } else {
    dn.common_name = dn.organization + " " + name;
  }
  return dn;
}

Result<CaMaterial> CaMaterial::InMemory(std::string name, Certificate cert, PrivateKey key,
                                        std::vector<Certificate> chain) {
  MQTTPKI_ASSIGN_OR_RETURN(std::unique_ptr<Signer> signer, KeySigner(key));
  return CaMaterial{std::move(name), std::move(cert), std::move(key), std::move(chain), std::move(signer)};
}

Result<CaMaterial> PkiDir::CreateRoot(const CaOptions& o, int64_t now, PassphraseProvider& pass,
                                      FileTransaction& tx, Report& report) const {
  MQTTPKI_ASSIGN_OR_RETURN(SubjectDefaults d, Defaults());
  DistinguishedName dn = CaSubject(kRootName, o, d);
  MQTTPKI_TRY(dn.Validate());
  // Refuse before spending time on a key we could not write.
  MQTTPKI_TRY(tx.Check(KeyPath(kRootName)));
  MQTTPKI_TRY(tx.Check(CertPath(kRootName)));
  MQTTPKI_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::Generate(o.key));
  IssueOptions io;
  io.profile = Profile::kRoot;
  io.subject = dn;
  io.days = DaysOr(o.days, Profile::kRoot);
  io.now = now;
  MQTTPKI_ASSIGN_OR_RETURN(std::unique_ptr<Signer> self, KeySigner(key));
  MQTTPKI_ASSIGN_OR_RETURN(IssueResult issued, Issue(io, key.get(), nullptr, *self));
  MQTTPKI_TRY(StageKey(kRootName, key, o.protection.encrypt, pass, tx, report));
  MQTTPKI_TRY(StageFile(CertPath(kRootName), issued.certificate.ToPem(), kPublicMode, "certificate", kRootName, tx,
                        report));
  RecordIssued(report, issued.certificate, kRootName, kRootName, Profile::kRoot, true, false, now);
  for (auto& w : issued.warnings) report.warnings.push_back(w);
  return CaMaterial{kRootName, issued.certificate, std::move(key), {}, std::move(self)};
}

Result<CaMaterial> PkiDir::CreateIntermediate(const std::string& name, const CaOptions& o, const CaMaterial& root,
                                              int64_t now, PassphraseProvider& pass, FileTransaction& tx,
                                              Report& report) const {
  MQTTPKI_TRY(ValidateName(name));
  if (name == kRootName) {
    return MakeError(ErrorCode::kUsage, "'" + std::string(kRootName) + "' is the root; use " + Op("root create"));
  }
  MQTTPKI_ASSIGN_OR_RETURN(SubjectDefaults d, Defaults());
  DistinguishedName dn = CaSubject(name, o, d);
  MQTTPKI_TRY(dn.Validate());
  for (const std::string& p : {KeyPath(name), CsrPath(name), CertPath(name)}) MQTTPKI_TRY(tx.Check(p));
  MQTTPKI_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::Generate(o.key));
  MQTTPKI_ASSIGN_OR_RETURN(CertificateRequest csr, CertificateRequest::Create(key, dn, {}));
  IssueOptions io;
  io.profile = Profile::kIntermediate;
  io.subject = dn;
  io.days = DaysOr(o.days, Profile::kIntermediate);
  io.now = now;
  io.ca_for = o.issues_for;
  MQTTPKI_ASSIGN_OR_RETURN(IssueResult issued, Issue(io, csr.PublicKey(), &root.cert, *root.signer));
  MQTTPKI_TRY(StageKey(name, key, o.protection.encrypt, pass, tx, report));
  MQTTPKI_TRY(StageFile(CsrPath(name), csr.ToPem(), kPublicMode, "csr", name, tx, report));
  MQTTPKI_TRY(StageFile(CertPath(name), issued.certificate.ToPem(), kPublicMode, "certificate", name, tx, report));
  RecordIssued(report, issued.certificate, name, root.name, Profile::kIntermediate, true, false, now);
  for (auto& w : issued.warnings) report.warnings.push_back(w);
  std::vector<Certificate> chain{issued.certificate};
  for (const Certificate& c : root.chain) chain.push_back(c);
  return CaMaterial::InMemory(name, issued.certificate, std::move(key), std::move(chain));
}

Result<PkiDir::KeyAndCsr> PkiDir::MakeKeyAndCsr(const std::string& name, const LeafOptions& o,
                                               FileTransaction& tx) const {
  MQTTPKI_TRY(CheckLeafName(name));
  if (o.sans.empty() && o.profile == Profile::kServer) {
    return MakeError(ErrorCode::kUsage, "a server certificate needs at least one " + Arg("san") + " (DNS name or IP address)");
  }
  MQTTPKI_ASSIGN_OR_RETURN(SubjectDefaults d, Defaults());
  DistinguishedName dn;
  dn.country = Pick(o.country, d.country);
  dn.organization = Pick(o.organization, d.organization);
  dn.org_unit = o.org_unit.value_or("");
  // The CN is the first SAN unless given: for an IP target that puts the address in the CN too, for clients
  // (BearSSL) that ignore IP SANs.
  LeafNames names = CanonicalLeafNames(o.common_name, o.sans, name);
  dn.common_name = names.common_name;
  MQTTPKI_TRY(dn.Validate());
  for (const std::string& p : {KeyPath(name), CsrPath(name)}) MQTTPKI_TRY(tx.Check(p));
  MQTTPKI_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::Generate(o.key));
  MQTTPKI_ASSIGN_OR_RETURN(CertificateRequest csr, CertificateRequest::Create(key, dn, names.sans));
  return KeyAndCsr{std::move(key), std::move(csr), std::move(dn), std::move(names.sans)};
}

Result<CertificateRequest> PkiDir::CreateCsr(const std::string& name, const LeafOptions& o, FileTransaction& tx,
                                             Report& report) const {
  MQTTPKI_ASSIGN_OR_RETURN(KeyAndCsr kc, MakeKeyAndCsr(name, o, tx));
  MQTTPKI_TRY(StageLeafKey(name, kc.key, o.encrypt_key, o.key_pass, tx, report));
  MQTTPKI_TRY(StageFile(CsrPath(name), kc.csr.ToPem(), kPublicMode, "csr", name, tx, report));
  return std::move(kc.csr);
}

Result<Certificate> PkiDir::IssueLeaf(const std::string& name, const LeafOptions& o, const CaMaterial& ca,
                                      int64_t now, FileTransaction& tx,
                                      Report& report) const {
  if (ca.name == kRootName) {
    report.warnings.push_back(
        "signing with the root CA directly (one-CA setup): an intermediate (" + Op("ca create server-ca") +
        ") keeps the root key offline and can be rotated without touching devices");
  }
  MQTTPKI_TRY(tx.Check(CertPath(name)));
  MQTTPKI_TRY(tx.Check(ChainPath(name)));
  MQTTPKI_ASSIGN_OR_RETURN(KeyAndCsr kc, MakeKeyAndCsr(name, o, tx));
  MQTTPKI_TRY(StageLeafKey(name, kc.key, o.encrypt_key, o.key_pass, tx, report));
  MQTTPKI_TRY(StageFile(CsrPath(name), kc.csr.ToPem(), kPublicMode, "csr", name, tx, report));
  // Signed from the key and the names as they were worked out, not read back out of the CSR (which is an output).
  IssueOptions io;
  io.profile = o.profile;
  io.subject = std::move(kc.subject);
  io.sans = std::move(kc.sans);
  io.days = DaysOr(o.days, o.profile);
  io.now = now;
  return IssueAndStage(name, io, kc.key.get(), ca, /*has_key=*/true, now, tx, report);
}

Status CheckCsrPolicy(const CertificateRequest& csr, const std::string& what) {
  // Every refusal below is of something the requester asked for; the profile decides every other extension.
  MQTTPKI_TRY(csr.VerifySignature(what));
  // Policy: only the key types this tool issues, and only well-formed names.
  if (!KeyTypeFromDescription(csr.KeyDescription())) {
    return MakeError(ErrorCode::kInput, what + " has a " + csr.KeyDescription() +
                                            " key: mqttpki signs EC P-256/P-384 and RSA 2048-4096 keys only");
  }
  if (std::string ca = csr.CaRequest(); !ca.empty()) {
    return MakeError(ErrorCode::kInput, what + " asks for " + ca + ": mqttpki signs leaf certificates from CSRs, "
                                            "never a CA (create CAs with " + Op("ca create") + ")");
  }
  for (const std::string& other : csr.UnsupportedSans()) {
    return MakeError(ErrorCode::kInput, what + " asks for a name that is not allowed: " + other +
                                            " (mqttpki issues DNS names and IP addresses only)");
  }
  for (const SubjectAltName& s : csr.Sans()) {
    Result<SubjectAltName> checked = ParseSan(s.ToString());
    if (!checked.ok()) {
      return MakeError(ErrorCode::kInput, what + " asks for a name that is not allowed: " +
                                              checked.error().message.substr(checked.error().message.find(": ") + 2) +
                                              " ('" + Printable(s.value) + "')");
    }
  }
  if (Status st = csr.SubjectFields().Validate(); !st.ok()) {
    return MakeError(ErrorCode::kInput, what + " has an invalid subject: " + st.error().message);
  }
  return Status::Ok();
}

Result<Certificate> PkiDir::SignCsr(const std::string& name, const CertificateRequest& csr, const SignOptions& o,
                                    const CaMaterial& ca, int64_t now, FileTransaction& tx, Report& report) const {
  MQTTPKI_TRY(ValidateName(name));
  if (name == kRootName) return MakeError(ErrorCode::kUsage, "'root-ca' is reserved for the root CA");
  if (o.profile != Profile::kServer && o.profile != Profile::kClient) {
    return MakeError(ErrorCode::kUsage, "a CSR is signed with the server or client profile only");
  }
  MQTTPKI_TRY(CheckLeafName(name));
  MQTTPKI_TRY(CheckCsrPolicy(csr, "the CSR for " + name));
  return IssueFromCsr(name, csr, o, ca, now, tx, report);
}

Result<Certificate> PkiDir::IssueFromCsr(const std::string& name, const CertificateRequest& csr, const SignOptions& o,
                                         const CaMaterial& ca, int64_t now, FileTransaction& tx,
                                         Report& report) const {
  IssueOptions io;
  io.profile = o.profile;
  // Policy: the subject's C, O, OU, CN and the SANs are all a CSR decides; extensions come from the profile.
  io.subject = csr.SubjectFields();
  std::vector<SubjectAltName> sans = CanonicalSans(o.sans.empty() ? csr.Sans() : o.sans);
  if (!o.sans.empty()) {
    // The CA's names replace the CSR's; a CN that is not one of them gives way to the first.
    Result<SubjectAltName> cn = ParseSan(io.subject.common_name);
    if (!cn.ok() || std::find(sans.begin(), sans.end(), *cn) == sans.end()) io.subject.common_name.clear();
  }
  LeafNames names = CanonicalLeafNames(io.subject.common_name, sans, name);
  io.subject.common_name = std::move(names.common_name);
  io.sans = std::move(names.sans);
  io.days = DaysOr(o.days, o.profile);
  io.now = now;
  // A signed CSR's key lives elsewhere: it is not recorded.
  return IssueAndStage(name, io, csr.PublicKey(), ca, /*has_key=*/false, now, tx, report);
}

Result<Certificate> PkiDir::IssueAndStage(const std::string& name, const IssueOptions& io, evp_pkey_st* public_key,
                                          const CaMaterial& ca, bool has_key, int64_t now, FileTransaction& tx,
                                          Report& report) const {
  MQTTPKI_ASSIGN_OR_RETURN(IssueResult issued, Issue(io, public_key, &ca.cert, *ca.signer));
  for (auto& w : issued.warnings) report.warnings.push_back(w);
  std::string chain = issued.certificate.ToPem();
  for (const Certificate& c : ca.chain) chain += c.ToPem();
  MQTTPKI_TRY(StageFile(CertPath(name), issued.certificate.ToPem(), kPublicMode, "certificate", name, tx, report));
  MQTTPKI_TRY(StageFile(ChainPath(name), chain, kPublicMode, "chain", name, tx, report));
  RecordIssued(report, issued.certificate, name, ca.name, io.profile, has_key, true, now);
  return issued.certificate;
}

Status PkiDir::WriteBundle(const Certificate& root, const std::vector<Certificate>& intermediates,
                           FileTransaction& tx, Report& report) const {
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
      return MakeError(ErrorCode::kInput, "no root CA in " + root_ + ": " + path +
                                              " does not exist (run " + Op("root create") + " or " + Op("quickstart") + ")");
    }
    return MakeError(ErrorCode::kInput, "no certificate for '" + name + "' in " + root_ + ": " + path +
                                            " does not exist");
  }
  MQTTPKI_ASSIGN_OR_RETURN(std::string pem, fs_.ReadFile(path, kMaxInputBytes));
  return Certificate::FromPem(pem, path);
}

Result<bool> PkiDir::HasCertificate(const std::string& name) const { return fs_.Exists(CertPath(name)); }

Result<CaMaterial> PkiDir::LoadCa(const std::string& name, PassphraseProvider& pass) const {
  MQTTPKI_TRY(ValidateName(name));
  Result<Certificate> cert = LoadCertificate(name);
  if (!cert.ok()) {
    if (name != kRootName && cert.error().code == ErrorCode::kInput) {
      return MakeError(ErrorCode::kInput, "no CA '" + name + "' in " + root_ + ": " + CertPath(name) +
                                              " does not exist (run " + Op("ca create " + name) + ")");
    }
    return cert.error();
  }
  if (!cert->IsCa()) return MakeError(ErrorCode::kInput, CertPath(name) + " is not a CA certificate");
  std::string key_path = KeyPath(name);
  MQTTPKI_ASSIGN_OR_RETURN(bool key_exists, fs_.Exists(key_path));
  if (!key_exists) {
    return MakeError(ErrorCode::kInput, "the key of CA '" + name + "' is not here: " + key_path +
                                            " does not exist (is this the offline CA machine?)");
  }
  MQTTPKI_ASSIGN_OR_RETURN(LoadedKey key, ReadPrivateKey(fs_, key_path, pass));
  if (!cert->MatchesKey(key.key)) {
    return MakeError(ErrorCode::kInput, key_path + " is not the key of " + CertPath(name));
  }
  std::vector<Certificate> chain;
  // An intermediate's chain is itself (and, were there more levels, its issuers up to the root).
  if (!cert->IsSelfIssued()) chain.push_back(*cert);
  return CaMaterial::InMemory(name, *cert, std::move(key.key), std::move(chain));
}

Result<Certificate> PkiDir::Reissue(const std::string& name, const CaMaterial& ca, Profile profile, bool rekey,
                                    std::optional<KeyType> key_type, int days, int64_t now,
                                    PassphraseProvider* key_pass, FileTransaction& tx, Report& report) const {
  MQTTPKI_ASSIGN_OR_RETURN(Certificate old, LoadCertificate(name));
  if (old.IsCa()) {
    return MakeError(ErrorCode::kInput, "'" + name + "' is a CA: use " + Op("rotate " + name) + " for a CA");
  }
  IssueOptions io;
  io.profile = profile;
  io.subject = old.SubjectFields();
  io.sans = old.Sans();
  io.days = DaysOr(days, profile);
  io.now = now;
  PrivateKey new_key;
  evp_pkey_st* public_key = old.PublicKey();
  if (rekey) {
    KeyType type = key_type.value_or(KeyTypeFromDescription(old.KeyDescription()).value_or(KeyType::kEcP256));
    MQTTPKI_ASSIGN_OR_RETURN(new_key, PrivateKey::Generate(type));
    Result<std::string> old_key_pem = fs_.ReadFile(KeyPath(name), kMaxInputBytes);
    bool encrypt = old_key_pem.ok() && PrivateKey::IsEncryptedPem(*old_key_pem);
    MQTTPKI_ASSIGN_OR_RETURN(CertificateRequest csr, CertificateRequest::Create(new_key, io.subject, io.sans));
    MQTTPKI_TRY(StageLeafKey(name, new_key, encrypt, key_pass, tx, report));
    MQTTPKI_TRY(StageFile(CsrPath(name), csr.ToPem(), kPublicMode, "csr", name, tx, report));
    public_key = new_key.get();
  }
  bool has_key = rekey || fs_.Exists(KeyPath(name)).value_or(false);
  return IssueAndStage(name, io, public_key, ca, has_key, now, tx, report);
}

Result<CaMaterial> PkiDir::RotateIntermediate(const CaMaterial& old, const CaMaterial& root, int days, int64_t now,
                                              PassphraseProvider& pass, FileTransaction& tx, Report& report) const {
  const std::string& name = old.name;
  if (name == kRootName) return MakeError(ErrorCode::kUsage, "the root is not rotated: devices trust it");
  // Keep the old CA's files: certificates it issued stay valid until they expire or are revoked.
  std::string archive = ArchivePath(name, old.cert.SerialHex(), "");
  struct Keep {
    std::string from, to;
    mode_t mode;
    const char* kind;
  };
  std::vector<Keep> keep = {{KeyPath(name), archive + "private/" + name + ".key.pem", kKeyMode, "key"},
                            {CertPath(name), archive + name + ".cert.pem", kPublicMode, "certificate"},
                            {CsrPath(name), archive + name + ".csr.pem", kPublicMode, "csr"}};
  bool encrypted = false;
  for (const Keep& k : keep) {
    Result<std::string> data = fs_.ReadFile(k.from, kMaxInputBytes);
    if (!data.ok()) continue;  // an intermediate made elsewhere may have no CSR here
    if (std::string(k.kind) == "key") encrypted = PrivateKey::IsEncryptedPem(*data);
    MQTTPKI_ASSIGN_OR_RETURN(bool exists, fs_.Exists(k.to));
    if (exists) return MakeError(ErrorCode::kExists, k.to + " exists: this CA was already archived");
    Secret content(std::move(*data));
    MQTTPKI_TRY(StageFile(k.to, content.str(), k.mode, k.kind, name, tx, report));
  }
  CaOptions o;
  DistinguishedName dn = old.cert.SubjectFields();
  o.common_name = dn.common_name;
  o.organization = dn.organization;
  o.country = dn.country;
  o.org_unit = dn.org_unit;
  o.key = old.key.Type().value_or(KeyType::kEcP256);
  o.days = days;
  o.protection.encrypt = encrypted;
  o.issues_for = CaIssuesFor(old.cert);  // a device CA stays one
  return CreateIntermediate(name, o, root, now, pass, tx, report);
}

std::string PkiDir::ArchivePath(const std::string& name, const std::string& serial, const std::string& file) const {
  return Path(name + "/archive/" + serial + "/" + file);
}

Result<std::vector<CaMaterial>> PkiDir::LoadArchivedCas(const std::string& name, int64_t now,
                                                         PassphraseProvider& pass) const {
  std::vector<CaMaterial> out;
  std::string archive = Path(name + "/archive");
  MQTTPKI_ASSIGN_OR_RETURN(bool rotated, fs_.Exists(archive));
  if (!rotated) return out;
  MQTTPKI_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, fs_.ListDir(archive));
  std::vector<std::string> serials;
  for (const DirEntry& e : entries) {
    if (e.is_dir) serials.push_back(e.name);
  }
  std::sort(serials.begin(), serials.end());
  for (const std::string& serial : serials) {
    std::string cert_path = ArchivePath(name, serial, name + ".cert.pem");
    Result<std::string> pem = fs_.ReadFile(cert_path, kMaxInputBytes);
    if (!pem.ok()) continue;
    MQTTPKI_ASSIGN_OR_RETURN(Certificate cert, Certificate::FromPem(*pem, cert_path));
    if (cert.NotAfter() <= now) continue;
    std::string key_path = ArchivePath(name, serial, "private/" + name + ".key.pem");
    MQTTPKI_ASSIGN_OR_RETURN(LoadedKey key, ReadPrivateKey(fs_, key_path, pass));
    if (!cert.MatchesKey(key.key)) return MakeError(ErrorCode::kInput, key_path + " is not the key of " + cert_path);
    MQTTPKI_ASSIGN_OR_RETURN(CaMaterial archived, CaMaterial::InMemory(name + "@" + serial, cert, std::move(key.key), {cert}));
    out.push_back(std::move(archived));
  }
  return out;
}

}  // namespace mqttpki

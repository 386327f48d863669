// PkiDir's CAs: the root and the intermediates made, loaded for signing, rotated and archived.
#include <algorithm>

#include "mqttpki/pki_dir.h"

namespace mqttpki {

DistinguishedName PkiDir::CaSubject(const std::string& name, const CaOptions& o, const SubjectDefaults& d) const {
  DistinguishedName dn;
  dn.country = o.country.value_or(d.country);
  dn.organization = o.organization.value_or(d.organization);
  dn.org_unit = o.org_unit.value_or(d.org_unit);
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

Result<CaMaterial> PkiDir::CreateRoot(const CaOptions& o, int64_t now, PassphraseProvider& pass, FileTransaction& tx,
                                      Report& report) const {
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
  io.days = ValidityDays(o.days, Profile::kRoot);
  io.now = now;
  MQTTPKI_ASSIGN_OR_RETURN(std::unique_ptr<Signer> self, KeySigner(key));
  MQTTPKI_ASSIGN_OR_RETURN(IssueResult issued, Issue(io, key.get(), nullptr, *self));
  MQTTPKI_TRY(StageKey(kRootName, key, o.protection.encrypt, pass, tx, report));
  MQTTPKI_TRY(
      StageFile(CertPath(kRootName), issued.certificate.ToPem(), kPublicMode, "certificate", kRootName, tx, report));
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
  io.days = ValidityDays(o.days, Profile::kIntermediate);
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
    MQTTPKI_ASSIGN_OR_RETURN(CaMaterial archived,
                             CaMaterial::InMemory(name + "@" + serial, cert, std::move(key.key), {cert}));
    out.push_back(std::move(archived));
  }
  return out;
}

}  // namespace mqttpki

// The life of a certificate after it is issued: the inventory as operations find it, revoke, CRLs, renewal and
// rotation.
#include <algorithm>
#include <cctype>

#include "mqttpki/crl.h"
#include "mqttpki/fs.h"
#include "mqttpki/ops.h"

namespace mqttpki::ops {
namespace {

constexpr int64_t kDay = 86400;
// A CRL that lapses makes Mosquitto refuse every client: warn this long before its nextUpdate.
constexpr int64_t kCrlWarnSeconds = 7 * kDay;

bool LooksLikeSerial(const std::string& s) {
  std::string n = NormalizeSerial(s);
  return n.size() >= 8 &&
         std::all_of(n.begin(), n.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

// CasToPublish is |only|, or every valid CA of the inventory whose key is here.
Result<std::vector<std::string>> CasToPublish(const PkiDir& pki, Store& store, const std::string& only) {
  std::vector<std::string> cas;
  if (!only.empty()) {
    MQTTPKI_TRY(PkiDir::ValidateName(only));
    cas.push_back(only);
    return cas;
  }
  MQTTPKI_ASSIGN_OR_RETURN(std::vector<CertRecord> rows, store.List({}));
  for (const CertRecord& r : rows) {
    bool is_ca = r.profile == "root" || r.profile == "intermediate";
    if (is_ca && r.status == CertStatus::kValid && std::find(cas.begin(), cas.end(), r.name) == cas.end() &&
        pki.fs().Exists(pki.KeyPath(r.name)).value_or(false)) {
      cas.push_back(r.name);
    }
  }
  if (cas.empty()) return MakeError(ErrorCode::kInput, "no CA with its key in " + pki.root());
  return cas;
}

// CrlSigner is a CA instance that signs a CRL, and where that CRL goes.
struct CrlSigner {
  CaMaterial ca;
  std::string pem_path, der_path;
};

// CrlSigners loads each CA of |cas| and every earlier instance of it (a rotated intermediate) not yet expired.
Result<std::vector<CrlSigner>> CrlSigners(const PkiDir& pki, const std::vector<std::string>& cas,
                                          PassphraseProvider& pass, int64_t now) {
  std::vector<CrlSigner> signers;
  for (const std::string& name : cas) {
    MQTTPKI_ASSIGN_OR_RETURN(CaMaterial material, pki.LoadCa(name, pass));
    signers.push_back({std::move(material), pki.CrlPath(name, false), pki.CrlPath(name, true)});
    MQTTPKI_ASSIGN_OR_RETURN(std::vector<CaMaterial> archived, pki.LoadArchivedCas(name, now, pass));
    for (CaMaterial& old : archived) {
      std::string serial = old.cert.SerialHex();
      signers.push_back({std::move(old), pki.ArchivePath(name, serial, name + ".crl.pem"),
                         pki.ArchivePath(name, serial, name + ".crl.der")});
    }
  }
  return signers;
}

// CrlPemPath is where the PEM CRL of |crl_name| ("server-ca" or "server-ca@<serial>") lives.
std::string CrlPemPath(const PkiDir& pki, const std::string& crl_name) {
  size_t at = crl_name.find('@');
  if (at == std::string::npos) return pki.CrlPath(crl_name, false);
  std::string ca = crl_name.substr(0, at);
  return pki.ArchivePath(ca, crl_name.substr(at + 1), ca + ".crl.pem");
}

}  // namespace

Result<std::unique_ptr<Inventory>> RequireInventory(const PkiDir& pki, Access access, int64_t now) {
  MQTTPKI_ASSIGN_OR_RETURN(bool exists, pki.fs().Exists(pki.root()));
  if (!exists) {
    return MakeError(ErrorCode::kInput,
                     "no PKI in " + pki.root() + " (run " + Op("quickstart") + " or give " + Arg("pki") + " DIR)")
        .WithFile(pki.root());
  }
  if (access == Access::kRead) return Inventory::OpenForReading(pki, now);
  MQTTPKI_TRY(CheckWritableDir(pki.root(), "the PKI directory"));
  return Inventory::Open(pki, true, now);
}

Status CheckPkiWritable(const PkiDir& pki, int64_t now) {
  // Every operation that checks the inventory writes into the PKI directory: a read-only one (a backup, the
  // offline root's medium mounted read-only) is named as such now, not as a database error later.
  MQTTPKI_TRY(CheckWritableDir(pki.root(), "the PKI directory"));
  MQTTPKI_TRY(Inventory::Open(pki, false, now));
  return Status::Ok();
}

std::vector<std::string> CrlWarnings(Store& store, int64_t now) {
  std::vector<std::string> out;
  Result<std::vector<CrlState>> crls = store.Crls();
  for (const CrlState& c : crls.ok() ? *crls : std::vector<CrlState>{}) {
    std::string publish = Op("crl --ca " + c.ca.substr(0, c.ca.find('@')));
    if (c.next_update <= now) {
      out.push_back("the CRL of " + c.ca + " EXPIRED on " + FormatTime(c.next_update) +
                    ": brokers with crlfile refuse every client; run " + publish + " now");
    } else if (c.next_update - now < kCrlWarnSeconds) {
      out.push_back("the CRL of " + c.ca + " expires on " + FormatTime(c.next_update) + " (in " +
                    std::to_string((c.next_update - now) / 3600) + " hours): run " + publish);
    }
  }
  return out;
}

std::vector<std::string> RecoveryWarnings(const Inventory& inventory) {
  std::vector<std::string> out;
  if (inventory.unapplied_journals() > 0) {
    out.push_back(std::to_string(inventory.unapplied_journals()) + " pending journal(s) in " + kPendingDir +
                  " are not applied (the PKI directory is read-only): certificates of an interrupted command "
                  "may be missing here until a command runs where the PKI can be written");
  }
  if (inventory.unfinished_commits() > 0) {
    out.push_back(std::to_string(inventory.unfinished_commits()) +
                  " interrupted command(s) did not put all their files in place, and the PKI directory is "
                  "read-only: they are completed by the next command that runs where the PKI can be written "
                  "(their commit records are in " +
                  kPendingDir + ")");
  }
  return out;
}

std::string NormalizeSerial(const std::string& serial) {
  std::string out;
  for (char c : serial) {
    if (c == ':') continue;
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  while (out.size() > 1 && out[0] == '0') out.erase(0, 1);
  if (out.size() % 2 == 1) out.insert(0, "0");
  return out;
}

Result<CertRecord> FindRecord(Store& store, const std::string& what) {
  if (LooksLikeSerial(what)) {
    MQTTPKI_ASSIGN_OR_RETURN(std::optional<CertRecord> r, store.BySerial(NormalizeSerial(what)));
    if (r) return *r;
  }
  MQTTPKI_ASSIGN_OR_RETURN(std::optional<CertRecord> r, store.Current(what));
  if (r) return *r;
  ListFilter f;
  f.name = what;
  MQTTPKI_ASSIGN_OR_RETURN(std::vector<CertRecord> any, store.List(f));
  if (!any.empty()) {
    return MakeError(ErrorCode::kInput, "'" + Printable(what) + "' has no valid certificate (its latest is " +
                                            CertStatusName(any.back().status) + ")")
        .WithCertificate(what);
  }
  return MakeError(ErrorCode::kInput, "no certificate named or with serial '" + Printable(what) + "' in the inventory")
      .WithCertificate(what);
}

Result<CaMaterial> LoadIssuer(const PkiDir& pki, const std::string& name, PassphraseProvider& pass, int64_t now) {
  MQTTPKI_TRY(PkiDir::ValidateName(name));
  MQTTPKI_ASSIGN_OR_RETURN(std::unique_ptr<Inventory> inv, Inventory::Open(pki, false, now));
  if (inv) {
    ListFilter f;
    f.name = name;
    MQTTPKI_ASSIGN_OR_RETURN(std::vector<CertRecord> rows, inv->store().List(f));
    const CertRecord* latest = nullptr;
    for (const CertRecord& r : rows) {
      if (latest == nullptr || r.not_before >= latest->not_before) latest = &r;
    }
    if (latest != nullptr && latest->status == CertStatus::kRevoked) {
      return MakeError(ErrorCode::kInput, "the CA '" + name + "' was revoked on " + FormatTime(latest->revoked_at) +
                                              " (" + RevocationReasonName(latest->reason) +
                                              "): it must not issue; give it a new key first (" + Op("rotate " + name) +
                                              ")")
          .WithCertificate(latest->serial);
    }
  }
  return pki.LoadCa(name, pass);
}

Result<RevokeResult> Revoke(const PkiDir& pki, const std::string& what, RevocationReason reason, int64_t now) {
  MQTTPKI_ASSIGN_OR_RETURN(std::unique_ptr<Inventory> inv, RequireInventory(pki, Access::kWrite, now));
  MQTTPKI_ASSIGN_OR_RETURN(CertRecord r, FindRecord(inv->store(), what));
  if (r.profile == "root") {
    return MakeError(ErrorCode::kInput,
                     "the root CA cannot be revoked: devices trust it directly; replace "
                     "ca-bundle.pem on the devices instead")
        .WithCertificate(r.serial);
  }
  if (r.status == CertStatus::kRevoked) {
    return MakeError(ErrorCode::kInput,
                     r.name + " (serial " + r.serial + ") is already revoked since " + FormatTime(r.revoked_at))
        .WithCertificate(r.serial);
  }
  InventoryChange change;
  change.status_changes.push_back({r.serial, CertStatus::kRevoked, reason, now});
  MQTTPKI_TRY(ApplyChange(inv->store(), change));
  return RevokeResult{std::move(r), reason};
}

Result<CrlResult> PublishCrls(const PkiDir& pki, const CrlOptions& options, PassphraseProvider& pass, int64_t now) {
  if (options.days <= 0) return MakeError(ErrorCode::kUsage, Arg("days") + " must be a positive number of days");
  MQTTPKI_ASSIGN_OR_RETURN(std::unique_ptr<Inventory> inv, RequireInventory(pki, Access::kWrite, now));
  Store& store = inv->store();
  MQTTPKI_ASSIGN_OR_RETURN(std::vector<std::string> cas, CasToPublish(pki, store, options.ca));
  MQTTPKI_ASSIGN_OR_RETURN(std::vector<CrlSigner> signers, CrlSigners(pki, cas, pass, now));
  FileTransaction tx(pki.fs(), /*force=*/true);  // a CRL replaces the previous one
  CrlResult result;
  std::string combined;
  std::vector<std::string> published;
  for (CrlSigner& signer : signers) {
    const std::string& name = signer.ca.name;
    published.push_back(name);
    MQTTPKI_ASSIGN_OR_RETURN(std::vector<RevokedEntry> revoked, store.Revoked(name.substr(0, name.find('@')), now));
    MQTTPKI_ASSIGN_OR_RETURN(std::optional<CrlState> previous, store.Crl(name));
    CrlRequest req;
    req.number = previous ? previous->number + 1 : 1;
    req.this_update = now;
    req.next_update = now + static_cast<int64_t>(options.days) * kDay;
    MQTTPKI_ASSIGN_OR_RETURN(CrlFiles files, MakeCrl(signer.ca.cert, *signer.ca.signer, std::move(revoked), req));
    MQTTPKI_TRY(tx.Stage(signer.pem_path, files.pem, 0644));
    MQTTPKI_TRY(tx.Stage(signer.der_path, files.der, 0644));
    result.report.files.push_back({signer.pem_path, "crl", name});
    result.report.files.push_back({signer.der_path, "crl", name});
    result.report.inventory.crls.push_back({name, req.number, req.this_update, req.next_update});
    result.crls.push_back({name, req.number, files.entries, req.next_update});
    combined += files.pem;
  }
  // crl.pem holds every CA's current CRL (Mosquitto's crlfile, openssl verify -CRLfile): those published now, and
  // the CRLs of other CAs that have not lapsed.
  MQTTPKI_ASSIGN_OR_RETURN(std::vector<CrlState> all, store.Crls());
  for (const CrlState& c : all) {
    if (std::find(published.begin(), published.end(), c.ca) != published.end()) continue;
    if (c.next_update <= now) continue;
    Result<std::string> other = pki.fs().ReadFile(CrlPemPath(pki, c.ca), kMaxInputBytes);
    if (other.ok()) combined += *other;
  }
  MQTTPKI_TRY(tx.Stage(pki.CombinedCrlPath(), combined, 0644));
  result.report.files.push_back({pki.CombinedCrlPath(), "crl", ""});
  MQTTPKI_TRY(CommitWithInventory(pki, tx, result.report.inventory, now));
  return result;
}

Result<RenewResult> Renew(const PkiDir& pki, const RenewOptions& options, PassphraseProvider& ca_pass, int64_t now) {
  MQTTPKI_TRY(PkiDir::ValidateName(options.name));
  if (options.key && !options.rekey) return MakeError(ErrorCode::kUsage, Arg("key") + " goes with " + Arg("rekey"));
  MQTTPKI_ASSIGN_OR_RETURN(std::unique_ptr<Inventory> inv, RequireInventory(pki, Access::kWrite, now));
  MQTTPKI_ASSIGN_OR_RETURN(CertRecord r, FindRecord(inv->store(), options.name));
  if (r.profile == "root" || r.profile == "intermediate") {
    return MakeError(ErrorCode::kInput, "'" + options.name + "' is a CA: use " + Op("rotate " + options.name))
        .WithCertificate(r.serial);
  }
  MQTTPKI_ASSIGN_OR_RETURN(CaMaterial ca, LoadIssuer(pki, r.ca, ca_pass, now));
  FileTransaction tx(pki.fs(), /*force=*/true);  // renewing replaces the certificate (and key) in place
  RenewResult result;
  ReissueOptions ro;
  ro.profile = r.profile == "client" ? Profile::kClient : Profile::kServer;
  ro.rekey = options.rekey;
  ro.key = options.key;
  ro.days = options.days;
  ro.key_pass = options.key_pass;
  MQTTPKI_ASSIGN_OR_RETURN(result.cert, pki.Reissue(options.name, ca, ro, now, tx, result.report));
  MQTTPKI_TRY(CommitWithInventory(pki, tx, result.report.inventory, now));
  result.superseded = r.serial;
  return result;
}

Result<RenewalCheck> NeedsRenewal(const PkiDir& pki, const std::string& what, const RenewalPolicy& policy,
                                  int64_t now) {
  RenewalCheck check;
  check.file = what;
  bool is_file = what.find('/') != std::string::npos || pki.fs().Exists(what).value_or(false);
  if (!is_file) {
    MQTTPKI_TRY(PkiDir::ValidateName(what));
    check.file = pki.CertPath(what);
  }
  MQTTPKI_ASSIGN_OR_RETURN(std::string pem, pki.fs().ReadFile(check.file, kMaxInputBytes));
  MQTTPKI_ASSIGN_OR_RETURN(std::vector<Certificate> certs, Certificate::AllFromPem(pem, check.file));
  const Certificate& c = certs.front();
  check.not_after = c.NotAfter();
  check.renew_at = policy.window > 0 ? c.NotAfter() - policy.window
                                     : c.NotBefore() + (c.NotAfter() - c.NotBefore()) * policy.percent / 100;
  check.due = now >= check.renew_at;
  return check;
}

Result<RotateResult> Rotate(const PkiDir& pki, const RotateOptions& options, PassphraseProvider& pass, int64_t now) {
  MQTTPKI_TRY(PkiDir::ValidateName(options.ca));
  MQTTPKI_ASSIGN_OR_RETURN(std::unique_ptr<Inventory> inv, RequireInventory(pki, Access::kWrite, now));
  MQTTPKI_ASSIGN_OR_RETURN(CaMaterial old, pki.LoadCa(options.ca, pass));
  if (old.cert.IsSelfIssued()) {
    return MakeError(ErrorCode::kUsage, "'" + options.ca + "' is the root: devices trust it, it is not rotated");
  }
  MQTTPKI_ASSIGN_OR_RETURN(CaMaterial root, LoadIssuer(pki, kRootName, pass, now));
  // The servers it issued, to re-issue under the new intermediate.
  ListFilter f;
  f.ca = options.ca;
  f.status = CertStatus::kValid;
  MQTTPKI_ASSIGN_OR_RETURN(std::vector<CertRecord> issued, inv->store().List(f));
  FileTransaction tx(pki.fs(), /*force=*/true);
  RotateResult result;
  Report& report = result.report;
  MQTTPKI_ASSIGN_OR_RETURN(CaMaterial fresh, pki.RotateIntermediate(old, root, options.days, now, pass, tx, report));
  for (const CertRecord& r : issued) {
    if (r.profile != "server" || r.cert_path != pki.Relative(pki.CertPath(r.name))) continue;
    Result<Certificate> current = pki.LoadCertificate(r.name);
    if (!current.ok() || current->SerialHex() != r.serial) continue;  // not the file's certificate any more
    MQTTPKI_TRY(pki.Reissue(r.name, fresh, ReissueOptions{}, now, tx, report));  // a server, same key, default days
    result.reissued.push_back(r.name);
  }
  Result<std::string> bundle = pki.fs().ReadFile(pki.BundlePath(), kMaxInputBytes);
  if (bundle.ok() && bundle->find(old.cert.ToPem()) != std::string::npos) {
    report.warnings.push_back(pki.BundlePath() + " pins the old intermediate: devices using it need a new bundle (" +
                              Op("bundle --with-intermediate --force") + ")");
  }
  MQTTPKI_TRY(CommitWithInventory(pki, tx, report.inventory, now));
  result.cert = fresh.cert;
  return result;
}

}  // namespace mqttpki::ops

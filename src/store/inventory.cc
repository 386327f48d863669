#include "mqttpki/inventory.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <map>

#include "mqttpki/crl.h"
#include "mqttpki/issuer.h"
#include "mqttpki/pki_dir.h"
#include "mqttpki/sqlite_store.h"
#include "pki/internal.h"

namespace mqttpki {
namespace {

nlohmann::json RecordJson(const CertRecord& r) {
  return {{"serial", r.serial},       {"name", r.name},           {"ca", r.ca},
          {"profile", r.profile},     {"subject", r.subject},     {"issuer", r.issuer},
          {"sans", r.sans},           {"not_before", r.not_before}, {"not_after", r.not_after},
          {"status", CertStatusName(r.status)}, {"sha256", r.sha256}, {"cert_path", r.cert_path},
          {"key_path", r.key_path},   {"chain_path", r.chain_path}, {"recorded_at", r.recorded_at}};
}

CertRecord RecordFrom(const nlohmann::json& j) {
  CertRecord r;
  r.serial = j.value("serial", "");
  r.name = j.value("name", "");
  r.ca = j.value("ca", "");
  r.profile = j.value("profile", "");
  r.subject = j.value("subject", "");
  r.issuer = j.value("issuer", "");
  r.sans = j.value("sans", "");
  r.not_before = j.value("not_before", int64_t{0});
  r.not_after = j.value("not_after", int64_t{0});
  std::string status = j.value("status", "valid");
  r.status = ParseCertStatus(status).value_or(CertStatus::kValid);
  r.sha256 = j.value("sha256", "");
  r.cert_path = j.value("cert_path", "");
  r.key_path = j.value("key_path", "");
  r.chain_path = j.value("chain_path", "");
  r.recorded_at = j.value("recorded_at", int64_t{0});
  return r;
}

std::string JournalText(const InventoryChange& c) {
  nlohmann::json j;
  j["pid"] = static_cast<int64_t>(::getpid());
  j["inserts"] = nlohmann::json::array();
  for (const CertRecord& r : c.inserts) j["inserts"].push_back(RecordJson(r));
  j["status_changes"] = nlohmann::json::array();
  for (const StatusChange& s : c.status_changes) {
    j["status_changes"].push_back({{"serial", s.serial},
                                   {"status", CertStatusName(s.status)},
                                   {"reason", static_cast<int>(s.reason)},
                                   {"when", s.when}});
  }
  j["crls"] = nlohmann::json::array();
  for (const CrlState& s : c.crls) {
    j["crls"].push_back(
        {{"ca", s.ca}, {"number", s.number}, {"this_update", s.this_update}, {"next_update", s.next_update}});
  }
  return j.dump(1) + "\n";
}

// ParseJournal reads a journal; |pid| is the process that wrote it.
Result<InventoryChange> ParseJournal(const std::string& text, const std::string& path, int64_t* pid) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return MakeError(ErrorCode::kInput, path + " is not a valid journal");
  InventoryChange c;
  *pid = j.value("pid", int64_t{0});
  for (const auto& r : j.value("inserts", nlohmann::json::array())) c.inserts.push_back(RecordFrom(r));
  for (const auto& s : j.value("status_changes", nlohmann::json::array())) {
    StatusChange sc;
    sc.serial = s.value("serial", "");
    std::string st = s.value("status", "superseded");
    sc.status = ParseCertStatus(st).value_or(CertStatus::kSuperseded);
    sc.reason = static_cast<RevocationReason>(s.value("reason", 0));
    sc.when = s.value("when", int64_t{0});
    c.status_changes.push_back(sc);
  }
  for (const auto& s : j.value("crls", nlohmann::json::array())) {
    c.crls.push_back({s.value("ca", ""), s.value("number", int64_t{0}), s.value("this_update", int64_t{0}),
                      s.value("next_update", int64_t{0})});
  }
  return c;
}

// CertOnDisk says whether |path| holds the certificate whose fingerprint is |sha256| (a journal's promise is kept
// only then).
bool CertOnDisk(FileSystem& fs, const std::string& path, const std::string& sha256) {
  Result<std::string> pem = fs.ReadFile(path, kMaxInputBytes);
  return pem.ok() && !sha256.empty() && PemFingerprint(*pem) == sha256;
}

// PendingJournal is a journal found in .pending whose writer is gone (or is us), with what it still promises.
struct PendingJournal {
  std::string path;
  InventoryChange change;
};

// CollectJournals reads every pending journal that no live process is still working on, keeping only the
// inserts whose certificate file is really on disk.
Result<std::vector<PendingJournal>> CollectJournals(const PkiDir& pki) {
  std::vector<PendingJournal> out;
  std::string dir = pki.Path(kPendingDir);
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  std::vector<std::string> paths;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    std::string file = e.path().filename().string();
    if (file.size() > 5 && file.compare(file.size() - 5, 5, ".json") == 0 && file[0] != '.') {
      paths.push_back(e.path().string());
    }
  }
  std::sort(paths.begin(), paths.end());
  for (const std::string& path : paths) {
    Result<std::string> text = pki.fs().ReadFile(path, 64 * 1024 * 1024);
    if (!text.ok()) continue;  // taken by another process meanwhile
    int64_t pid = 0;
    MQTTPKI_ASSIGN_OR_RETURN(InventoryChange change, ParseJournal(*text, path, &pid));
    if (pid != ::getpid() && ProcessAlive(pid)) continue;  // its writer will apply it
    // A journal is one command's intent: if any of its certificates did not land, none of its status changes
    // apply (they supersede what is still in place); a CRL state applies only if that CRL is on disk.
    PendingJournal j{path, {}};
    for (const CertRecord& r : change.inserts) {
      if (CertOnDisk(pki.fs(), pki.Resolve(r.cert_path), r.sha256)) j.change.inserts.push_back(r);
    }
    if (j.change.inserts.size() == change.inserts.size()) j.change.status_changes = change.status_changes;
    for (const CrlState& c : change.crls) {
      size_t at = c.ca.find('@');
      std::string crl_path = at == std::string::npos
                                 ? pki.CrlPath(c.ca, false)
                                 : pki.ArchivePath(c.ca.substr(0, at), c.ca.substr(at + 1), c.ca.substr(0, at) + ".crl.pem");
      Result<std::string> crl = pki.fs().ReadFile(crl_path, 256 * 1024 * 1024);
      if (!crl.ok()) continue;
      Result<CrlInfo> info = ReadCrl(*crl, crl_path);
      if (info.ok() && info->number == c.number) j.change.crls.push_back(c);
    }
    out.push_back(std::move(j));
  }
  return out;
}


// AdoptExisting records the certificates of a PKI directory that had no inventory yet, except those at
// |skip| (certificate paths a pending journal records anyway).
Status AdoptExisting(const PkiDir& pki, Store& store, int64_t now, const std::vector<std::string>& skip) {
  std::error_code ec;
  struct Found {
    std::string name;
    Certificate cert;
  };
  std::vector<Found> found;
  for (const auto& e : std::filesystem::directory_iterator(pki.root(), ec)) {
    if (!e.is_directory(ec)) continue;
    std::string name = e.path().filename().string();
    if (!PkiDir::ValidateName(name).ok()) continue;
    if (std::find(skip.begin(), skip.end(), pki.Relative(pki.CertPath(name))) != skip.end()) continue;
    Result<std::string> pem = pki.fs().ReadFile(pki.CertPath(name), kMaxInputBytes);
    if (!pem.ok()) continue;
    Result<std::vector<Certificate>> certs = Certificate::AllFromPem(*pem, pki.CertPath(name));
    if (!certs.ok() || certs->empty()) continue;
    found.push_back({name, certs->front()});
  }
  std::map<std::string, std::string> name_by_subject;
  for (const Found& f : found) {
    if (f.cert.IsCa()) name_by_subject[f.cert.Subject()] = f.name;
  }
  InventoryChange change;
  for (const Found& f : found) {
    CertRecord r = CertRecord::FromCertificate(f.cert);
    r.name = f.name;
    auto it = name_by_subject.find(f.cert.Issuer());
    r.ca = it != name_by_subject.end() ? it->second : "";
    r.profile = ProfileName(ProfileOf(f.cert));
    r.cert_path = pki.Relative(pki.CertPath(f.name));
    if (pki.fs().Exists(pki.KeyPath(f.name)).value_or(false)) r.key_path = pki.Relative(pki.KeyPath(f.name));
    if (pki.fs().Exists(pki.ChainPath(f.name)).value_or(false)) r.chain_path = pki.Relative(pki.ChainPath(f.name));
    r.recorded_at = now;
    change.inserts.push_back(r);
  }
  return ApplyChange(store, change);
}


}  // namespace

Status ApplyChange(Store& store, const InventoryChange& change) {
  if (change.empty()) return Status::Ok();
  MQTTPKI_TRY(store.Begin());
  if (Status st = ApplyChangeLocked(store, change); !st.ok()) {
    store.Rollback();
    return st;
  }
  return store.Commit();
}

Status ApplyChangeLocked(Store& store, const InventoryChange& change) {
  auto fail = [](const Error& e) { return e; };
  for (const CertRecord& r : change.inserts) {
    Result<std::optional<CertRecord>> existing = store.BySerial(r.serial);
    if (!existing.ok()) return fail(existing.error());
    if (existing->has_value()) {
      // A certificate put back in place (import --force of an older PKI) is current again; a revoked one stays
      // revoked whatever the files say.
      if ((*existing)->status == CertStatus::kSuperseded && r.status == CertStatus::kValid) {
        if (Status st = store.SetStatus(r.serial, CertStatus::kValid, 0, RevocationReason::kUnspecified); !st.ok()) {
          return fail(st.error());
        }
      }
      continue;
    }
    if (Status st = store.Insert(r); !st.ok()) return fail(st.error());
  }
  for (const StatusChange& s : change.status_changes) {
    Result<std::optional<CertRecord>> existing = store.BySerial(s.serial);
    if (!existing.ok()) return fail(existing.error());
    if (!existing->has_value()) continue;
    // Revoked is final: replacing or re-issuing a revoked certificate must not take it off the CRL.
    if ((*existing)->status == CertStatus::kRevoked && s.status != CertStatus::kRevoked) continue;
    if (Status st = store.SetStatus(s.serial, s.status, s.when, s.reason); !st.ok()) return fail(st.error());
  }
  for (const CrlState& c : change.crls) {
    Result<std::optional<CrlState>> current = store.Crl(c.ca);
    if (!current.ok()) return fail(current.error());
    if (current->has_value() && (*current)->number >= c.number) continue;
    if (Status st = store.SaveCrl(c); !st.ok()) return fail(st.error());
  }
  return Status::Ok();
}

namespace {

// NewInventoryImage builds the database file of a PKI that has none yet: the certificates already in the
// directory (except those |change| or |journals| record) and those changes.
Result<std::string> NewInventoryImage(const PkiDir& pki, const std::vector<PendingJournal>& journals,
                                      const InventoryChange& change, int64_t now) {
  std::vector<std::string> covered;
  for (const CertRecord& r : change.inserts) covered.push_back(r.cert_path);
  for (const PendingJournal& j : journals) {
    for (const CertRecord& r : j.change.inserts) covered.push_back(r.cert_path);
  }
  return BuildSqliteImage([&](Store& store) -> Status {
    MQTTPKI_TRY(AdoptExisting(pki, store, now, covered));
    for (const PendingJournal& j : journals) MQTTPKI_TRY(ApplyChange(store, j.change));
    return ApplyChange(store, change);
  });
}

}  // namespace

Result<std::unique_ptr<Inventory>> Inventory::Open(const PkiDir& pki, bool create, int64_t now) {
  // The files of a killed command are completed (or undone) first: its journal may describe them.
  MQTTPKI_TRY(RecoverCommits(pki.fs(), pki.Path(kPendingDir)));
  std::string path = pki.Path(kInventoryFile);
  MQTTPKI_ASSIGN_OR_RETURN(bool exists, pki.fs().Exists(path));
  if (!exists && !create) return std::unique_ptr<Inventory>();
  MQTTPKI_ASSIGN_OR_RETURN(std::vector<PendingJournal> journals, CollectJournals(pki));
  if (!exists) {
    MQTTPKI_ASSIGN_OR_RETURN(std::string image, NewInventoryImage(pki, journals, {}, now));
    FileTransaction tx(pki.fs(), false);
    tx.SetCommitLog(pki.Path(kPendingDir));
    MQTTPKI_TRY(tx.Stage(path, std::move(image), 0644));
    Status st = tx.Commit();
    if (st.ok()) {
      for (const PendingJournal& j : journals) MQTTPKI_TRY(pki.fs().Unlink(j.path));
      journals.clear();
    } else if (st.error().code != ErrorCode::kExists) {  // kExists: another process made it first; use theirs
      return st.error();
    }
  }
  MQTTPKI_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenSqliteStore(path, StoreAccess::kReadWrite, pki.store_options()));
  std::unique_ptr<Inventory> inv(new Inventory(std::move(store)));
  for (const PendingJournal& j : journals) {
    MQTTPKI_TRY(ApplyChange(inv->store(), j.change));  // durable on return (synchronous = FULL)
    MQTTPKI_TRY(pki.fs().Unlink(j.path));
  }
  return inv;
}

Result<std::unique_ptr<Inventory>> Inventory::OpenForReading(const PkiDir& pki, int64_t now) {
  Status writable = CheckWritableDir(pki.root(), "the PKI directory");
  if (writable.ok()) return Open(pki, true, now);
  std::string path = pki.Path(kInventoryFile);
  MQTTPKI_ASSIGN_OR_RETURN(bool exists, pki.fs().Exists(path));
  if (!exists) {
    return writable.error().Context("the PKI has no inventory yet, and it cannot be created");
  }
  MQTTPKI_ASSIGN_OR_RETURN(std::vector<PendingJournal> journals, CollectJournals(pki));
  MQTTPKI_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenSqliteStore(path, StoreAccess::kReadOnly, pki.store_options()));
  std::unique_ptr<Inventory> inv(new Inventory(std::move(store)));
  inv->unapplied_journals_ = journals.size();
  inv->unfinished_commits_ = UnfinishedCommits(pki.Path(kPendingDir));
  return inv;
}

Result<std::string> StageJournal(const PkiDir& pki, FileTransaction& tx, const InventoryChange& change,
                                 int64_t now) {
  // The journal goes first, so that it is on disk before any certificate it describes.
  std::string journal = pki.Path(std::string(kPendingDir) + "/" + std::to_string(now) + "-" + RandomHex(8) + ".json");
  MQTTPKI_TRY(tx.StageFirst(journal, JournalText(change), 0644));
  return journal;
}

Status CommitWithInventory(const PkiDir& pki, FileTransaction& tx, const InventoryChange& change, int64_t now) {
  // The commit is logged in the PKI (atomic across a crash) when the PKI is there or this commit makes it; files
  // written elsewhere without a PKI (export device --bundle) are not worth creating one.
  if (!change.empty() || pki.fs().Exists(pki.root()).value_or(false)) tx.SetCommitLog(pki.Path(kPendingDir));
  if (change.empty()) return tx.Commit();
  std::string path = pki.Path(kInventoryFile);
  MQTTPKI_ASSIGN_OR_RETURN(bool exists, pki.fs().Exists(path));
  if (!exists) {
    // The first certificates of a PKI: the inventory is one more file of this transaction, so files and rows
    // appear together. It never replaces an inventory that another process created meanwhile.
    MQTTPKI_ASSIGN_OR_RETURN(std::vector<PendingJournal> journals, CollectJournals(pki));
    MQTTPKI_ASSIGN_OR_RETURN(std::string image, NewInventoryImage(pki, journals, change, now));
    MQTTPKI_TRY(tx.Stage(path, std::move(image), 0644, /*never_replace=*/true));
    Status st = tx.Commit();
    if (st.ok()) {
      for (const PendingJournal& j : journals) (void)pki.fs().Unlink(j.path);
      return st;
    }
    if (st.error().code != ErrorCode::kExists || st.error().message.find(path) == std::string::npos) return st;
    return MakeError(ErrorCode::kIo, "another mqttpki process created " + path + " at the same time; nothing was "
                                     "written: run the command again");
  }
  // An existing inventory: its write lock is taken and the rows are inserted (uncommitted) before any file is
  // written, so a damaged or locked database stops the command while nothing has changed yet. Then the journal
  // and the files are committed, then the rows. A crash between the two leaves the journal for the next command.
  MQTTPKI_ASSIGN_OR_RETURN(std::unique_ptr<Inventory> inv, Inventory::Open(pki, true, now));
  Store& store = inv->store();
  MQTTPKI_TRY(store.Begin());
  auto abort = [&store](const Error& e) {
    store.Rollback();
    return e;
  };
  if (Status st = ApplyChangeLocked(store, change); !st.ok()) return abort(st.error());
  Result<std::string> journal = StageJournal(pki, tx, change, now);
  if (!journal.ok()) return abort(journal.error());
  if (Status st = tx.Commit(); !st.ok()) return abort(st.error());
  if (Status st = store.Commit(); !st.ok()) {
    return st.error().Context("the files were written, but the inventory could not be updated (the next command "
                              "will record them)");
  }
  return pki.fs().Unlink(*journal);
}

}  // namespace mqttpki

// The life of a certificate after it is issued: list, show, revoke, crl, renew, needs-renewal, rotate.
#include <algorithm>
#include <cctype>
#include <cstdio>

#include "context.h"
#include "mqttpki/crl.h"
#include "mqttpki/inventory.h"
#include "mqttpki/passphrase.h"
#include "mqttpki/store.h"

namespace mqttpki::cli {
namespace {

constexpr int64_t kDay = 86400;
// A CRL that lapses makes Mosquitto refuse every client: warn this long before its nextUpdate.
constexpr int64_t kCrlWarnSeconds = 7 * kDay;

enum class Access { kRead, kWrite };

// RequireInventory opens the inventory of an existing PKI. A command that writes (kWrite) first checks that the
// PKI directory can be written; one that only reads (kRead) works on a read-only PKI too.
Result<std::unique_ptr<Inventory>> RequireInventory(const Context& ctx, Access access) {
  PkiDir pki = ctx.Pki();
  MQTTPKI_ASSIGN_OR_RETURN(bool exists, pki.fs().Exists(pki.root()));
  if (!exists) {
    return MakeError(ErrorCode::kInput, "no PKI in " + pki.root() + " (run 'mqttpki quickstart' or give --pki DIR)");
  }
  if (access == Access::kRead) return Inventory::OpenForReading(pki, ctx.now);
  MQTTPKI_TRY(CheckWritableDir(pki.root(), "the PKI directory"));
  return Inventory::Open(pki, true, ctx.now);
}

// UnappliedWarning says that a read-only PKI has crash journals the listing does not include yet, or commands
// killed before all their files were in place.
void UnappliedWarning(const Inventory& inv, std::vector<std::string>& warnings) {
  if (inv.unapplied_journals() > 0) {
    warnings.push_back(std::to_string(inv.unapplied_journals()) + " pending journal(s) in " + kPendingDir +
                       " are not applied (the PKI directory is read-only): certificates of an interrupted command "
                       "may be missing here until a command runs where the PKI can be written");
  }
  if (inv.unfinished_commits() > 0) {
    warnings.push_back(std::to_string(inv.unfinished_commits()) + " interrupted command(s) did not put all their "
                       "files in place, and the PKI directory is read-only: they are completed by the next command "
                       "that runs where the PKI can be written (their commit records are in " + kPendingDir + ")");
  }
}

// ParseDuration reads "30d", "12h", "2w" or a number of days, as seconds.
Result<int64_t> ParseDuration(const std::string& text, const std::string& flag) {
  if (text.empty()) return MakeError(ErrorCode::kUsage, flag + " needs a duration such as 30d");
  int64_t unit = kDay;
  std::string digits = text;
  switch (text.back()) {
    case 'd': unit = kDay; digits.pop_back(); break;
    case 'h': unit = 3600; digits.pop_back(); break;
    case 'w': unit = 7 * kDay; digits.pop_back(); break;
    default: break;
  }
  if (digits.empty() || digits.size() > 6 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    return MakeError(ErrorCode::kUsage, "invalid " + flag + " '" + text + "': use a number with d, h or w, e.g. 30d");
  }
  return std::stoll(digits) * unit;
}

// NormalizeSerial writes a serial as the inventory stores it (OpenSSL's BN_bn2hex): upper case, no separators,
// an even number of digits.
std::string NormalizeSerial(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == ':') continue;
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  while (out.size() > 1 && out[0] == '0') out.erase(0, 1);
  if (out.size() % 2 == 1) out.insert(0, "0");
  return out;
}

bool LooksLikeSerial(const std::string& s) {
  std::string n = NormalizeSerial(s);
  return n.size() >= 8 && std::all_of(n.begin(), n.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

// FindRecord resolves NAME (its current certificate) or SERIAL.
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
    return MakeError(ErrorCode::kInput, "'" + what + "' has no valid certificate (its latest is " +
                                            CertStatusName(any.back().status) + ")");
  }
  return MakeError(ErrorCode::kInput, "no certificate named or with serial '" + what + "' in the inventory");
}

std::string Day(int64_t t) { return FormatTime(t).substr(0, 10); }

nlohmann::json RecordJson(const CertRecord& r, int64_t now) {
  nlohmann::json j = {{"serial", r.serial},       {"name", r.name},         {"ca", r.ca},
                      {"profile", r.profile},     {"status", CertStatusName(r.status)},
                      {"subject", r.subject},     {"issuer", r.issuer},     {"sans", r.sans},
                      {"not_before", FormatTime(r.not_before)}, {"not_after", FormatTime(r.not_after)},
                      {"days_left", (r.not_after - now) / kDay}, {"sha256", r.sha256},
                      {"cert_path", r.cert_path}, {"key_path", r.key_path}, {"chain_path", r.chain_path}};
  if (r.status != CertStatus::kValid) {
    j["changed_at"] = FormatTime(r.revoked_at);
    if (r.status == CertStatus::kRevoked) j["reason"] = RevocationReasonName(r.reason);
  }
  return j;
}

// CrlWarnings says which CRLs lapse soon (or did): a broker with crlfile then refuses every client.
std::vector<std::string> CrlWarnings(Store& store, int64_t now) {
  std::vector<std::string> out;
  Result<std::vector<CrlState>> crls = store.Crls();
  if (!crls.ok()) return out;
  for (const CrlState& c : *crls) {
    if (c.next_update <= now) {
      out.push_back("the CRL of " + c.ca + " EXPIRED on " + FormatTime(c.next_update) +
                    ": brokers with crlfile refuse every client; run 'mqttpki crl --ca " + c.ca.substr(0, c.ca.find('@')) +
                    "' now");
    } else if (c.next_update - now < kCrlWarnSeconds) {
      out.push_back("the CRL of " + c.ca + " expires on " + FormatTime(c.next_update) + " (in " +
                    std::to_string((c.next_update - now) / 3600) + " hours): run 'mqttpki crl --ca " +
                    c.ca.substr(0, c.ca.find('@')) + "'");
    }
  }
  return out;
}

}  // namespace

void RegisterLifecycle(CLI::App& app, Context& ctx, std::vector<Command>& commands) {
  // list
  if (ctx.Wants("list")) {
    auto* sub = app.add_subcommand("list", "List the certificates in the inventory");
    auto expiring = std::make_shared<std::string>();
    auto status = std::make_shared<std::string>();
    auto name = std::make_shared<std::string>();
    auto ca = std::make_shared<std::string>();
    sub->add_option("--expiring", *expiring, "Only those that expire within this time, e.g. 30d (valid ones only)");
    sub->add_option("--status", *status, "valid, revoked or superseded");
    sub->add_option("--name", *name, "Only this entity");
    sub->add_option("--ca", *ca, "Only those issued by this CA");
    commands.push_back({sub, [&ctx, expiring, status, name, ca]() -> Result<Output> {
      ListFilter f;
      f.name = *name;
      f.ca = *ca;
      if (!status->empty()) {
        if (*status == "valid") f.status = CertStatus::kValid;
        else if (*status == "revoked") f.status = CertStatus::kRevoked;
        else if (*status == "superseded") f.status = CertStatus::kSuperseded;
        else return MakeError(ErrorCode::kUsage, "unknown --status '" + *status + "': use valid, revoked or superseded");
      }
      if (!expiring->empty()) {
        MQTTPKI_ASSIGN_OR_RETURN(int64_t window, ParseDuration(*expiring, "--expiring"));
        f.expiring_before = ctx.now + window;
        if (!f.status) f.status = CertStatus::kValid;
      }
      MQTTPKI_ASSIGN_OR_RETURN(std::unique_ptr<Inventory> inv, RequireInventory(ctx, Access::kRead));
      MQTTPKI_ASSIGN_OR_RETURN(std::vector<CertRecord> rows, inv->store().List(f));
      Output out;
      char line[512];
      std::snprintf(line, sizeof(line), "%-20s %-12s %-10s %-10s %-10s %6s  %s\n", "NAME", "PROFILE", "STATUS",
                    "SERIAL", "NOT AFTER", "DAYS", "SANS");
      out.text = line;
      nlohmann::json arr = nlohmann::json::array();
      // One output or the other: building both costs more than the query for a large inventory.
      for (const CertRecord& r : rows) {
        if (ctx.json) {
          arr.push_back(RecordJson(r, ctx.now));
          continue;
        }
        std::snprintf(line, sizeof(line), "%-20s %-12s %-10s %-10s %-10s %6lld  %s\n", r.name.c_str(),
                      r.profile.c_str(), CertStatusName(r.status).c_str(), r.serial.substr(0, 10).c_str(),
                      Day(r.not_after).c_str(), static_cast<long long>((r.not_after - ctx.now) / kDay),
                      r.sans.c_str());
        out.text += line;
      }
      out.text += std::to_string(rows.size()) + " certificate" + (rows.size() == 1 ? "" : "s") + "\n";
      out.json["certificates"] = std::move(arr);
      out.warnings = CrlWarnings(inv->store(), ctx.now);
      UnappliedWarning(*inv, out.warnings);
      return out;
    }});
  }
  // show NAME|SERIAL
  if (ctx.Wants("show")) {
    auto* sub = app.add_subcommand("show", "Show one certificate of the inventory (NAME: its current one)");
    auto what = std::make_shared<std::string>();
    sub->add_option("NAME_OR_SERIAL", *what, "Entity name or serial number (hex)")->required();
    commands.push_back({sub, [&ctx, what]() -> Result<Output> {
      MQTTPKI_ASSIGN_OR_RETURN(std::unique_ptr<Inventory> inv, RequireInventory(ctx, Access::kRead));
      MQTTPKI_ASSIGN_OR_RETURN(CertRecord r, FindRecord(inv->store(), *what));
      Output out;
      UnappliedWarning(*inv, out.warnings);
      out.json = RecordJson(r, ctx.now);
      auto row = [&out](const std::string& k, const std::string& v) {
        std::string l = "  " + k + ":";
        while (l.size() < 14) l += ' ';
        out.text += l + v + "\n";
      };
      out.text = r.name + " (" + r.profile + ", issued by " + r.ca + ")\n";
      row("Status", CertStatusName(r.status) +
                        (r.status == CertStatus::kValid ? ""
                         : r.status == CertStatus::kRevoked
                             ? " on " + FormatTime(r.revoked_at) + " (" + RevocationReasonName(r.reason) + ")"
                             : " on " + FormatTime(r.revoked_at)));
      row("Serial", r.serial);
      row("Subject", r.subject);
      row("Issuer", r.issuer);
      row("SANs", r.sans.empty() ? "-" : r.sans);
      row("Valid", FormatTime(r.not_before) + " to " + FormatTime(r.not_after) + " (" +
                       std::to_string((r.not_after - ctx.now) / kDay) + " days left)");
      row("SHA-256", r.sha256);
      PkiDir pki = ctx.Pki();
      for (const auto& [label, path] : {std::pair<std::string, std::string>{"Certificate", r.cert_path},
                                        {"Key", r.key_path},
                                        {"Chain", r.chain_path}}) {
        if (path.empty()) continue;
        // A device issued into an archive: "FILE.tar:ID/ID.cert.pem" (the archive is what can be checked).
        size_t in_tar = path.find(".tar:");
        std::string file = in_tar == std::string::npos ? path : path.substr(0, in_tar + 4);
        std::string full = pki.Resolve(file) + (in_tar == std::string::npos ? "" : path.substr(in_tar + 4));
        bool here = pki.fs().Exists(pki.Resolve(file)).value_or(false);
        row(label, full + (here ? "" : "  (MISSING)"));
        if (!here && r.status == CertStatus::kValid) out.warnings.push_back(full + " is missing");
      }
      return out;
    }});
  }
  // revoke NAME|SERIAL [--reason]
  if (ctx.Wants("revoke")) {
    auto* sub = app.add_subcommand("revoke", "Revoke a certificate (publish it with 'mqttpki crl')");
    auto what = std::make_shared<std::string>();
    auto reason = std::make_shared<std::string>("unspecified");
    sub->add_option("NAME_OR_SERIAL", *what, "Entity name (its current certificate) or serial number")->required();
    sub->add_option("--reason", *reason,
                    "unspecified, keyCompromise, cACompromise, affiliationChanged, superseded, "
                    "cessationOfOperation, certificateHold, privilegeWithdrawn");
    commands.push_back({sub, [&ctx, what, reason]() -> Result<Output> {
      MQTTPKI_ASSIGN_OR_RETURN(RevocationReason why, ParseRevocationReason(*reason));
      MQTTPKI_ASSIGN_OR_RETURN(std::unique_ptr<Inventory> inv, RequireInventory(ctx, Access::kWrite));
      MQTTPKI_ASSIGN_OR_RETURN(CertRecord r, FindRecord(inv->store(), *what));
      if (r.profile == "root") {
        return MakeError(ErrorCode::kInput, "the root CA cannot be revoked: devices trust it directly; replace "
                                            "ca-bundle.pem on the devices instead");
      }
      if (r.status == CertStatus::kRevoked) {
        return MakeError(ErrorCode::kInput, r.name + " (serial " + r.serial + ") is already revoked since " +
                                                FormatTime(r.revoked_at));
      }
      InventoryChange change;
      change.status_changes.push_back({r.serial, CertStatus::kRevoked, why, ctx.now});
      MQTTPKI_TRY(ApplyChange(inv->store(), change));
      Output out;
      out.text = "Revoked " + r.name + " (serial " + r.serial + ", " + RevocationReasonName(why) + "), issued by " +
                 r.ca + ".\nPublish it: mqttpki crl --ca " + r.ca + "   (then give brokers the new CRL)\n";
      out.json = RecordJson(r, ctx.now);
      out.json["status"] = "revoked";
      out.json["reason"] = RevocationReasonName(why);
      return out;
    }});
  }
  // crl [--ca NAME] [--days N]
  if (ctx.Wants("crl")) {
    auto* sub = app.add_subcommand("crl", "Write the CRL of each CA (PEM and DER) and pki/crl.pem with all of them");
    auto ca = std::make_shared<std::string>();
    auto days = std::make_shared<std::string>("30");
    auto pass_file = std::make_shared<std::string>();
    sub->add_option("--ca", *ca, "Only this CA (default: every CA with its key here)");
    sub->add_option("--days", *days, "Until nextUpdate (default: 30); regenerate before it lapses");
    sub->add_option("--passphrase-file", *pass_file, "Passphrase of the CA keys");
    commands.push_back({sub, [&ctx, ca, days, pass_file]() -> Result<Output> {
      MQTTPKI_ASSIGN_OR_RETURN(int valid_days, ParseDays(*days));
      MQTTPKI_ASSIGN_OR_RETURN(std::unique_ptr<Inventory> inv, RequireInventory(ctx, Access::kWrite));
      PkiDir pki = ctx.Pki();
      std::vector<std::string> cas;
      if (!ca->empty()) {
        MQTTPKI_TRY(PkiDir::ValidateName(*ca));
        cas.push_back(*ca);
      } else {
        MQTTPKI_ASSIGN_OR_RETURN(std::vector<CertRecord> rows, inv->store().List({}));
        for (const CertRecord& r : rows) {
          bool is_ca = r.profile == "root" || r.profile == "intermediate";
          if (is_ca && r.status == CertStatus::kValid && std::find(cas.begin(), cas.end(), r.name) == cas.end() &&
              pki.fs().Exists(pki.KeyPath(r.name)).value_or(false)) {
            cas.push_back(r.name);
          }
        }
        if (cas.empty()) return MakeError(ErrorCode::kInput, "no CA with its key in " + pki.root());
      }
      PassphraseProvider pass = Passphrases(*pass_file);
      FileTransaction tx(pki.fs(), /*force=*/true);  // a CRL replaces the previous one
      Report report;
      Output out;
      nlohmann::json arr = nlohmann::json::array();
      std::string combined;
      // Each CA signs a CRL, and so does every earlier instance of a rotated intermediate that has not expired:
      // the certificates it issued are checked against a CRL with its key identifier.
      struct Signer {
        CaMaterial ca;
        std::string pem_path, der_path;
      };
      std::vector<Signer> signers;
      for (const std::string& name : cas) {
        MQTTPKI_ASSIGN_OR_RETURN(CaMaterial material, pki.LoadCa(name, pass));
        signers.push_back({std::move(material), pki.CrlPath(name, false), pki.CrlPath(name, true)});
        MQTTPKI_ASSIGN_OR_RETURN(std::vector<CaMaterial> archived, pki.LoadArchivedCas(name, ctx.now, pass));
        for (CaMaterial& old : archived) {
          std::string serial = old.cert.SerialHex();
          signers.push_back({std::move(old), pki.ArchivePath(name, serial, name + ".crl.pem"),
                             pki.ArchivePath(name, serial, name + ".crl.der")});
        }
      }
      std::vector<std::string> crl_names;
      for (Signer& signer : signers) {
        const std::string& name = signer.ca.name;  // "server-ca", or "server-ca@<serial>" for an archived one
        crl_names.push_back(name);
        CaMaterial& material = signer.ca;
        std::string ca_name = name.substr(0, name.find('@'));
        MQTTPKI_ASSIGN_OR_RETURN(std::vector<RevokedEntry> revoked, inv->store().Revoked(ca_name, ctx.now));
        MQTTPKI_ASSIGN_OR_RETURN(std::optional<CrlState> previous, inv->store().Crl(name));
        CrlRequest req;
        req.number = previous ? previous->number + 1 : 1;
        req.this_update = ctx.now;
        req.next_update = ctx.now + static_cast<int64_t>(valid_days) * kDay;
        MQTTPKI_ASSIGN_OR_RETURN(CrlFiles files, MakeCrl(material.cert, material.key, std::move(revoked), req));
        MQTTPKI_TRY(tx.Stage(signer.pem_path, files.pem, 0644));
        MQTTPKI_TRY(tx.Stage(signer.der_path, files.der, 0644));
        report.files.push_back({signer.pem_path, "crl", name});
        report.files.push_back({signer.der_path, "crl", name});
        report.inventory.crls.push_back({name, req.number, req.this_update, req.next_update});
        combined += files.pem;
        arr.push_back({{"ca", name}, {"number", req.number}, {"entries", files.entries},
                       {"next_update", FormatTime(req.next_update)}});
        out.text += "  " + name + ": crlNumber " + std::to_string(req.number) + ", " + std::to_string(files.entries) +
                    " revoked, next update " + FormatTime(req.next_update) + "\n";
      }
      // crl.pem holds every CA's current CRL (Mosquitto's crlfile, openssl verify -CRLfile).
      MQTTPKI_ASSIGN_OR_RETURN(std::vector<CrlState> all, inv->store().Crls());
      for (const CrlState& c : all) {
        if (std::find(crl_names.begin(), crl_names.end(), c.ca) != crl_names.end()) continue;
        if (c.next_update <= ctx.now) continue;  // a lapsed CRL of a CA not renewed now
        size_t at = c.ca.find('@');
        std::string path = at == std::string::npos
                               ? pki.CrlPath(c.ca, false)
                               : pki.ArchivePath(c.ca.substr(0, at), c.ca.substr(at + 1), c.ca.substr(0, at) + ".crl.pem");
        Result<std::string> other = pki.fs().ReadFile(path, kMaxInputBytes);
        if (other.ok()) combined += *other;
      }
      MQTTPKI_TRY(tx.Stage(pki.CombinedCrlPath(), combined, 0644));
      report.files.push_back({pki.CombinedCrlPath(), "crl", ""});
      MQTTPKI_TRY(CommitAll(ctx, tx, report));
      Output files = ReportOutput(report, "Wrote CRLs:");
      out.text = files.text + out.text;
      out.json = files.json;
      out.json["crls"] = arr;
      return out;
    }});
  }
  // renew NAME [--rekey]
  if (ctx.Wants("renew")) {
    auto* sub = app.add_subcommand("renew", "Re-issue a server or client certificate with the same names");
    auto name = std::make_shared<std::string>();
    auto rekey = std::make_shared<bool>(false);
    auto key = std::make_shared<std::string>();
    auto days = std::make_shared<std::string>();
    auto pass_file = std::make_shared<std::string>();
    auto key_pass_file = std::make_shared<std::string>();
    sub->add_option("NAME", *name, "The entity to renew")->required();
    sub->add_flag("--rekey", *rekey, "Generate a new key too (default: keep the key)");
    sub->add_option("--key", *key, "Key type for --rekey (default: the old key's type)");
    sub->add_option("--days", *days, "Validity in days (default: the profile's)");
    sub->add_option("--passphrase-file", *pass_file, "Passphrase of the CA key");
    sub->add_option("--key-passphrase-file", *key_pass_file,
                    "With --rekey of an encrypted key: the new key's passphrase (else $MQTTPKI_KEY_PASSPHRASE)");
    commands.push_back({sub, [&ctx, name, rekey, key, days, pass_file, key_pass_file]() -> Result<Output> {
      MQTTPKI_TRY(PkiDir::ValidateName(*name));
      std::optional<KeyType> key_type;
      if (!key->empty()) {
        if (!*rekey) return MakeError(ErrorCode::kUsage, "--key goes with --rekey");
        MQTTPKI_ASSIGN_OR_RETURN(key_type, ParseKeyType(*key));
      }
      MQTTPKI_ASSIGN_OR_RETURN(int valid_days, ParseDays(*days));
      MQTTPKI_ASSIGN_OR_RETURN(std::unique_ptr<Inventory> inv, RequireInventory(ctx, Access::kWrite));
      MQTTPKI_ASSIGN_OR_RETURN(CertRecord r, FindRecord(inv->store(), *name));
      if (r.profile == "root" || r.profile == "intermediate") {
        return MakeError(ErrorCode::kInput, "'" + *name + "' is a CA: use 'mqttpki rotate " + *name + "'");
      }
      PkiDir pki = ctx.Pki();
      PassphraseProvider pass = Passphrases(*pass_file);
      MQTTPKI_TRY(CheckIssuer(ctx, r.ca));
      MQTTPKI_ASSIGN_OR_RETURN(CaMaterial ca, pki.LoadCa(r.ca, pass));
      FileTransaction tx(pki.fs(), /*force=*/true);  // renewing replaces the certificate (and key) in place
      Report report;
      PassphraseProvider key_pass = Passphrases(*key_pass_file, KeyOwner::kLeaf);
      Profile profile = r.profile == "client" ? Profile::kClient : Profile::kServer;
      MQTTPKI_ASSIGN_OR_RETURN(Certificate cert, pki.Reissue(*name, ca, profile, *rekey, key_type, valid_days,
                                                             ctx.now, &key_pass, tx, report));
      MQTTPKI_TRY(CommitAll(ctx, tx, report));
      Output out = ReportOutput(report, "Renewed " + *name + (*rekey ? " with a new key" : " (same key)") +
                                            ": serial " + cert.SerialHex() + ", valid until " +
                                            FormatTime(cert.NotAfter()) + "; the previous one is superseded:");
      out.json["serial"] = cert.SerialHex();
      out.json["superseded"] = r.serial;
      return out;
    }});
  }
  // needs-renewal NAME|FILE [--expires-in]
  if (ctx.Wants("needs-renewal")) {
    auto* sub = app.add_subcommand("needs-renewal", "Exit 1 when a certificate should be renewed, 0 when not (for cron: ... || mqttpki renew)");
    auto what = std::make_shared<std::string>();
    auto within = std::make_shared<std::string>("66%");
    sub->add_option("NAME_OR_FILE", *what, "Entity name, or a certificate file")->required();
    sub->add_option("--expires-in", *within,
                    "Renew when it expires within this time (30d) or after this share of its life has passed "
                    "(66%, the default)");
    commands.push_back({sub, [&ctx, what, within]() -> Result<Output> {
      PkiDir pki = ctx.Pki();
      // A path (it has a '/' or exists) is a certificate file; anything else names an entity of the PKI.
      std::string path = *what;
      bool is_file = what->find('/') != std::string::npos || pki.fs().Exists(path).value_or(false);
      if (!is_file) {
        MQTTPKI_TRY(PkiDir::ValidateName(*what));
        path = pki.CertPath(*what);
      }
      MQTTPKI_ASSIGN_OR_RETURN(std::string pem, ReadFileArg(path));
      MQTTPKI_ASSIGN_OR_RETURN(std::vector<Certificate> certs, Certificate::AllFromPem(pem, path));
      const Certificate& c = certs.front();
      int64_t renew_at = 0;
      if (!within->empty() && within->back() == '%') {
        std::string digits = within->substr(0, within->size() - 1);
        if (digits.empty() || digits.size() > 3 || !std::all_of(digits.begin(), digits.end(), ::isdigit) ||
            std::stoi(digits) > 100) {
          return MakeError(ErrorCode::kUsage, "invalid --expires-in '" + *within + "': use e.g. 66% or 30d");
        }
        renew_at = c.NotBefore() + (c.NotAfter() - c.NotBefore()) * std::stoi(digits) / 100;
      } else {
        MQTTPKI_ASSIGN_OR_RETURN(int64_t window, ParseDuration(*within, "--expires-in"));
        renew_at = c.NotAfter() - window;
      }
      Output out;
      bool due = ctx.now >= renew_at;
      int64_t left = (c.NotAfter() - ctx.now) / kDay;
      out.text = std::string(due ? "RENEW: " : "OK: ") + path + " expires " + FormatTime(c.NotAfter()) + " (" +
                 std::to_string(left) + " days left); renewal " + (due ? "was due " : "is due ") +
                 FormatTime(renew_at) + "\n";
      out.json = {{"file", path}, {"needs_renewal", due}, {"not_after", FormatTime(c.NotAfter())},
                  {"renew_at", FormatTime(renew_at)}, {"days_left", left}};
      out.exit_code = due ? 1 : 0;
      return out;
    }});
  }
  // rotate CA
  if (ctx.Wants("rotate")) {
    auto* sub = app.add_subcommand("rotate", "New key and certificate for an intermediate CA; its servers are re-issued; devices keep the root");
    auto name = std::make_shared<std::string>();
    auto days = std::make_shared<std::string>();
    auto pass_file = std::make_shared<std::string>();
    sub->add_option("CA", *name, "The intermediate to rotate, e.g. server-ca")->required();
    sub->add_option("--days", *days, "Validity of the new intermediate (default: 1825)");
    sub->add_option("--passphrase-file", *pass_file, "Passphrase of the CA keys");
    commands.push_back({sub, [&ctx, name, days, pass_file]() -> Result<Output> {
      MQTTPKI_TRY(PkiDir::ValidateName(*name));
      MQTTPKI_ASSIGN_OR_RETURN(int valid_days, ParseDays(*days));
      MQTTPKI_ASSIGN_OR_RETURN(std::unique_ptr<Inventory> inv, RequireInventory(ctx, Access::kWrite));
      PkiDir pki = ctx.Pki();
      PassphraseProvider pass = Passphrases(*pass_file);
      MQTTPKI_ASSIGN_OR_RETURN(CaMaterial old, pki.LoadCa(*name, pass));
      if (old.cert.IsSelfIssued()) {
        return MakeError(ErrorCode::kUsage, "'" + *name + "' is the root: devices trust it, it is not rotated");
      }
      MQTTPKI_ASSIGN_OR_RETURN(CaMaterial root, pki.LoadCa(kRootName, pass));
      // The servers it issued, to re-issue under the new intermediate.
      ListFilter f;
      f.ca = *name;
      f.status = CertStatus::kValid;
      MQTTPKI_ASSIGN_OR_RETURN(std::vector<CertRecord> issued, inv->store().List(f));
      FileTransaction tx(pki.fs(), /*force=*/true);
      Report report;
      MQTTPKI_ASSIGN_OR_RETURN(CaMaterial fresh, pki.RotateIntermediate(old, root, valid_days, ctx.now, pass, tx, report));
      std::vector<std::string> reissued;
      for (const CertRecord& r : issued) {
        if (r.profile != "server" || r.cert_path != pki.Relative(pki.CertPath(r.name))) continue;
        Result<Certificate> current = pki.LoadCertificate(r.name);
        if (!current.ok() || current->SerialHex() != r.serial) continue;  // not the file's certificate any more
        MQTTPKI_TRY(pki.Reissue(r.name, fresh, Profile::kServer, false, std::nullopt, 0, ctx.now, nullptr, tx, report));
        reissued.push_back(r.name);
      }
      Result<std::string> bundle = pki.fs().ReadFile(pki.BundlePath(), kMaxInputBytes);
      if (bundle.ok() && bundle->find(old.cert.ToPem()) != std::string::npos) {
        report.warnings.push_back(pki.BundlePath() + " pins the old intermediate: devices using it need a new bundle "
                                  "('mqttpki bundle --with-intermediate --force')");
      }
      MQTTPKI_TRY(CommitAll(ctx, tx, report));
      std::string names;
      for (const std::string& n : reissued) names += (names.empty() ? "" : ", ") + n;
      Output out = ReportOutput(report, "Rotated " + *name + ": new serial " + fresh.cert.SerialHex() +
                                            "; the old one is kept in " + pki.Path(*name + "/archive/") + ":");
      out.text += "Re-issued under the new " + *name + ": " + (names.empty() ? "none" : names) +
                  "\nDevices that trust only ca-bundle.pem (the root) accept the new chains as they are; deploy the "
                  "new chain files to the brokers.\n";
      out.json["reissued"] = reissued;
      out.json["serial"] = fresh.cert.SerialHex();
      return out;
    }});
  }
}

}  // namespace mqttpki::cli

// The life of a certificate after it is issued: list, show, revoke, crl, renew, needs-renewal, rotate.
#include <algorithm>
#include <cctype>
#include <cstdio>

#include "context.h"
#include "mqttpki/ops.h"

namespace mqttpki::cli {
namespace {

constexpr int64_t kDay = 86400;

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
    return MakeError(ErrorCode::kUsage,
                     "invalid " + flag + " '" + Printable(text) + "': use a number with d, h or w, e.g. 30d");
  }
  return std::stoll(digits) * unit;
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

// AddList adds 'list'.
void AddList(CLI::App& app, Context& ctx, std::vector<Command>& commands) {
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
      f.status = ParseCertStatus(*status);
      if (!f.status) {
        return MakeError(ErrorCode::kUsage,
                         "unknown --status '" + Printable(*status) + "': use valid, revoked or superseded");
      }
    }
    if (!expiring->empty()) {
      MQTTPKI_ASSIGN_OR_RETURN(int64_t window, ParseDuration(*expiring, "--expiring"));
      f.expiring_before = ctx.now + window;
      if (!f.status) f.status = CertStatus::kValid;
    }
    MQTTPKI_ASSIGN_OR_RETURN(std::unique_ptr<Inventory> inv, ops::RequireInventory(ctx.Pki(), ops::Access::kRead, ctx.now));
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
    out.warnings = ops::CrlWarnings(inv->store(), ctx.now);
    for (std::string& w : ops::RecoveryWarnings(*inv)) out.warnings.push_back(std::move(w));
    return out;
  }});
}

// AddShow adds 'show NAME|SERIAL'.
void AddShow(CLI::App& app, Context& ctx, std::vector<Command>& commands) {
  auto* sub = app.add_subcommand("show", "Show one certificate of the inventory (NAME: its current one)");
  auto what = std::make_shared<std::string>();
  sub->add_option("NAME_OR_SERIAL", *what, "Entity name or serial number (hex)")->required();
  commands.push_back({sub, [&ctx, what]() -> Result<Output> {
    MQTTPKI_ASSIGN_OR_RETURN(std::unique_ptr<Inventory> inv, ops::RequireInventory(ctx.Pki(), ops::Access::kRead, ctx.now));
    MQTTPKI_ASSIGN_OR_RETURN(CertRecord r, ops::FindRecord(inv->store(), *what));
    Output out;
    out.warnings = ops::RecoveryWarnings(*inv);
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

// AddRevoke adds 'revoke NAME|SERIAL [--reason]'.
void AddRevoke(CLI::App& app, Context& ctx, std::vector<Command>& commands) {
  auto* sub = app.add_subcommand("revoke", "Revoke a certificate (publish it with 'mqttpki crl')");
  auto what = std::make_shared<std::string>();
  auto reason = std::make_shared<std::string>("unspecified");
  sub->add_option("NAME_OR_SERIAL", *what, "Entity name (its current certificate) or serial number")->required();
  sub->add_option("--reason", *reason,
                  "unspecified, keyCompromise, cACompromise, affiliationChanged, superseded, "
                  "cessationOfOperation, certificateHold, privilegeWithdrawn");
  commands.push_back({sub, [&ctx, what, reason]() -> Result<Output> {
    MQTTPKI_ASSIGN_OR_RETURN(RevocationReason why, ParseRevocationReason(*reason));
    MQTTPKI_ASSIGN_OR_RETURN(ops::RevokeResult revoked, ops::Revoke(ctx.Pki(), *what, why, ctx.now));
    const CertRecord& r = revoked.record;
    Output out;
    out.text = "Revoked " + r.name + " (serial " + r.serial + ", " + RevocationReasonName(why) + "), issued by " +
               r.ca + ".\nPublish it: mqttpki crl --ca " + r.ca + "   (then give brokers the new CRL)\n";
    out.json = RecordJson(r, ctx.now);
    out.json["status"] = "revoked";
    out.json["reason"] = RevocationReasonName(why);
    return out;
  }});
}

// AddCrl adds 'crl [--ca NAME] [--days N]'.
void AddCrl(CLI::App& app, Context& ctx, std::vector<Command>& commands) {
  auto* sub = app.add_subcommand("crl", "Write the CRL of each CA (PEM and DER) and pki/crl.pem with all of them");
  auto ca = std::make_shared<std::string>();
  auto days = std::make_shared<std::string>("30");
  auto pass_file = std::make_shared<std::string>();
  sub->add_option("--ca", *ca, "Only this CA (default: every CA with its key here)");
  sub->add_option("--days", *days, "Until nextUpdate (default: 30); regenerate before it lapses");
  sub->add_option("--passphrase-file", *pass_file, "Passphrase of the CA keys");
  commands.push_back({sub, [&ctx, ca, days, pass_file]() -> Result<Output> {
    MQTTPKI_ASSIGN_OR_RETURN(int valid_days, ParseDays(*days));
    PassphraseProvider pass = Passphrases(*pass_file);
    ops::CrlOptions options;
    options.ca = *ca;
    options.days = valid_days;
    MQTTPKI_ASSIGN_OR_RETURN(ops::CrlResult result, ops::PublishCrls(ctx.Pki(), options, pass, ctx.now));
    Output out;
    nlohmann::json arr = nlohmann::json::array();
    for (const ops::PublishedCrl& c : result.crls) {
      arr.push_back({{"ca", c.ca}, {"number", c.number}, {"entries", c.entries},
                     {"next_update", FormatTime(c.next_update)}});
      out.text += "  " + c.ca + ": crlNumber " + std::to_string(c.number) + ", " + std::to_string(c.entries) +
                  " revoked, next update " + FormatTime(c.next_update) + "\n";
    }
    Output files = ReportOutput(result.report, "Wrote CRLs:");
    out.text = files.text + out.text;
    out.json = files.json;
    out.json["crls"] = arr;
    return out;
  }});
}

// AddRenew adds 'renew NAME [--rekey]'.
void AddRenew(CLI::App& app, Context& ctx, std::vector<Command>& commands) {
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
    ops::RenewOptions options;
    options.name = *name;
    options.rekey = *rekey;
    if (!key->empty()) {
      MQTTPKI_ASSIGN_OR_RETURN(options.key, ParseKeyType(*key));
    }
    MQTTPKI_ASSIGN_OR_RETURN(options.days, ParseDays(*days));
    PassphraseProvider pass = Passphrases(*pass_file);
    PassphraseProvider key_pass = Passphrases(*key_pass_file, KeyOwner::kLeaf);
    options.key_pass = &key_pass;
    MQTTPKI_ASSIGN_OR_RETURN(ops::RenewResult renewed, ops::Renew(ctx.Pki(), options, pass, ctx.now));
    const Certificate& cert = renewed.cert;
    Output out = ReportOutput(renewed.report, "Renewed " + *name + (*rekey ? " with a new key" : " (same key)") +
                                                  ": serial " + cert.SerialHex() + ", valid until " +
                                                  FormatTime(cert.NotAfter()) + "; the previous one is superseded:");
    out.json["serial"] = cert.SerialHex();
    out.json["superseded"] = renewed.superseded;
    return out;
  }});
}

// AddNeedsRenewal adds 'needs-renewal NAME|FILE [--expires-in]'.
void AddNeedsRenewal(CLI::App& app, Context& ctx, std::vector<Command>& commands) {
  auto* sub = app.add_subcommand("needs-renewal", "Exit 1 when a certificate should be renewed, 0 when not (for cron: ... || mqttpki renew)");
  auto what = std::make_shared<std::string>();
  auto within = std::make_shared<std::string>("66%");
  sub->add_option("NAME_OR_FILE", *what, "Entity name, or a certificate file")->required();
  sub->add_option("--expires-in", *within,
                  "Renew when it expires within this time (30d) or after this share of its life has passed "
                  "(66%, the default)");
  commands.push_back({sub, [&ctx, what, within]() -> Result<Output> {
    ops::RenewalPolicy policy;
    if (!within->empty() && within->back() == '%') {
      std::string digits = within->substr(0, within->size() - 1);
      if (digits.empty() || digits.size() > 3 || !std::all_of(digits.begin(), digits.end(), ::isdigit) ||
          std::stoi(digits) > 100) {
        return MakeError(ErrorCode::kUsage, "invalid --expires-in '" + Printable(*within) + "': use e.g. 66% or 30d");
      }
      policy.percent = std::stoi(digits);
    } else {
      MQTTPKI_ASSIGN_OR_RETURN(policy.window, ParseDuration(*within, "--expires-in"));
    }
    MQTTPKI_ASSIGN_OR_RETURN(ops::RenewalCheck check, ops::NeedsRenewal(ctx.Pki(), *what, policy, ctx.now));
    Output out;
    bool due = check.due;
    int64_t left = (check.not_after - ctx.now) / kDay;
    out.text = std::string(due ? "RENEW: " : "OK: ") + check.file + " expires " + FormatTime(check.not_after) +
               " (" + std::to_string(left) + " days left); renewal " + (due ? "was due " : "is due ") +
               FormatTime(check.renew_at) + "\n";
    out.json = {{"file", check.file}, {"needs_renewal", due}, {"not_after", FormatTime(check.not_after)},
                {"renew_at", FormatTime(check.renew_at)}, {"days_left", left}};
    out.exit_code = due ? 1 : 0;
    return out;
  }});
}

// AddRotate adds 'rotate CA'.
void AddRotate(CLI::App& app, Context& ctx, std::vector<Command>& commands) {
  auto* sub = app.add_subcommand("rotate", "New key and certificate for an intermediate CA; its servers are re-issued; devices keep the root");
  auto name = std::make_shared<std::string>();
  auto days = std::make_shared<std::string>();
  auto pass_file = std::make_shared<std::string>();
  sub->add_option("CA", *name, "The intermediate to rotate, e.g. server-ca")->required();
  sub->add_option("--days", *days, "Validity of the new intermediate (default: 1825)");
  sub->add_option("--passphrase-file", *pass_file, "Passphrase of the CA keys");
  commands.push_back({sub, [&ctx, name, days, pass_file]() -> Result<Output> {
    ops::RotateOptions options;
    options.ca = *name;
    MQTTPKI_ASSIGN_OR_RETURN(options.days, ParseDays(*days));
    PassphraseProvider pass = Passphrases(*pass_file);
    MQTTPKI_ASSIGN_OR_RETURN(ops::RotateResult rotated, ops::Rotate(ctx.Pki(), options, pass, ctx.now));
    const std::vector<std::string>& reissued = rotated.reissued;
    PkiDir pki = ctx.Pki();
    std::string names;
    for (const std::string& n : reissued) names += (names.empty() ? "" : ", ") + n;
    Output out = ReportOutput(rotated.report, "Rotated " + *name + ": new serial " + rotated.cert.SerialHex() +
                                          "; the old one is kept in " + pki.Path(*name + "/archive/") + ":");
    out.text += "Re-issued under the new " + *name + ": " + (names.empty() ? "none" : names) +
                "\nDevices that trust only ca-bundle.pem (the root) accept the new chains as they are; deploy the "
                "new chain files to the brokers.\n";
    out.json["reissued"] = reissued;
    out.json["serial"] = rotated.cert.SerialHex();
    return out;
  }});
}

}  // namespace

void RegisterLifecycle(CLI::App& app, Context& ctx, std::vector<Command>& commands) {
  if (ctx.Wants("list")) AddList(app, ctx, commands);
  if (ctx.Wants("show")) AddShow(app, ctx, commands);
  if (ctx.Wants("revoke")) AddRevoke(app, ctx, commands);
  if (ctx.Wants("crl")) AddCrl(app, ctx, commands);
  if (ctx.Wants("renew")) AddRenew(app, ctx, commands);
  if (ctx.Wants("needs-renewal")) AddNeedsRenewal(app, ctx, commands);
  if (ctx.Wants("rotate")) AddRotate(app, ctx, commands);
}

}  // namespace mqttpki::cli

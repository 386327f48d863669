#include "context.h"

#include <sys/stat.h>

#include <cstdio>

#include "mqttpki/fs.h"
#include "mqttpki/inventory.h"
#include "mqttpki/ops.h"

namespace mqttpki::cli {

std::string ArgWord(std::string_view arg) {
  if (arg == "lock_timeout") return kLockTimeoutEnv;  // a setting of the environment, not a flag
  return "--" + std::string(arg);
}

std::string Words(std::string_view text) {
  if (text.find('\x01') == std::string_view::npos) return std::string(text);
  return RenderReferences(
      text, ArgWord,
      [](std::string_view op) { return "'mqttpki " + std::string(op) + "'"; });
}

void SubjectFlags::Add(CLI::App* app) {
  org_opt = app->add_option("--org", org, "Organization (O) of the subject");
  country_opt = app->add_option("--country", country, "Country (C): a two-letter code");
  ou_opt = app->add_option("--ou", ou, "Organizational unit (OU)");
}
std::optional<std::string> SubjectFlags::Org() const {
  return org_opt != nullptr && org_opt->count() > 0 ? std::optional(org) : std::nullopt;
}
std::optional<std::string> SubjectFlags::Country() const {
  return country_opt != nullptr && country_opt->count() > 0 ? std::optional(country) : std::nullopt;
}
std::optional<std::string> SubjectFlags::Ou() const {
  return ou_opt != nullptr && ou_opt->count() > 0 ? std::optional(ou) : std::nullopt;
}

void PassphraseFlags::Add(CLI::App* app, bool creates_ca_key) {
  auto* file_opt = app->add_option("--passphrase-file", file,
                                   "Read the key passphrase from the first line of FILE (else $MQTTPKI_PASSPHRASE, "
                                   "else a prompt on the terminal)");
  if (creates_ca_key) {
    app->add_flag("--no-passphrase", no_passphrase, "Write the new CA key unencrypted (not recommended)")
        ->excludes(file_opt);
  }
}

Result<int> ParseDays(const std::string& text) {
  if (text.empty()) return 0;
  long long v = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || v > 100000) {
      return MakeError(ErrorCode::kUsage,
                       "--days must be a positive whole number of days, not '" + Printable(text) + "'");
    }
    v = v * 10 + (c - '0');
  }
  if (v <= 0) {
    return MakeError(ErrorCode::kUsage, "--days must be a positive whole number of days, not '" + Printable(text) + "'");
  }
  if (v > 36500) return MakeError(ErrorCode::kUsage, "--days " + text + " is more than 100 years");
  return static_cast<int>(v);
}

Result<std::vector<SubjectAltName>> ParseSans(const std::vector<std::string>& values) {
  std::vector<SubjectAltName> out;
  for (const std::string& v : values) {
    MQTTPKI_ASSIGN_OR_RETURN(SubjectAltName san, ParseSan(v));
    AddUnique(out, san);
  }
  return out;
}

Result<std::string> ReadFileArg(const std::string& path) {
  return RealFileSystem().ReadFile(path, kMaxInputBytes);
}

std::string FileMode(const std::string& path) {
  struct stat sb;
  if (::stat(path.c_str(), &sb) != 0) return "?";
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%04o", static_cast<unsigned>(sb.st_mode & 07777));
  return buf;
}

Status CheckInventory(const Context& ctx) { return ops::CheckPkiWritable(ctx.Pki(), ctx.now); }

Status CommitAll(const Context& ctx, FileTransaction& tx, const Report& report) {
  return CommitWithInventory(ctx.Pki(), tx, report.inventory, ctx.now);
}

Output ReportOutput(const Report& report, const std::string& headline) {
  Output out;
  out.text = headline + "\n";
  nlohmann::json files = nlohmann::json::array();
  for (const Report::File& f : report.files) {
    std::string mode = FileMode(f.path);
    out.text += "  " + mode + "  " + f.path + "\n";
    files.push_back({{"path", f.path}, {"kind", f.kind}, {"name", f.name}, {"mode", mode}});
  }
  out.json["files"] = files;
  out.warnings = report.warnings;
  return out;
}

}  // namespace mqttpki::cli

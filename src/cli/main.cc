// mqttpki: the command line over the PKI engine. The one place that turns errors into exit codes and messages.
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <optional>
#include <string_view>

#include "context.h"

namespace mqttpki::cli {
namespace {

constexpr const char* kDescription =
    "mqttpki: a private PKI for MQTT brokers and IoT fleets.\n"
    "Offline root CA, intermediate server CA, broker certificates with SANs, the leaf-first chain file and the\n"
    "device CA bundle, done right by default. Exit codes: 0 ok, 1 check failed, 2 usage error, 3 bad input/I-O.\n"
    "Start with:  mqttpki quickstart --san mqtt.example.com --san 10.0.0.5";

// Messages can quote what a user or a file gave (names, paths, CSR fields): worded for the terminal (Words), then
// escaped once more, so that no control character reaches the terminal and no line can be forged.
std::string Safe(const std::string& message) { return Printable(Words(message), /*escape_backslash=*/false); }

// ExitCode maps an error's kind to the exit code of the command contract.
int ExitCode(ErrorCode code) {
  switch (code) {
    case ErrorCode::kRejected: return 1;
    case ErrorCode::kUsage: return 2;
    case ErrorCode::kInput:
    case ErrorCode::kExists:
    case ErrorCode::kIo:
    case ErrorCode::kInternal: return 3;
  }
  return 3;
}

// WordJson applies Words to every string of |j| that holds a reference (a library message in a report).
void WordJson(nlohmann::json& j) {
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    if (s.find('\x01') != std::string::npos) j = Words(s);
  } else if (j.is_structured()) {
    for (nlohmann::json& v : j) WordJson(v);
  }
}

// JSON output never fails on bytes that are not UTF-8 (a path or a name from a file): they are replaced.
std::string Dump(const nlohmann::json& j) { return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace); }

void PrintWarnings(const std::vector<std::string>& warnings) {
  for (const std::string& w : warnings) std::fprintf(stderr, "warning: %s\n", Safe(w).c_str());
}

// SecretOnArgv finds an option that would put a passphrase or password on the command line (where ps, /proc
// and shell history show it): such options do not exist, and the value must not be echoed in the error either.
std::optional<std::string> SecretOnArgv(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a.size() < 3 || a.substr(0, 2) != "--") continue;
    std::string_view name = a.substr(2, a.find('=') == std::string_view::npos ? std::string_view::npos : a.find('=') - 2);
    bool secret = name.find("pass") != std::string_view::npos || name.find("secret") != std::string_view::npos;
    bool allowed = name.size() >= 5 && name.substr(name.size() - 5) == "-file";
    if (name == "no-passphrase") allowed = true;
    if (secret && !allowed) return std::string(name);
  }
  return std::nullopt;
}

// ExplainParseError names the unknown command when CLI11 would only say "A subcommand is required".
std::string ExplainParseError(CLI::App& app, const CLI::ParseError& e) {
  CLI::App* deepest = &app;
  for (bool descended = true; descended;) {
    descended = false;
    for (CLI::App* sub : deepest->get_subcommands([](CLI::App* a) { return a->parsed(); })) {
      deepest = sub;
      descended = true;
      break;
    }
  }
  if (deepest->get_require_subcommand_min() == 0 || deepest->get_subcommands({}).empty()) return e.what();
  // A command group was chosen (or none), but no command of it: the first leftover word is the unknown one.
  std::vector<std::string> rest = deepest->remaining();
  if (rest.empty()) rest = app.remaining();
  std::string names;
  for (CLI::App* sub : deepest->get_subcommands({})) names += (names.empty() ? "" : ", ") + sub->get_name();
  std::string where = deepest == &app ? "" : deepest->get_name() + " ";
  if (!rest.empty() && !rest.front().empty() && rest.front()[0] != '-') {
    return "unknown " + where + "command '" + Printable(rest.front()) + "' (choose from: " + names + ")";
  }
  if (deepest != &app) return "'" + deepest->get_name() + "' needs a command (choose from: " + names + ")";
  return "no command given (choose from: " + names + ")";
}

int ReportError(const Context& ctx, const Error& e) {
  std::fprintf(stderr, "mqttpki: error: %s\n", Safe(e.message).c_str());
  const char* debug = std::getenv("MQTTPKI_DEBUG");
  if (e.code == ErrorCode::kInternal || (debug != nullptr && *debug != '\0')) {
    for (const std::string& o : e.openssl_errors) std::fprintf(stderr, "  openssl: %s\n", o.c_str());
  }
  int code = ExitCode(e.code);
  if (ctx.json) {
    nlohmann::json j = {{"ok", false}, {"error", Safe(e.message)}, {"exit_code", code}};
    if (!e.argument.empty()) j["argument"] = ArgWord(e.argument);
    if (!e.file.empty()) j["file"] = e.file;
    if (!e.certificate.empty()) j["certificate"] = e.certificate;
    std::printf("%s\n", Dump(j).c_str());
  }
  return code;
}

// CommandOf finds the command word in |argv| (skipping the global options), if it is one of ours.
std::string CommandOf(int argc, char** argv) {
  static const char* const kCommands[] = {"quickstart", "init",   "root",   "ca",     "bundle",  "server",
                                          "csr",        "verify", "inspect", "probe", "deploy",  "export",
                                          "list",       "show",   "revoke", "crl",    "renew",   "needs-renewal",
                                          "rotate",     "import", "device"};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--pki") {
      ++i;
      continue;
    }
    if (!a.empty() && a[0] == '-') continue;
    for (const char* c : kCommands) {
      if (a == c) return a;
    }
    return {};
  }
  return {};
}

// ProtectSecrets keeps key material out of places it could leak to: no core dumps and no ptrace by other
// processes of the same user (a crash of a batch would otherwise dump every key in flight), and a umask under
// which nothing this process creates is readable by others before it is given its final mode.
void ProtectSecrets() {
  struct rlimit none = {0, 0};
  setrlimit(RLIMIT_CORE, &none);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  umask(077);
}

int Run(int argc, char** argv) {
  ProtectSecrets();
  InitCrypto();

  Context ctx;
  const char* env_dir = std::getenv("MQTTPKI_DIR");
  ctx.pki_dir = env_dir != nullptr && *env_dir != '\0' ? env_dir : "pki";
  ctx.now = static_cast<int64_t>(std::time(nullptr));
  ctx.command = CommandOf(argc, argv);

  CLI::App app{kDescription, "mqttpki"};
  app.set_version_flag("--version", "mqttpki 0.1.0");
  app.add_option("--pki", ctx.pki_dir, "PKI directory (default: $MQTTPKI_DIR, else ./pki)");
  app.add_flag("--json", ctx.json, "Print one JSON object on stdout instead of text");
  app.require_subcommand(1);
  app.fallthrough();

  std::vector<Command> commands;
  RegisterQuickstart(app, ctx, commands);
  RegisterCa(app, ctx, commands);
  RegisterLeaf(app, ctx, commands);
  RegisterVerify(app, ctx, commands);
  RegisterInspect(app, ctx, commands);
  RegisterProbe(app, ctx, commands);
  RegisterDeploy(app, ctx, commands);
  RegisterLifecycle(app, ctx, commands);
  RegisterImport(app, ctx, commands);
  RegisterDevice(app, ctx, commands);

  if (std::optional<std::string> option = SecretOnArgv(argc, argv)) {
    std::fprintf(stderr, "mqttpki: error: --%s: passphrases and passwords are never taken from the command line "
                         "(ps and shell history would show them); use --passphrase-file FILE (or "
                         "--key-passphrase-file, --password-file), an environment variable, or the prompt\n",
                 Safe(*option).c_str());
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "mqttpki: error: %s\nRun 'mqttpki --help' (or 'mqttpki COMMAND --help') for usage.\n",
                 Safe(ExplainParseError(app, e)).c_str());
    return 2;
  }

  if (const char* timeout = std::getenv(kLockTimeoutEnv); timeout != nullptr && *timeout != '\0') {
    Result<int> seconds = ParseLockTimeout(timeout);
    if (!seconds.ok()) return ReportError(ctx, seconds.error());
    ctx.store.lock_timeout_s = *seconds;
  }

  for (const Command& c : commands) {
    if (!c.app->parsed()) continue;
    Result<Output> out = c.run();
    if (!out.ok()) return ReportError(ctx, out.error());
    PrintWarnings(out->warnings);
    if (ctx.json) {
      nlohmann::json& j = out->json;
      j["ok"] = out->exit_code == 0;
      if (!out->warnings.empty()) j["warnings"] = out->warnings;
      WordJson(j);
      std::printf("%s\n", Dump(j).c_str());
    } else {
      std::fputs(Words(out->text).c_str(), stdout);
    }
    std::fflush(stdout);
    return out->exit_code;
  }
  std::fprintf(stderr, "mqttpki: error: no command given\n");
  return 2;
}

}  // namespace
}  // namespace mqttpki::cli

int main(int argc, char** argv) { return mqttpki::cli::Run(argc, argv); }

// What every command shares: the PKI directory, output mode, the clock, and how results are printed.
#ifndef MQTTPKI_CLI_CONTEXT_H_
#define MQTTPKI_CLI_CONTEXT_H_

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mqttpki/key.h"
#include "mqttpki/name.h"
#include "mqttpki/pki_dir.h"
#include "mqttpki/passphrase.h"
#include "mqttpki/result.h"

namespace mqttpki::cli {

// Output is what a command prints: |text| for people, |json| with --json. |exit_code| is 0 unless the command's
// check said no (verify: 1); errors travel as Error, not here.
struct Output {
  std::string text;
  nlohmann::json json = nlohmann::json::object();
  int exit_code = 0;
  std::vector<std::string> warnings;
};

struct Context {
  std::string pki_dir;  // --pki, $MQTTPKI_DIR, or ./pki
  bool json = false;
  int64_t now = 0;

  // The command named on the command line, when it is one: only it is registered with the parser (building all
  // of them is a tenth of a short command's run time). Empty: register everything (help, errors).
  std::string command;
  bool Wants(const std::string& name) const { return command.empty() || command == name; }

  StoreOptions store;  // $MQTTPKI_LOCK_TIMEOUT

  PkiDir Pki() const { return PkiDir(pki_dir, RealFileSystem(), store); }
};

using Runner = std::function<Result<Output>()>;

// Command is one leaf of the command tree: its CLI11 app and what runs when it is chosen.
struct Command {
  CLI::App* app;
  Runner run;
};

// Each Register* adds its subcommands to |app| and appends them to |commands|. Option storage lives in the
// closures, so |ctx| must outlive the parse and the run.
void RegisterQuickstart(CLI::App& app, Context& ctx, std::vector<Command>& commands);
void RegisterCa(CLI::App& app, Context& ctx, std::vector<Command>& commands);  // init, root, ca, bundle
void RegisterLeaf(CLI::App& app, Context& ctx, std::vector<Command>& commands);  // server, csr
void RegisterVerify(CLI::App& app, Context& ctx, std::vector<Command>& commands);
void RegisterInspect(CLI::App& app, Context& ctx, std::vector<Command>& commands);
void RegisterProbe(CLI::App& app, Context& ctx, std::vector<Command>& commands);
void RegisterLifecycle(CLI::App& app, Context& ctx, std::vector<Command>& commands);
void RegisterImport(CLI::App& app, Context& ctx, std::vector<Command>& commands);
void RegisterDeploy(CLI::App& app, Context& ctx, std::vector<Command>& commands);  // deploy, export
void RegisterDevice(CLI::App& app, Context& ctx, std::vector<Command>& commands);  // device issue, device sign

// --- shared argument handling (context.cc) ---

// SubjectFlags are --org/--country/--ou, unset unless given.
struct SubjectFlags {
  std::string org, country, ou;
  CLI::Option* org_opt = nullptr;
  CLI::Option* country_opt = nullptr;
  CLI::Option* ou_opt = nullptr;
  void Add(CLI::App* app);
  std::optional<std::string> Org() const;
  std::optional<std::string> Country() const;
  std::optional<std::string> Ou() const;
};

// PassphraseFlags are --passphrase-file and (for commands that create CA keys) --no-passphrase.
struct PassphraseFlags {
  std::string file;
  bool no_passphrase = false;
  void Add(CLI::App* app, bool creates_ca_key);
};

// The environment variables that give a passphrase when no file does. The passphrase of an encrypted server or
// device key is never the CA's: it comes from its own file or variable.
inline constexpr const char* kPassphraseEnv = "MQTTPKI_PASSPHRASE";
inline constexpr const char* kKeyPassphraseEnv = "MQTTPKI_KEY_PASSPHRASE";

enum class KeyOwner {
  kCa,    // --passphrase-file, else $MQTTPKI_PASSPHRASE, else a prompt
  kLeaf,  // --key-passphrase-file, else $MQTTPKI_KEY_PASSPHRASE, else a prompt
};
// Passphrases is the provider of a command's passphrases for keys of |owner|, from |file| when given (passphrase.cc).
PassphraseProvider Passphrases(const std::string& file, KeyOwner owner = KeyOwner::kCa);

// kLockTimeoutEnv sets how long a command waits for another's lock on the inventory (StoreOptions).
inline constexpr const char* kLockTimeoutEnv = "MQTTPKI_LOCK_TIMEOUT";

// ArgWord is how the CLI names an operation's argument: its flag ("--san"), or the environment variable of a
// setting that has no flag (lock_timeout: MQTTPKI_LOCK_TIMEOUT).
std::string ArgWord(std::string_view arg);

// Words renders a library message or warning for the terminal: an argument is its flag ("--san"), an operation
// the command to run ("'mqttpki rotate server-ca'").
std::string Words(std::string_view text);

// ParseDays reads a --days value ("" means the profile default: 0).
Result<int> ParseDays(const std::string& text);
// ParseSans reads every --san value.
Result<std::vector<SubjectAltName>> ParseSans(const std::vector<std::string>& values);
// ReadFileArg reads a file named on the command line (kInput when missing).
Result<std::string> ReadFileArg(const std::string& path);

// CheckInventory checks that the PKI directory can be written (CheckWritableDir) and opens the PKI's inventory if
// it exists (applying pending journals), so that a read-only directory or a corrupt or locked database stops a
// command before it writes anything.
Status CheckInventory(const Context& ctx);
// CommitAll commits the command's files and records its certificates in the inventory (CommitWithInventory).
// Every command commits through it, so that its files are atomic across a crash too.
Status CommitAll(const Context& ctx, FileTransaction& tx, const Report& report);

// ReportOutput renders what an operation wrote, as text lines and as JSON ("files", "warnings").
Output ReportOutput(const Report& report, const std::string& headline);
// FileMode renders a file's permission bits ("0400"), or "?".
std::string FileMode(const std::string& path);

}  // namespace mqttpki::cli

#endif  // MQTTPKI_CLI_CONTEXT_H_

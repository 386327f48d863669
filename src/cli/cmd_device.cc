// device issue, device sign: client identities for a fleet of devices (fleet.h).
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "context.h"
#include "mqttpki/fleet.h"
#include "mqttpki/ops.h"
#include "mqttpki/passphrase.h"

namespace mqttpki::cli {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void OnStopSignal(int) { g_stop.store(true); }

// StopOnSignal turns SIGINT and SIGTERM into a request to finish the chunks in flight and stop.
class StopOnSignal {
 public:
  StopOnSignal() {
    g_stop.store(false);
    struct sigaction sa = {};
    sa.sa_handler = OnStopSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~StopOnSignal() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_ = {}, old_term_ = {};
};

// ProgressBar draws "[#####     ] 45,000/100,000  17,234/s  ETA 3s" on a terminal's stderr, at most 10 times a
// second; nothing when stderr is not a terminal.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled && isatty(STDERR_FILENO) == 1) {}
  ~ProgressBar() { Finish(); }
  void Update(const BatchProgress& p) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_ < std::chrono::milliseconds(100) && p.done < p.todo) return;
    last_ = now;
    drawn_ = true;
    double rate = p.seconds > 0 ? static_cast<double>(p.done) / p.seconds : 0;
    int width = 30;
    int filled = p.todo > 0 ? static_cast<int>(width * static_cast<double>(p.done) / static_cast<double>(p.todo)) : 0;
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(width - filled), ' ');
    std::string eta = rate > 0 ? std::to_string(static_cast<long long>(static_cast<double>(p.todo - p.done) / rate)) + "s" : "?";
    std::fprintf(stderr, "\r[%s] %llu/%llu  %.0f/s  ETA %s   ", bar.c_str(), static_cast<unsigned long long>(p.done),
                 static_cast<unsigned long long>(p.todo), rate, eta.c_str());
    std::fflush(stderr);
  }
  void Finish() {
    if (enabled_ && drawn_) std::fputs("\n", stderr);
    drawn_ = false;
  }

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_;
};

struct BatchFlags {
  std::string ca = kDefaultDeviceCaName;
  std::string out;
  std::string archive;
  std::string days;
  std::string key = "ec-p256";
  bool der = false;
  bool c_header = false;
  unsigned jobs = 0;
  SubjectFlags subject;
  PassphraseFlags pass;

  void Add(CLI::App* app, bool generates_keys) {
    app->add_option("--ca", ca, "The device CA (default: device-ca; create it with 'ca create device-ca --for client')");
    app->add_option("--out", out, "Write a folder per device here (default: PKI/devices)");
    app->add_option("--archive", archive, "Stream every device's files into one tar instead (a folder per device, "
                                          "manifest included): for large batches");
    app->add_option("--days", days, "Validity in days (default: 365)");
    if (generates_keys) {
      app->add_option("--key", key, "Device key type: ec-p256 (default), ec-p384, rsa-2048, rsa-3072, rsa-4096");
    }
    app->add_flag("--der", der, "Also write DER files (ID.cert.der, and ID.key.der for generated keys)");
    app->add_flag("--c-header", c_header, "Also write ID.h: the chain (and key) as C strings for mbedTLS firmware");
    app->add_option("--jobs", jobs, "Threads (default: every core)");
    subject.Add(app);
    pass.Add(app, false);
  }
};

Result<Output> RunBatch(const Context& ctx, const BatchFlags& f, DeviceSource& source, KeyType key) {
  if (!f.out.empty() && !f.archive.empty()) return MakeError(ErrorCode::kUsage, "--out and --archive exclude each other");
  ops::DeviceBatchOptions batch;
  batch.key = key;
  MQTTPKI_ASSIGN_OR_RETURN(batch.days, ParseDays(f.days));
  batch.organization = f.subject.Org();
  batch.country = f.subject.Country();
  batch.org_unit = f.subject.Ou();
  PkiDir pki = ctx.Pki();
  BatchOptions& bo = batch.batch;
  bo.ca_name = f.ca;
  bo.archive = f.archive;
  bo.out_dir = f.archive.empty() ? (f.out.empty() ? pki.Path("devices") : f.out) : "";
  bo.der = f.der;
  bo.c_header = f.c_header;
  bo.jobs = f.jobs;
  bo.on_wait = [root = pki.root()]() {
    std::fprintf(stderr, "mqttpki: another device batch is running in %s; waiting for it to finish\n", root.c_str());
  };

  PassphraseProvider pass = Passphrases(f.pass.file);
  ProgressBar bar(!ctx.json);
  StopOnSignal signals;
  MQTTPKI_ASSIGN_OR_RETURN(BatchResult r, ops::IssueDevices(pki, batch, source, pass, ctx.now, &g_stop,
                                                            [&bar](const BatchProgress& p) { bar.Update(p); }));
  bar.Finish();

  Output out;
  out.warnings = r.warnings;
  if (r.oversize > 0) {
    out.warnings.push_back(std::to_string(r.oversize) + " device(s) send a certificate chain of " +
                           std::to_string(r.largest_chain) + " bytes, over the 4096 bytes of ESP-IDF's default "
                           "mbedTLS output buffer: use EC keys for the device CA and fewer names, or raise "
                           "CONFIG_MBEDTLS_SSL_OUT_CONTENT_LEN");
  }
  double rate = r.seconds > 0 ? static_cast<double>(r.issued) / r.seconds : 0;
  char figures[96];
  std::snprintf(figures, sizeof(figures), " in %.2f s (%.0f/s)", r.seconds, rate);
  std::string text;
  if (r.interrupted) {
    text = "Interrupted: " + std::to_string(r.issued) + " more of " + std::to_string(r.total) + " devices issued" +
           figures + ". Every issued device is complete; run the same command again to continue.\n";
    out.exit_code = 130;
  } else {
    text = "Issued " + std::to_string(r.issued) + " device certificate" + (r.issued == 1 ? "" : "s") + " under '" +
           f.ca + "'" + figures;
    if (r.skipped > 0) text += "; " + std::to_string(r.skipped) + " already issued, skipped";
    text += ":\n";
  }
  for (const std::string& o : r.outputs) text += "  " + o + "\n";
  out.text = text;
  nlohmann::json outputs = nlohmann::json::array();
  for (const std::string& o : r.outputs) outputs.push_back(o);
  out.json = {{"ca", f.ca},          {"total", r.total},       {"issued", r.issued},
              {"skipped", r.skipped}, {"interrupted", r.interrupted}, {"seconds", r.seconds},
              {"outputs", outputs},   {"largest_chain_bytes", r.largest_chain}};
  return out;
}

}  // namespace

void RegisterDevice(CLI::App& app, Context& ctx, std::vector<Command>& commands) {
  if (!ctx.Wants("device")) return;
  auto* device = app.add_subcommand("device", "Client certificates for devices (mutual TLS), one or a million");
  device->require_subcommand(1);

  auto* issue = device->add_subcommand("issue", "Generate keys and issue device certificates (CN = device id)");
  auto ids = std::make_shared<std::vector<std::string>>();
  auto count = std::make_shared<uint64_t>(0);
  auto start = std::make_shared<uint64_t>(1);
  auto prefix = std::make_shared<std::string>("dev-");
  auto from = std::make_shared<std::string>();
  auto sans = std::make_shared<std::vector<std::string>>();
  auto flags = std::make_shared<BatchFlags>();
  issue->add_option("ID", *ids, "Device ids (letters, digits, '.', '_', '-'; at most 64)");
  issue->add_option("--count", *count, "Issue N devices named PREFIX + a zero-padded number");
  issue->add_option("--prefix", *prefix, "Prefix of --count's ids (default: dev-)");
  issue->add_option("--start", *start, "First number of --count's ids (default: 1)");
  issue->add_option("--from", *from, "A devices file: one device per line, 'ID[,SAN...]' ('#' comments)");
  issue->add_option("--san", *sans, "Extra DNS name or IP address for the given ID(s) (repeat)");
  flags->Add(issue, true);
  commands.push_back({issue, [&ctx, ids, count, start, prefix, from, sans, flags]() -> Result<Output> {
                        int sources = (!ids->empty() ? 1 : 0) + (*count > 0 ? 1 : 0) + (!from->empty() ? 1 : 0);
                        if (sources != 1) {
                          return MakeError(ErrorCode::kUsage, "name the devices one way: ID..., --count N [--prefix P], "
                                                              "or --from FILE");
                        }
                        if (!sans->empty() && ids->empty()) {
                          return MakeError(ErrorCode::kUsage, "--san goes with device ids on the command line; a "
                                                              "devices file gives each device its own names");
                        }
                        MQTTPKI_ASSIGN_OR_RETURN(KeyType key, ParseKeyType(flags->key));
                        std::unique_ptr<DeviceSource> source;
                        if (!ids->empty()) {
                          for (const std::string& id : *ids) MQTTPKI_TRY(ValidateDeviceId(id));
                          MQTTPKI_ASSIGN_OR_RETURN(std::vector<SubjectAltName> extra, ParseSans(*sans));
                          for (const SubjectAltName& s : extra) {
                            if (s.kind == SubjectAltName::Kind::kDns && s.value.rfind("*.", 0) == 0) {
                              return MakeError(ErrorCode::kUsage, "a device certificate never carries a wildcard "
                                                                  "name ('" + s.value + "')");
                            }
                          }
                          source = ListSource(*ids, extra);
                        } else if (*count > 0) {
                          MQTTPKI_TRY(ValidateDeviceId(*prefix + "1"));
                          source = CountSource(*prefix, *start, *count);
                        } else {
                          MQTTPKI_ASSIGN_OR_RETURN(source, CsvSource(*from));
                        }
                        return RunBatch(ctx, *flags, *source, key);
                      }});

  auto* sign = device->add_subcommand("sign", "Issue certificates for CSRs made on the devices (keys never leave them)");
  auto csr_dir = std::make_shared<std::string>();
  auto sign_flags = std::make_shared<BatchFlags>();
  sign->add_option("--csr-dir", *csr_dir, "Folder of CSRs (*.csr, *.csr.pem, *.req, *.pem); the CN is the device id")
      ->required();
  sign_flags->Add(sign, false);
  commands.push_back({sign, [&ctx, csr_dir, sign_flags]() -> Result<Output> {
                        MQTTPKI_ASSIGN_OR_RETURN(std::unique_ptr<DeviceSource> source, CsrDirSource(*csr_dir));
                        return RunBatch(ctx, *sign_flags, *source, KeyType::kEcP256);
                      }});
}

}  // namespace mqttpki::cli

// deploy NAME --broker B, export device: hand brokers and firmware exactly what they read.
#include <algorithm>
#include <filesystem>

#include "context.h"
#include "mqttpki/deploy.h"
#include "mqttpki/passphrase.h"

namespace mqttpki::cli {
namespace {

// AbsolutePath makes |dir| absolute so that a config snippet's paths work wherever the broker starts.
std::string AbsolutePath(const std::string& dir) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(dir, ec);
  return ec ? dir : p.lexically_normal().string();
}

std::string TrimSlash(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// LoadServer reads what deploy needs of server |name| from the PKI directory.
Result<DeployMaterial> LoadServer(const PkiDir& pki, const std::string& name, PassphraseProvider& pass) {
  DeployMaterial m;
  m.name = name;
  std::string chain_path = pki.ChainPath(name);
  MQTTPKI_ASSIGN_OR_RETURN(bool issued, pki.fs().Exists(chain_path));
  if (!issued) {
    return MakeError(ErrorCode::kInput, "server '" + name + "' has not been issued in " + pki.root() + ": " +
                                            chain_path + " does not exist (run 'mqttpki server issue " + name +
                                            " --san ...')");
  }
  MQTTPKI_ASSIGN_OR_RETURN(std::string chain_pem, pki.fs().ReadFile(chain_path, kMaxInputBytes));
  MQTTPKI_ASSIGN_OR_RETURN(m.chain, Certificate::AllFromPem(chain_pem, chain_path));
  const Certificate& leaf = m.chain.front();
  std::vector<std::string> eku = leaf.ExtendedKeyUsage();
  if (leaf.IsCa() || std::find(eku.begin(), eku.end(), "serverAuth") == eku.end()) {
    return MakeError(ErrorCode::kInput, chain_path + " is not a server certificate (no serverAuth); deploy is for "
                                                     "brokers");
  }
  std::string key_path = pki.KeyPath(name);
  MQTTPKI_ASSIGN_OR_RETURN(bool have_key, pki.fs().Exists(key_path));
  if (!have_key) {
    return MakeError(ErrorCode::kInput, "the key of '" + name + "' is not here: " + key_path +
                                            " does not exist (a key born on the broker stays there: configure the "
                                            "broker by hand with the chain file)");
  }
  MQTTPKI_ASSIGN_OR_RETURN(LoadedKey key, ReadPrivateKey(pki.fs(), key_path, pass));
  m.key = std::move(key.key);
  m.key_encrypted = key.encrypted;
  m.passphrase = std::move(key.passphrase);
  if (!leaf.MatchesKey(m.key)) return MakeError(ErrorCode::kInput, key_path + " is not the key of " + chain_path);
  MQTTPKI_ASSIGN_OR_RETURN(bool have_bundle, pki.fs().Exists(pki.BundlePath()));
  if (!have_bundle) {
    return MakeError(ErrorCode::kInput, pki.BundlePath() + " does not exist (run 'mqttpki bundle')");
  }
  MQTTPKI_ASSIGN_OR_RETURN(std::string bundle_pem, pki.fs().ReadFile(pki.BundlePath(), kMaxInputBytes));
  MQTTPKI_ASSIGN_OR_RETURN(m.bundle, Certificate::AllFromPem(bundle_pem, pki.BundlePath()));
  return m;
}

}  // namespace

void RegisterDeploy(CLI::App& app, Context& ctx, std::vector<Command>& commands) {
  if (ctx.Wants("deploy")) {
    auto* sub = app.add_subcommand("deploy", "Write a broker's TLS files in the formats it reads, with a config snippet");
    struct Flags {
      std::string name, broker, out, target, tls = "1.2", passphrase_file;
      uint16_t port = 8883;
      bool mtls = false, keystore = false, force = false;
    };
    auto f = std::make_shared<Flags>();
    sub->add_option("NAME", f->name, "The server (as issued: mqttpki server issue NAME)")->required();
    sub->add_option("--broker", f->broker, "mosquitto, thingsboard, emqx, hivemq, vernemq or nanomq")->required();
    sub->add_option("--out", f->out, "Directory to write the files to")->required();
    sub->add_option("--target-dir", f->target,
                    "Where the files will live on the broker host (paths in the snippet; default: --out)");
    sub->add_option("--port", f->port, "TLS listener port (default: 8883)");
    sub->add_option("--tls", f->tls, "Minimum TLS version: 1.2 (default) or 1.3");
    sub->add_flag("--mtls", f->mtls, "Require client certificates (mutual TLS); where the broker can, CN = user name");
    sub->add_flag("--keystore", f->keystore, "thingsboard: KEYSTORE mode with a PKCS#12 file instead of PEM");
    sub->add_option("--passphrase-file", f->passphrase_file, "Passphrase of an encrypted server key");
    sub->add_flag("--force", f->force, "Overwrite existing files in --out");
    commands.push_back({sub, [&ctx, f]() -> Result<Output> {
      MQTTPKI_TRY(PkiDir::ValidateName(f->name));
      DeployOptions o;
      MQTTPKI_ASSIGN_OR_RETURN(o.broker, ParseBroker(f->broker));
      if (f->tls == "1.3") {
        o.tls13_only = true;
      } else if (f->tls != "1.2") {
        return MakeError(ErrorCode::kUsage, "unknown --tls '" + Printable(f->tls) + "': use 1.2 or 1.3");
      }
      if (f->keystore && o.broker != Broker::kThingsBoard) {
        return MakeError(ErrorCode::kUsage, "--keystore is for --broker thingsboard (hivemq always gets one)");
      }
      if (f->port == 0) return MakeError(ErrorCode::kUsage, "--port must be 1-65535");
      o.port = f->port;
      o.mtls = f->mtls;
      o.keystore = f->keystore;
      o.out_dir = TrimSlash(f->out);
      o.target_dir = TrimSlash(f->target.empty() ? AbsolutePath(f->out) : f->target);
      o.elsewhere = !f->target.empty();
      // The directory goes into the broker's configuration: refused before anything is read or written.
      MQTTPKI_TRY(
          CheckTargetDir(o.target_dir, f->target.empty() ? "--out (the default --target-dir)" : "--target-dir"));
      PkiDir pki = ctx.Pki();
      PassphraseProvider pass = Passphrases(f->passphrase_file);
      MQTTPKI_ASSIGN_OR_RETURN(DeployMaterial m, LoadServer(pki, f->name, pass));
      FileTransaction tx(pki.fs(), f->force);
      Report report;
      MQTTPKI_ASSIGN_OR_RETURN(std::string instructions, Deploy(m, o, tx, report));
      instructions = Words(instructions);
      MQTTPKI_TRY(CommitAll(ctx, tx, report));
      Output out = ReportOutput(
          report, "Deployed '" + f->name + "' for " + BrokerName(o.broker) + " in " + Printable(o.out_dir) + ":");
      out.text += instructions;
      out.json["broker"] = BrokerName(o.broker);
      out.json["instructions"] = instructions;
      return out;
    }});
  }
  if (ctx.Wants("export")) {
    auto* group = app.add_subcommand("export", "Export for devices");
    group->require_subcommand(1);
    auto* sub = group->add_subcommand("device", "The device trust bundle as PEM, DER and a C header for firmware");
    auto out_dir = std::make_shared<std::string>();
    auto formats = std::make_shared<std::vector<std::string>>();
    auto bundle = std::make_shared<std::string>();
    auto force = std::make_shared<bool>(false);
    sub->add_option("--out", *out_dir, "Directory to write to")->required();
    sub->add_option("--format", *formats, "pem, der, c-header (repeat; default: all three)");
    sub->add_option("--bundle", *bundle, "The bundle to export (default: PKI_DIR/ca-bundle.pem)");
    sub->add_flag("--force", *force, "Overwrite existing files");
    commands.push_back({sub, [&ctx, out_dir, formats, bundle, force]() -> Result<Output> {
      std::vector<DeviceFormat> fs;
      for (const std::string& name : *formats) {
        if (name == "pem") {
          fs.push_back(DeviceFormat::kPem);
        } else if (name == "der") {
          fs.push_back(DeviceFormat::kDer);
        } else if (name == "c-header") {
          fs.push_back(DeviceFormat::kCHeader);
        } else {
          return MakeError(ErrorCode::kUsage, "unknown --format '" + name + "': use pem, der or c-header");
        }
      }
      if (fs.empty()) fs = {DeviceFormat::kPem, DeviceFormat::kDer, DeviceFormat::kCHeader};
      PkiDir pki = ctx.Pki();
      std::string bundle_path = bundle->empty() ? pki.BundlePath() : *bundle;
      Result<std::string> pem = pki.fs().ReadFile(bundle_path, kMaxInputBytes);
      if (!pem.ok()) {
        if (bundle->empty() && pem.error().code == ErrorCode::kInput) {
          return MakeError(ErrorCode::kInput, bundle_path + " does not exist (run 'mqttpki bundle' or 'mqttpki quickstart')");
        }
        return pem.error();
      }
      MQTTPKI_ASSIGN_OR_RETURN(std::vector<Certificate> certs, Certificate::AllFromPem(*pem, bundle_path));
      MQTTPKI_TRY(CheckTrustAnchors(certs, bundle_path));
      FileTransaction tx(pki.fs(), *force);
      Report report;
      MQTTPKI_TRY(ExportDevice(certs, fs, TrimSlash(*out_dir), tx, report));
      MQTTPKI_TRY(CommitAll(ctx, tx, report));
      Output out = ReportOutput(report, "Exported the device trust bundle (" + std::to_string(certs.size()) +
                                            " certificate" + (certs.size() > 1 ? "s" : "") + "):");
      return out;
    }});
  }
}

}  // namespace mqttpki::cli

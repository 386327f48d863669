// probe HOST[:PORT]: what a device sees when it connects to a live broker.
#include <algorithm>
#include <cstdlib>

#include "context.h"
#include "mqttpki/passphrase.h"
#include "mqttpki/probe.h"

namespace mqttpki::cli {
namespace {

constexpr const char* kMqttPasswordEnv = "MQTTPKI_MQTT_PASSWORD";

// ParseTarget splits "host", "host:port", "[v6]:port" or a bare IPv6 address.
Result<std::pair<std::string, uint16_t>> ParseTarget(const std::string& target) {
  std::string host = target;
  std::string port_text;
  if (!target.empty() && target.front() == '[') {
    size_t close = target.find(']');
    if (close == std::string::npos) {
      return MakeError(ErrorCode::kUsage, "invalid target '" + Printable(target) + "'");
    }
    host = target.substr(1, close - 1);
    if (close + 1 < target.size()) {
      if (target[close + 1] != ':') {
        return MakeError(ErrorCode::kUsage, "invalid target '" + Printable(target) + "'");
      }
      port_text = target.substr(close + 2);
    }
  } else if (std::count(target.begin(), target.end(), ':') == 1) {
    size_t colon = target.find(':');
    host = target.substr(0, colon);
    port_text = target.substr(colon + 1);
  }
  uint16_t port = 8883;
  if (!port_text.empty()) {
    unsigned long v = 0;
    for (char c : port_text) {
      if (c < '0' || c > '9' || v > 65535) {
        return MakeError(ErrorCode::kUsage,
                         "invalid port in '" + Printable(target) + "': use HOST:PORT, e.g. broker:8883");
      }
      v = v * 10 + static_cast<unsigned long>(c - '0');
    }
    if (v == 0 || v > 65535) return MakeError(ErrorCode::kUsage, "invalid port in '" + Printable(target) + "'");
    port = static_cast<uint16_t>(v);
  }
  if (host.empty()) return MakeError(ErrorCode::kUsage, "invalid target '" + Printable(target) + "': no host");
  return std::make_pair(host, port);
}

// IsHostName says whether |host| is something to connect to or match: an IP address or a DNS name (no wildcard,
// no "DNS:"/"IP:" prefix, which ParseSan would accept).
bool IsHostName(const std::string& host) {
  if (IsIpAddress(host)) return true;
  return host.find_first_of(":*") == std::string::npos && ParseSan(host).ok();
}

std::string CertLine(const Certificate& c, int64_t now) {
  std::string sans;
  for (const SubjectAltName& s : c.Sans()) sans += (sans.empty() ? "" : ", ") + s.value;
  int64_t days = (c.NotAfter() - now) / 86400;
  std::string line = "'" + c.CommonName() + "' issued by '" + c.Issuer() + "'";
  if (!sans.empty()) line += ", SANs " + sans;
  line += c.NotAfter() < now ? ", EXPIRED " + std::to_string(-days) + " days ago"
                             : ", " + std::to_string(days) + " days left";
  if (c.IsCa()) line += c.IsSelfIssued() ? " [root CA]" : " [CA]";
  return line;
}

}  // namespace

void RegisterProbe(CLI::App& app, Context& ctx, std::vector<Command>& commands) {
  if (!ctx.Wants("probe")) return;
  auto* sub = app.add_subcommand("probe", "Connect to a live broker as a device would: TCP, TLS, chain, MQTT CONNECT");
  struct Flags {
    std::string target, bundle, name, tls, mqtt = "both", client_id, username, password_file, cert, key,
        passphrase_file;
    double timeout = 5;
  };
  auto f = std::make_shared<Flags>();
  sub->add_option("TARGET", f->target, "HOST[:PORT] (default port 8883)")->required();
  sub->add_option("--bundle", f->bundle, "The devices' CA bundle (default: PKI_DIR/ca-bundle.pem)");
  sub->add_option("--name", f->name, "SNI and the name the certificate must match (default: HOST)");
  sub->add_option("--tls", f->tls, "Pin the TLS version: 1.2 or 1.3");
  sub->add_option("--mqtt", f->mqtt, "MQTT version to CONNECT with: 3.1.1, 5, both (default), none");
  sub->add_option("--client-id", f->client_id, "MQTT client id (default: mqttpki-probe-<random>)");
  sub->add_option("--username", f->username, "MQTT user name");
  sub->add_option("--password-file", f->password_file,
                  "MQTT password from the first line of FILE (or $MQTTPKI_MQTT_PASSWORD)");
  sub->add_option("--cert", f->cert, "Client certificate chain for mutual TLS (PEM, leaf first)");
  sub->add_option("--key", f->key, "Client private key for mutual TLS");
  sub->add_option("--passphrase-file", f->passphrase_file, "Passphrase of an encrypted --key");
  sub->add_option("--timeout", f->timeout, "Seconds to wait for each step (default: 5)");
  commands.push_back({sub, [&ctx, f]() -> Result<Output> {
    ProbeOptions o;
    MQTTPKI_ASSIGN_OR_RETURN(auto target, ParseTarget(f->target));
    o.host = target.first;
    o.port = target.second;
    // HOST is checked as HOST (the message must not name --name when only HOST was given); --name, when given,
    // is checked on its own.
    if (!IsHostName(o.host)) {
      return MakeError(ErrorCode::kUsage, "invalid HOST '" + Printable(o.host) + "' in '" + Printable(f->target) +
                                              "': a DNS name or IP address, e.g. broker.example.com:8883");
    }
    o.name = f->name.empty() ? o.host : f->name;
    if (!f->name.empty() && !IsHostName(o.name)) {
      return MakeError(ErrorCode::kUsage, "invalid --name '" + Printable(o.name) + "': a DNS name or IP address");
    }
    if (f->tls == "1.2") {
      o.tls = TlsVersion::k12;
    } else if (f->tls == "1.3") {
      o.tls = TlsVersion::k13;
    } else if (!f->tls.empty()) {
      return MakeError(ErrorCode::kUsage, "unknown --tls '" + Printable(f->tls) + "': use 1.2 or 1.3");
    }
    if (f->mqtt == "both") {
      o.mqtt_versions = {4, 5};
    } else if (f->mqtt == "3.1.1") {
      o.mqtt_versions = {4};
    } else if (f->mqtt == "5") {
      o.mqtt_versions = {5};
    } else if (f->mqtt == "none") {
      o.mqtt_versions = {};
    } else {
      return MakeError(ErrorCode::kUsage, "unknown --mqtt '" + Printable(f->mqtt) + "': use 3.1.1, 5, both or none");
    }
    if (f->timeout <= 0 || f->timeout > 600) return MakeError(ErrorCode::kUsage, "--timeout must be 0-600 seconds");
    o.timeout_ms = static_cast<int>(f->timeout * 1000);
    o.client_id = f->client_id;
    if (!f->username.empty()) o.username = f->username;
    bool has_password = !f->password_file.empty() || std::getenv(kMqttPasswordEnv) != nullptr;
    if (has_password && !o.username && std::find(o.mqtt_versions.begin(), o.mqtt_versions.end(), 4) !=
                                           o.mqtt_versions.end()) {
      return MakeError(ErrorCode::kUsage, "MQTT 3.1.1 sends a password only with a user name: give --username (or "
                                          "--mqtt 5)");
    }
    if (!f->password_file.empty()) {
      MQTTPKI_ASSIGN_OR_RETURN(o.password, ReadSecretLine(RealFileSystem(), f->password_file, "password file"));
    } else if (const char* env = std::getenv(kMqttPasswordEnv); env != nullptr && *env != '\0') {
      o.password = Secret(env);
    }
    std::string bundle_path = f->bundle.empty() ? ctx.Pki().BundlePath() : f->bundle;
    MQTTPKI_ASSIGN_OR_RETURN(std::string bundle_pem, ReadFileArg(bundle_path));
    MQTTPKI_ASSIGN_OR_RETURN(o.trusted, Certificate::AllFromPem(bundle_pem, bundle_path));
    o.bundle_name = bundle_path;
    PrivateKey client_key;
    if (!f->cert.empty() || !f->key.empty()) {
      if (f->cert.empty() || f->key.empty()) return MakeError(ErrorCode::kUsage, "--cert and --key go together");
      MQTTPKI_ASSIGN_OR_RETURN(std::string cert_pem, ReadFileArg(f->cert));
      MQTTPKI_ASSIGN_OR_RETURN(o.client_chain, Certificate::AllFromPem(cert_pem, f->cert));
      PassphraseProvider pass = Passphrases(f->passphrase_file);
      MQTTPKI_ASSIGN_OR_RETURN(LoadedKey loaded, ReadPrivateKey(RealFileSystem(), f->key, pass));
      client_key = std::move(loaded.key);
      o.client_key = &client_key;
    }
    o.now = ctx.now;

    MQTTPKI_ASSIGN_OR_RETURN(ProbeReport r, Probe(o));

    Output out;
    std::string& t = out.text;
    char ms[32];
    t += "Probing " + o.host + ":" + std::to_string(o.port) + " as '" + o.name + "'\n";
    nlohmann::json j = {{"host", o.host}, {"port", o.port}, {"name", o.name}, {"bundle", bundle_path}};
    if (!r.address.empty()) j["address"] = r.address;
    if (r.stage == ProbeStage::kTcp) {
      t += "  TCP     FAILED: " + r.reason + "\n";
    } else {
      std::snprintf(ms, sizeof(ms), "%.1f ms", r.tcp_ms);
      t += "  TCP     connected to " + r.address + " in " + ms + "\n";
    }
    if (!r.tls_version.empty()) {
      std::snprintf(ms, sizeof(ms), "%.1f ms", r.tls_ms);
      t += "  TLS     " + r.tls_version + ", " + r.cipher + ", handshake " + ms + "\n";
      j["tls"] = {{"version", r.tls_version}, {"cipher", r.cipher}};
    }
    if (!r.presented.empty()) {
      t += "  Chain   as presented (" + std::to_string(r.presented.size()) + " certificate" +
           (r.presented.size() > 1 ? "s" : "") + "):\n";
      nlohmann::json chain = nlohmann::json::array();
      for (size_t i = 0; i < r.presented.size(); ++i) {
        const Certificate& c = r.presented[i];
        t += "          " + std::to_string(i + 1) + ". " + CertLine(c, ctx.now) + "\n";
        nlohmann::json sans = nlohmann::json::array();
        for (const SubjectAltName& s : c.Sans()) sans.push_back(s.ToString());
        chain.push_back({{"subject", c.Subject()},
                         {"issuer", c.Issuer()},
                         {"sans", sans},
                         {"not_after", FormatTime(c.NotAfter())},
                         {"days_left", (c.NotAfter() - ctx.now) / 86400},
                         {"sha256", c.Sha256Fingerprint()}});
      }
      j["chain"] = chain;
    }
    if (r.verify) {
      t += r.verify->ok ? "  Verify  OK against " + bundle_path + " for " + o.name + "\n"
                        : "  Verify  FAILED: " + r.verify->reason + "\n";
      j["verified"] = r.verify->ok;
    }
    nlohmann::json jm = nlohmann::json::array();
    for (const MqttAttempt& a : r.mqtt) {
      std::string v = a.version == 5 ? "MQTT 5    " : "MQTT 3.1.1";
      if (a.connack) {
        std::snprintf(ms, sizeof(ms), "%.1f ms", a.ms);
        t += "  " + v + " CONNACK " + std::to_string(a.code) + " (" + a.meaning + ")" +
             (a.reason.empty() ? "" : ": " + a.reason) + ", " + ms + "\n";
      } else {
        t += "  " + v + " FAILED: " + a.error + "\n";
      }
      jm.push_back({{"version", a.version == 5 ? "5" : "3.1.1"},
                    {"connack", a.connack},
                    {"code", a.code},
                    {"meaning", a.meaning},
                    {"error", a.error}});
    }
    j["mqtt"] = jm;
    j["stage"] = ProbeStageName(r.stage);
    if (r.ok) {
      t += "OK: " + o.name + " at " + r.address + " is reachable, trusted by " + bundle_path +
           (o.mqtt_versions.empty() ? "" : " and accepts MQTT") + "\n";
    } else {
      t += "FAILED (" + ProbeStageName(r.stage) + "): " + r.reason + "\n";
      j["reason"] = r.reason;
      out.exit_code = 1;
    }
    out.json = j;
    return out;
  }});
}

}  // namespace mqttpki::cli

#include "mqttpki/deploy.h"

#include <openssl/pkcs12.h>
#include <openssl/rand.h>

#include <filesystem>

#include "ossl/error.h"
#include "ossl/ptr.h"
#include "pki/internal.h"

namespace mqttpki {
namespace {

constexpr mode_t kSecretMode = 0400;
constexpr mode_t kPublicMode = 0644;

// Files is the set of paths deploy writes, as seen on the broker host (|target|) and here (|out|).
struct Files {
  std::string out, target;
  bool elsewhere = false;  // the files are to be copied to |target| on the broker host
  // Place says where the files are to be used, for the instructions.
  std::string Place(const std::string& host) const {
    return elsewhere ? "Copy " + Printable(out) + " to " + target + " on the " + host +
                           " (readable by the broker's user); "
                     : "Keep " + target + " readable by the broker's user; ";
  }
  std::string Out(const std::string& file) const { return out + "/" + file; }
  std::string At(const std::string& file) const { return target + "/" + file; }
};

std::string ChainPem(const std::vector<Certificate>& certs) {
  std::string pem;
  for (const Certificate& c : certs) pem += c.ToPem();
  return pem;
}

// Names lists the leaf's SANs for a comment line of a snippet. Certificate text can come from anywhere (an
// imported PKI): it is escaped, so that a newline in it cannot end the comment and add configuration.
std::string Names(const Certificate& leaf) {
  std::string out;
  for (const SubjectAltName& s : leaf.Sans()) out += (out.empty() ? "" : ", ") + Printable(s.value);
  return out;
}

// XmlCommentText makes escaped text safe inside <!-- ... -->, where "--" may not appear.
std::string XmlCommentText(std::string text) {
  for (size_t at = text.find("--"); at != std::string::npos; at = text.find("--", at)) text.replace(at, 2, "- ");
  return text;
}

Status Stage(FileTransaction& tx, Report& report, const std::string& path, std::string data, mode_t mode,
             const std::string& kind, const std::string& name) {
  MQTTPKI_TRY(tx.Stage(path, std::move(data), mode));
  report.files.push_back({path, kind, name});
  return Status::Ok();
}

// StagePemFiles writes the common trio: CA bundle, chain (leaf first) and the unencrypted key.
Status StagePemFiles(const DeployMaterial& m, const Files& f, FileTransaction& tx, Report& report) {
  MQTTPKI_TRY(Stage(tx, report, f.Out("ca-bundle.pem"), ChainPem(m.bundle), kPublicMode, "bundle", m.name));
  MQTTPKI_TRY(Stage(tx, report, f.Out(m.name + ".chain.pem"), ChainPem(m.chain), kPublicMode, "chain", m.name));
  MQTTPKI_ASSIGN_OR_RETURN(Secret key_pem, m.key.ToPem(nullptr));
  MQTTPKI_TRY(Stage(tx, report, f.Out(m.name + ".key.pem"), key_pem.str(), kSecretMode, "key", m.name));
  if (m.key_encrypted) {
    report.warnings.push_back("the broker cannot use an encrypted key: " + f.Out(m.name + ".key.pem") +
                              " is the decrypted key (0400); protect it like the broker itself");
  }
  return Status::Ok();
}

// ShellQuote makes |value| one word for a POSIX shell (thingsboard.conf is sourced by one).
std::string ShellQuote(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string Header(const DeployMaterial& m, const DeployOptions& o, const char* comment) {
  std::string c = comment;
  return c + " mqttpki deploy " + m.name + " --broker " + BrokerName(o.broker) + (o.mtls ? " --mtls" : "") + "\n" +
         c + " TLS listener for " + Names(m.chain.front()) + " (certificate '" +
         Printable(m.chain.front().CommonName()) +
         "', expires " + FormatTime(m.chain.front().NotAfter()) + ")\n";
}

Result<std::string> DeployMosquitto(const DeployMaterial& m, const DeployOptions& o, const Files& f,
                                    FileTransaction& tx, Report& report) {
  MQTTPKI_TRY(StagePemFiles(m, f, tx, report));
  std::string conf = Header(m, o, "#");
  conf +=
      "# The broker must be able to read the key after dropping privileges:\n"
      "#   chown mosquitto: " + f.At(m.name + ".key.pem") + "\n"
      "listener " + std::to_string(o.port) + "\n"
      "cafile " + f.At("ca-bundle.pem") + "\n"
      "certfile " + f.At(m.name + ".chain.pem") + "\n"
      "keyfile " + f.At(m.name + ".key.pem") + "\n"
      "tls_version " + (o.tls13_only ? "tlsv1.3" : "tlsv1.2") + "\n";
  if (o.mtls) {
    conf +=
        "# Mutual TLS: every client presents a certificate issued under ca-bundle.pem; its CN is the user name.\n"
        "require_certificate true\n"
        "use_identity_as_username true\n";
  } else {
    conf +=
        "# Mosquitto 2 refuses unauthenticated clients: give them a password_file (mosquitto_passwd), or use\n"
        "# client certificates (mqttpki deploy --mtls).\n"
        "#password_file /etc/mosquitto/passwd\n";
  }
  MQTTPKI_TRY(Stage(tx, report, f.Out("mosquitto.conf"), conf, kPublicMode, "config", m.name));
  return f.Place("broker host") + "include mosquitto.conf from mosquitto's config\n"
         "(e.g. as /etc/mosquitto/conf.d/" + m.name + ".conf; the key must belong to the mosquitto user) and restart\n"
         "mosquitto. Check it with " + Op("probe HOST:" + std::to_string(o.port) + " --bundle ca-bundle.pem") + "\n";
}

Result<std::string> DeployThingsBoard(const DeployMaterial& m, const DeployOptions& o, const Files& f,
                                      FileTransaction& tx, Report& report) {
  std::string conf = Header(m, o, "#");
  conf += "# Append to /etc/thingsboard/conf/thingsboard.conf, then: systemctl restart thingsboard\n"
          "export MQTT_SSL_ENABLED=true\n"
          "export MQTT_SSL_BIND_ADDRESS=0.0.0.0\n"
          "export MQTT_SSL_BIND_PORT=" + std::to_string(o.port) + "\n"
          "export MQTT_SSL_PROTOCOL=" + (o.tls13_only ? "TLSv1.3" : "TLSv1.2") + "\n";
  bool has_secret = false;
  if (o.keystore) {
    MQTTPKI_ASSIGN_OR_RETURN(Secret password, RandomPassword());
    MQTTPKI_ASSIGN_OR_RETURN(std::string p12, EncodePkcs12(m.key, m.chain, m.name, password));
    MQTTPKI_TRY(Stage(tx, report, f.Out(m.name + ".p12"), p12, kSecretMode, "keystore", m.name));
    conf += "export MQTT_SSL_CREDENTIALS_TYPE=KEYSTORE\n"
            "export MQTT_SSL_KEY_STORE_TYPE=PKCS12\n"
            "export MQTT_SSL_KEY_STORE=" + ShellQuote(f.At(m.name + ".p12")) + "\n"
            "export MQTT_SSL_KEY_STORE_PASSWORD=" + ShellQuote(password.str()) + "\n"
            "export MQTT_SSL_KEY_PASSWORD=" + ShellQuote(password.str()) + "\n";
    has_secret = true;
  } else {
    MQTTPKI_TRY(Stage(tx, report, f.Out(m.name + ".chain.pem"), ChainPem(m.chain), kPublicMode, "chain", m.name));
    std::string key_password;
    if (m.key_encrypted) {
      // ThingsBoard reads legacy encrypted PEM (Proc-Type/DEK-Info) but not encrypted PKCS#8. The password goes
      // into the broker's config, so it is a new random one, never the PKI's passphrase.
      MQTTPKI_ASSIGN_OR_RETURN(Secret password, RandomPassword());
      MQTTPKI_ASSIGN_OR_RETURN(Secret legacy, m.key.ToLegacyEncryptedPem(password));
      MQTTPKI_TRY(Stage(tx, report, f.Out(m.name + ".key.pem"), legacy.str(), kSecretMode, "key", m.name));
      key_password = password.str();
      has_secret = true;
    } else {
      MQTTPKI_ASSIGN_OR_RETURN(Secret key_pem, m.key.ToPem(nullptr));
      MQTTPKI_TRY(Stage(tx, report, f.Out(m.name + ".key.pem"), key_pem.str(), kSecretMode, "key", m.name));
    }
    conf += "export MQTT_SSL_CREDENTIALS_TYPE=PEM\n"
            "export MQTT_SSL_PEM_CERT=" + ShellQuote(f.At(m.name + ".chain.pem")) + "\n"
            "export MQTT_SSL_PEM_KEY=" + ShellQuote(f.At(m.name + ".key.pem")) + "\n"
            "export MQTT_SSL_PEM_KEY_PASSWORD=" + ShellQuote(key_password) + "\n";
  }
  MQTTPKI_TRY(Stage(tx, report, f.Out("ca-bundle.pem"), ChainPem(m.bundle), kPublicMode, "bundle", m.name));
  if (o.mtls) {
    conf += "# Mutual TLS: ThingsBoard authenticates devices by X.509 in its device profiles (certificate chain\n"
            "# or device certificate credentials); give it ca-bundle.pem / the device CA there.\n";
  }
  conf += "export MQTT_SSL_SKIP_VALIDITY_CHECK_FOR_CLIENT_CERT=false\n";
  MQTTPKI_TRY(Stage(tx, report, f.Out("thingsboard.conf"), conf, has_secret ? kSecretMode : kPublicMode, "config",
                    m.name));
  return f.Place("ThingsBoard host") + "append thingsboard.conf to\n"
         "/etc/thingsboard/conf/thingsboard.conf and restart ThingsBoard.\n" +
         std::string(has_secret ? "thingsboard.conf holds a password: keep it 0400/0600.\n" : "");
}

Result<std::string> DeployEmqx(const DeployMaterial& m, const DeployOptions& o, const Files& f, FileTransaction& tx,
                               Report& report) {
  MQTTPKI_TRY(StagePemFiles(m, f, tx, report));
  std::string conf = Header(m, o, "#");
  conf += "listeners.ssl.default {\n"
          "  bind = \"0.0.0.0:" + std::to_string(o.port) + "\"\n"
          "  ssl_options {\n"
          "    cacertfile = \"" + f.At("ca-bundle.pem") + "\"\n"
          "    certfile = \"" + f.At(m.name + ".chain.pem") + "\"\n"
          "    keyfile = \"" + f.At(m.name + ".key.pem") + "\"\n"
          "    versions = " + (o.tls13_only ? "[\"tlsv1.3\"]" : "[\"tlsv1.3\", \"tlsv1.2\"]") + "\n" +
          (o.mtls ? "    verify = verify_peer\n    fail_if_no_peer_cert = true\n"
                  : "    verify = verify_none\n") +
          "  }\n"
          "}\n";
  if (o.mtls) conf += "# The client certificate's CN is the user name:\nmqtt.peer_cert_as_username = cn\n";
  MQTTPKI_TRY(Stage(tx, report, f.Out("emqx.conf"), conf, kPublicMode, "config", m.name));
  return f.Place("EMQX host") + "add emqx.conf to\n"
         "/etc/emqx/emqx.conf and restart EMQX.\n";
}

Result<std::string> DeployHiveMq(const DeployMaterial& m, const DeployOptions& o, const Files& f,
                                 FileTransaction& tx, Report& report) {
  MQTTPKI_ASSIGN_OR_RETURN(Secret password, RandomPassword());
  MQTTPKI_ASSIGN_OR_RETURN(std::string p12, EncodePkcs12(m.key, m.chain, m.name, password));
  MQTTPKI_TRY(Stage(tx, report, f.Out(m.name + ".p12"), p12, kSecretMode, "keystore", m.name));
  // An XML comment may not contain "--": describe the command without its flags.
  std::string xml = "<!-- Generated by mqttpki deploy for server " + m.name + " (HiveMQ" +
                    (o.mtls ? ", mutual TLS" : "") + "): TLS listener for " +
                    XmlCommentText(Names(m.chain.front())) + ",\n     certificate '" +
                    XmlCommentText(Printable(m.chain.front().CommonName())) + "' expires " +
                    FormatTime(m.chain.front().NotAfter()) +
                    ".\n     Put it inside <listeners> of /opt/hivemq/conf/config.xml. -->\n";
  xml += "<tls-tcp-listener>\n"
         "    <port>" + std::to_string(o.port) + "</port>\n"
         "    <bind-address>0.0.0.0</bind-address>\n"
         "    <tls>\n"
         "        <keystore>\n"
         "            <path>" + f.At(m.name + ".p12") + "</path>\n"
         "            <password>" + password.str() + "</password>\n"
         "            <private-key-password>" + password.str() + "</private-key-password>\n"
         "        </keystore>\n";
  if (o.mtls) {
    // HiveMQ's truststore: the CA certificates as trusted entries.
    MQTTPKI_ASSIGN_OR_RETURN(Secret trust_password, RandomPassword());
    MQTTPKI_ASSIGN_OR_RETURN(std::string trust, EncodeTrustStore(m.bundle, trust_password));
    MQTTPKI_TRY(Stage(tx, report, f.Out("ca-bundle.p12"), trust, kPublicMode, "truststore", m.name));
    xml += "        <truststore>\n"
           "            <path>" + f.At("ca-bundle.p12") + "</path>\n"
           "            <password>" + trust_password.str() + "</password>\n"
           "        </truststore>\n"
           "        <client-authentication-mode>REQUIRED</client-authentication-mode>\n";
  } else {
    xml += "        <client-authentication-mode>NONE</client-authentication-mode>\n";
  }
  xml += "        <protocols>\n";
  if (!o.tls13_only) xml += "            <protocol>TLSv1.2</protocol>\n";
  xml += "            <protocol>TLSv1.3</protocol>\n"
         "        </protocols>\n"
         "    </tls>\n"
         "</tls-tcp-listener>\n";
  MQTTPKI_TRY(Stage(tx, report, f.Out("hivemq-listener.xml"), xml, kSecretMode, "config", m.name));
  MQTTPKI_TRY(Stage(tx, report, f.Out("ca-bundle.pem"), ChainPem(m.bundle), kPublicMode, "bundle", m.name));
  return f.Place("HiveMQ host") + "put the\n"
         "<tls-tcp-listener> of hivemq-listener.xml inside <listeners> in conf/config.xml and restart HiveMQ.\n"
         "The keystore " + m.name + ".p12 holds the key and the full chain; its password is in the XML (0400).\n";
}

Result<std::string> DeployVerneMq(const DeployMaterial& m, const DeployOptions& o, const Files& f,
                                  FileTransaction& tx, Report& report) {
  MQTTPKI_TRY(StagePemFiles(m, f, tx, report));
  std::string conf = Header(m, o, "#");
  conf += "listener.ssl.default = 0.0.0.0:" + std::to_string(o.port) + "\n"
          "listener.ssl.cafile = " + f.At("ca-bundle.pem") + "\n"
          "listener.ssl.certfile = " + f.At(m.name + ".chain.pem") + "\n"
          "listener.ssl.keyfile = " + f.At(m.name + ".key.pem") + "\n"
          "listener.ssl.tls_version = " + (o.tls13_only ? "tlsv1.3" : "tlsv1.2") + "\n";
  if (o.mtls) {
    conf += "listener.ssl.require_certificate = on\n"
            "listener.ssl.use_identity_as_username = on\n";
  }
  MQTTPKI_TRY(Stage(tx, report, f.Out("vernemq.conf"), conf, kPublicMode, "config", m.name));
  return f.Place("VerneMQ host") + "add\n"
         "vernemq.conf to /etc/vernemq/vernemq.conf and restart VerneMQ.\n";
}

Result<std::string> DeployNanoMq(const DeployMaterial& m, const DeployOptions& o, const Files& f,
                                 FileTransaction& tx, Report& report) {
  MQTTPKI_TRY(StagePemFiles(m, f, tx, report));
  std::string conf = Header(m, o, "#");
  conf += "listeners.ssl {\n"
          "  bind = \"0.0.0.0:" + std::to_string(o.port) + "\"\n"
          "  cacertfile = \"" + f.At("ca-bundle.pem") + "\"\n"
          "  certfile = \"" + f.At(m.name + ".chain.pem") + "\"\n"
          "  keyfile = \"" + f.At(m.name + ".key.pem") + "\"\n" +
          (o.mtls ? "  verify_peer = true\n  fail_if_no_peer_cert = true\n"
                  : "  verify_peer = false\n  fail_if_no_peer_cert = false\n") +
          "}\n";
  MQTTPKI_TRY(Stage(tx, report, f.Out("nanomq.conf"), conf, kPublicMode, "config", m.name));
  return f.Place("NanoMQ host") + "merge nanomq.conf into\n"
         "/etc/nanomq.conf and restart NanoMQ.\n";
}

// NextCodePoint decodes the UTF-8 sequence at |s[i]| strictly (no overlong forms, no surrogates, at most
// U+10FFFF), advancing |i|; -1 when it is not well-formed.
long NextCodePoint(std::string_view s, size_t& i) {
  auto byte = [&s](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) {
    ++i;
    return c;
  }
  size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return -1;
  long cp = c & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return -1;
    cp = (cp << 6) | (byte(i + k) & 0x3f);
  }
  static constexpr long kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return -1;
  i += n;
  return cp;
}

}  // namespace

Status CheckTargetDir(const std::string& dir, const std::string& argument) {
  auto refuse = [&](const std::string& what) {
    return MakeError(ErrorCode::kUsage, "invalid " + argument + " '" + Printable(dir) + "': it contains " + what +
                                            ", which the broker's configuration file cannot carry safely; use a "
                                            "plain directory path (letters, digits, '/', '.', '_', '-', spaces)");
  };
  if (dir.empty()) return MakeError(ErrorCode::kUsage, argument + " is empty");
  if (dir[0] == ' ') return refuse("leading white space (the broker would drop it)");
  for (size_t i = 0; i < dir.size();) {
    long cp = NextCodePoint(dir, i);
    if (cp < 0) return refuse("bytes that are not UTF-8");
    if (cp == '\n' || cp == '\r') return refuse("a line break");
    // C0 and C1 controls, and the Unicode line and paragraph separators.
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029) {
      return refuse("a control character");
    }
    if (cp < 0x80 && std::string_view("\"'`").find(static_cast<char>(cp)) != std::string_view::npos) {
      return refuse("a quote character (" + std::string(1, static_cast<char>(cp)) + ")");
    }
    if (cp < 0x80 && std::string_view("\\#$<>&").find(static_cast<char>(cp)) != std::string_view::npos) {
      return refuse("'" + Printable(std::string(1, static_cast<char>(cp))) + "'");
    }
  }
  return Status::Ok();
}

Result<Broker> ParseBroker(const std::string& name) {
  if (name == "mosquitto") return Broker::kMosquitto;
  if (name == "thingsboard") return Broker::kThingsBoard;
  if (name == "emqx") return Broker::kEmqx;
  if (name == "hivemq") return Broker::kHiveMq;
  if (name == "vernemq") return Broker::kVerneMq;
  if (name == "nanomq") return Broker::kNanoMq;
  return MakeError(ErrorCode::kUsage, "unknown " + Arg("broker") + " '" + name +
                                          "': use mosquitto, thingsboard, emqx, hivemq, vernemq or nanomq");
}

std::string BrokerName(Broker broker) {
  switch (broker) {
    case Broker::kMosquitto: return "mosquitto";
    case Broker::kThingsBoard: return "thingsboard";
    case Broker::kEmqx: return "emqx";
    case Broker::kHiveMq: return "hivemq";
    case Broker::kVerneMq: return "vernemq";
    case Broker::kNanoMq: return "nanomq";
  }
  return "?";
}

Result<Secret> RandomPassword() {
  static const char kAlphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  constexpr size_t kSize = sizeof(kAlphabet) - 1;
  std::string out;
  while (out.size() < 24) {
    unsigned char b[32];
    if (RAND_priv_bytes(b, sizeof(b)) != 1) return ossl::OsslError(ErrorCode::kInternal, "RNG failure");
    for (unsigned char c : b) {
      if (c < 256 - 256 % kSize && out.size() < 24) out += kAlphabet[c % kSize];  // no modulo bias
    }
    OPENSSL_cleanse(b, sizeof(b));
  }
  return Secret(std::move(out));
}

Result<std::string> EncodePkcs12(const PrivateKey& key, const std::vector<Certificate>& chain,
                                 const std::string& alias, const Secret& password) {
  if (chain.empty()) return MakeError(ErrorCode::kInternal, "EncodePkcs12: empty chain");
  auto cas = ossl::X509Stack(sk_X509_new_null());
  if (!cas) return ossl::OsslError(ErrorCode::kInternal, "out of memory");
  for (size_t i = 1; i < chain.size(); ++i) {
    if (!ossl::PushOwned(cas.get(), chain[i].get())) return ossl::OsslError(ErrorCode::kInternal, "out of memory");
  }
  // nid 0 / 0: OpenSSL 3's defaults, AES-256-CBC with PBKDF2 for key and certificates, HMAC-SHA256 MAC.
  auto p12 = ossl::Wrap(PKCS12_create(password.str().c_str(), alias.c_str(), key.get(), chain.front().get(),
                                      cas.get(), 0, 0, 0, 0, 0));
  if (!p12) return ossl::OsslError(ErrorCode::kInternal, "cannot build the PKCS#12 keystore");
  std::string out = ossl::I2d(i2d_PKCS12, p12.get());
  if (out.empty()) return ossl::OsslError(ErrorCode::kInternal, "cannot encode the PKCS#12 keystore");
  return out;
}

Result<std::string> EncodeTrustStore(const std::vector<Certificate>& certs, const Secret& password) {
  ossl::SafeBagStack bags(sk_PKCS12_SAFEBAG_new_null());
  if (!bags) return ossl::OsslError(ErrorCode::kInternal, "out of memory");
  for (size_t i = 0; i < certs.size(); ++i) {
    STACK_OF(PKCS12_SAFEBAG)* list = bags.get();  // PKCS12_add_cert appends to an existing stack
    PKCS12_SAFEBAG* bag = PKCS12_add_cert(&list, certs[i].get());
    if (bag == nullptr) return ossl::OsslError(ErrorCode::kInternal, "cannot build the truststore");
    std::string alias = "ca-" + std::to_string(i + 1);
    // Java's PKCS12 KeyStore shows a certificate as a trustedCertEntry only with Oracle's trusted-key-usage
    // attribute (what keytool -importcert writes), here "any extended key usage".
    if (PKCS12_add_friendlyname(bag, alias.c_str(), -1) != 1 ||
        PKCS12_add1_attr_by_txt(bag, "2.16.840.1.113894.746875.1.1", V_ASN1_OBJECT,
                                reinterpret_cast<const unsigned char*>(OBJ_nid2obj(NID_anyExtendedKeyUsage)),
                                -1) != 1) {
      return ossl::OsslError(ErrorCode::kInternal, "cannot label the truststore entry");
    }
  }
  STACK_OF(PKCS7)* raw_safes = nullptr;
  // -1: the certificates are public and stored unencrypted; the password protects the store's integrity (MAC).
  int added = PKCS12_add_safe(&raw_safes, bags.get(), -1, PKCS12_DEFAULT_ITER, password.str().c_str());
  ossl::Pkcs7Stack safes(raw_safes);
  if (added != 1) return ossl::OsslError(ErrorCode::kInternal, "cannot build the truststore");
  auto p12 = ossl::Wrap(PKCS12_add_safes(safes.get(), 0));
  if (!p12 || PKCS12_set_mac(p12.get(), password.str().c_str(), -1, nullptr, 0, PKCS12_DEFAULT_ITER,
                             EVP_sha256()) != 1) {
    return ossl::OsslError(ErrorCode::kInternal, "cannot build the truststore");
  }
  std::string out = ossl::I2d(i2d_PKCS12, p12.get());
  if (out.empty()) return ossl::OsslError(ErrorCode::kInternal, "cannot encode the truststore");
  return out;
}

Result<std::string> Deploy(const DeployMaterial& m, const DeployOptions& o, FileTransaction& tx, Report& report) {
  if (m.chain.empty()) return MakeError(ErrorCode::kInternal, "Deploy: no certificate");
  MQTTPKI_TRY(CheckTargetDir(o.target_dir.empty() ? o.out_dir : o.target_dir, Arg("target-dir")));
  Files f{o.out_dir, o.target_dir.empty() ? o.out_dir : o.target_dir, o.elsewhere};
  switch (o.broker) {
    case Broker::kMosquitto: return DeployMosquitto(m, o, f, tx, report);
    case Broker::kThingsBoard: return DeployThingsBoard(m, o, f, tx, report);
    case Broker::kEmqx: return DeployEmqx(m, o, f, tx, report);
    case Broker::kHiveMq: return DeployHiveMq(m, o, f, tx, report);
    case Broker::kVerneMq: return DeployVerneMq(m, o, f, tx, report);
    case Broker::kNanoMq: return DeployNanoMq(m, o, f, tx, report);
  }
  return MakeError(ErrorCode::kInternal, "unknown broker");
}

namespace {

std::string CStringLines(std::string_view text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    out += "    \"";
    out.append(text.substr(start, nl - start));
    out += nl < text.size() ? "\\n\"\n" : "\"\n";
    start = nl + 1;
  }
  return out;
}

}  // namespace

std::string CHeader(const std::vector<std::string>& comment_lines, std::string_view guard,
                    const std::vector<CString>& strings) {
  std::string h;
  for (size_t i = 0; i < comment_lines.size(); ++i) {
    const std::string& line = comment_lines[i];
    h += i == 0 ? "/*" : " *";
    if (!line.empty()) h.append(" ").append(line);
    h += "\n";
  }
  h.append(" */\n#ifndef ").append(guard).append("\n#define ").append(guard).append("\n\n#include <stddef.h>\n\n");
  for (const CString& s : strings) {
    if (!s.pem) {
      h.append("static const char ").append(s.name).append("[] = \"").append(s.text).append("\";\n\n");
      continue;
    }
    h.append("static const char ").append(s.name).append("[] =\n").append(CStringLines(s.text)).append("    ;\n");
    h.append("static const size_t ").append(s.name).append("_len = sizeof(").append(s.name).append(");\n\n");
  }
  h.append("#endif /* ").append(guard).append(" */\n");
  return h;
}

Status CheckTrustAnchors(const std::vector<Certificate>& bundle, const std::string& what) {
  for (size_t i = 0; i < bundle.size(); ++i) {
    if (bundle[i].IsCa()) continue;
    std::string which = bundle.size() == 1 ? "its certificate"
                                           : "certificate " + std::to_string(i + 1) + " of " +
                                                 std::to_string(bundle.size());
    return MakeError(ErrorCode::kInput, what + ": " + which + " ('" + Printable(bundle[i].CommonName()) +
                                            "') is not a CA certificate: a device bundle holds the CA certificates "
                                            "devices trust (root, pinned intermediate), never a server or device "
                                            "certificate");
  }
  return Status::Ok();
}

Status ExportDevice(const std::vector<Certificate>& bundle, const std::vector<DeviceFormat>& formats,
                    const std::string& out_dir, FileTransaction& tx, Report& report) {
  if (bundle.empty()) return MakeError(ErrorCode::kInput, "the CA bundle holds no certificate");
  MQTTPKI_TRY(CheckTrustAnchors(bundle, "the CA bundle"));
  std::string pem = ChainPem(bundle);
  for (DeviceFormat format : formats) {
    switch (format) {
      case DeviceFormat::kPem:
        MQTTPKI_TRY(Stage(tx, report, out_dir + "/ca-bundle.pem", pem, kPublicMode, "bundle", ""));
        break;
      case DeviceFormat::kDer:
        for (size_t i = 0; i < bundle.size(); ++i) {
          std::string file = bundle.size() == 1 ? "ca-bundle.der" : "ca-bundle-" + std::to_string(i + 1) + ".der";
          MQTTPKI_TRY(Stage(tx, report, out_dir + "/" + file, bundle[i].ToDer(), kPublicMode, "bundle-der", ""));
        }
        break;
      case DeviceFormat::kCHeader: {
        std::vector<std::string> comment = {
            "Generated by mqttpki export device: the CA bundle devices use to verify the MQTT broker."};
        for (const Certificate& c : bundle) {
          comment.push_back("  " + c.Subject());
          comment.push_back("    SHA-256 " + c.Sha256Fingerprint());
          comment.push_back("    valid until " + FormatTime(c.NotAfter()));
        }
        comment.insert(comment.end(),
                       {"", "mbedTLS / ESP-IDF:",
                        "  mbedtls_x509_crt_parse(&ca, (const unsigned char *)mqttpki_ca_bundle_pem,",
                        "                         mqttpki_ca_bundle_pem_len);",
                        "The length counts the terminating NUL, as mbedtls_x509_crt_parse requires for PEM."});
        std::string h = CHeader(comment, "MQTTPKI_CA_BUNDLE_H_", {{"mqttpki_ca_bundle_pem", pem}});
        MQTTPKI_TRY(Stage(tx, report, out_dir + "/ca_bundle.h", h, kPublicMode, "c-header", ""));
        break;
      }
    }
  }
  return Status::Ok();
}

}  // namespace mqttpki

// inspect FILE: what openssl x509/req/pkey -text would tell a person, but readable.

#include <sys/stat.h>

#include <algorithm>
#include "context.h"
#include "mqttpki/certificate.h"
#include "mqttpki/passphrase.h"

namespace mqttpki::cli {
namespace {

// PemBlock is one "-----BEGIN LABEL-----" ... "-----END LABEL-----" section of a file.
struct PemBlock {
  std::string label;
  std::string text;  // the whole block, markers included
};

std::vector<PemBlock> SplitPem(const std::string& data) {
  std::vector<PemBlock> out;
  size_t pos = 0;
  const std::string begin = "-----BEGIN ";
  while ((pos = data.find(begin, pos)) != std::string::npos) {
    size_t label_end = data.find("-----", pos + begin.size());
    if (label_end == std::string::npos) break;
    std::string label = data.substr(pos + begin.size(), label_end - pos - begin.size());
    std::string end_marker = "-----END " + label + "-----";
    size_t end = data.find(end_marker, label_end);
    if (end == std::string::npos) {
      out.push_back({label, data.substr(pos)});  // truncated: the parser will say so
      break;
    }
    out.push_back({label, data.substr(pos, end + end_marker.size() - pos)});
    pos = end + end_marker.size();
  }
  return out;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "-" : out;
}

std::string Line(const std::string& label, const std::string& value) {
  std::string l = "  " + label + ":";
  while (l.size() < 18) l += ' ';
  return l + value + "\n";
}

std::string Role(const Certificate& c) {
  if (c.IsCa()) {
    if (c.IsSelfIssued()) return "root CA";
    return c.PathLength() == 0 ? "intermediate CA (pathlen 0)" : "intermediate CA";
  }
  std::vector<std::string> eku = c.ExtendedKeyUsage();
  bool server = std::find(eku.begin(), eku.end(), "serverAuth") != eku.end();
  bool client = std::find(eku.begin(), eku.end(), "clientAuth") != eku.end();
  if (server && client) return "server and client certificate";
  if (server) return "server certificate";
  if (client) return "client certificate";
  return "end-entity certificate";
}

void DescribeCertificate(const Certificate& c, int64_t now, const std::string& title, std::string& text,
                         nlohmann::json& j) {
  int64_t days_left = (c.NotAfter() - now) / 86400;
  std::string validity = FormatTime(c.NotBefore()) + " to " + FormatTime(c.NotAfter());
  std::string status;
  if (c.NotAfter() < now) {
    status = "EXPIRED " + std::to_string(-days_left) + " days ago";
  } else if (c.NotBefore() > now) {
    status = "NOT YET VALID";
  } else {
    status = std::to_string(days_left) + " days left";
  }
  std::vector<std::string> sans;
  for (const SubjectAltName& s : c.Sans()) sans.push_back(s.ToString());
  std::string ca = c.IsCa() ? (c.PathLength() >= 0 ? "yes, pathlen " + std::to_string(c.PathLength()) : "yes")
                            : "no";
  text += title + " (" + Role(c) + ")\n";
  text += Line("Subject", c.Subject());
  text += Line("Issuer", c.Issuer() + (c.IsSelfIssued() ? " (self-signed)" : ""));
  text += Line("Serial", c.SerialHex() + " (" + std::to_string(c.SerialBytes()) + " bytes)");
  text += Line("Valid", validity + " (" + status + ")");
  text += Line("Key", c.KeyDescription());
  text += Line("Signature", c.SignatureAlgorithm());
  text += Line("CA", ca);
  text += Line("Key usage", Join(c.KeyUsage()));
  text += Line("Ext key usage", Join(c.ExtendedKeyUsage()));
  text += Line("SANs", Join(sans));
  text += Line("SHA-256", c.Sha256Fingerprint());
  j = {{"type", "certificate"},
       {"role", Role(c)},
       {"subject", c.Subject()},
       {"issuer", c.Issuer()},
       {"self_signed", c.IsSelfIssued()},
       {"serial", c.SerialHex()},
       {"not_before", FormatTime(c.NotBefore())},
       {"not_after", FormatTime(c.NotAfter())},
       {"days_left", days_left},
       {"key", c.KeyDescription()},
       {"signature_algorithm", c.SignatureAlgorithm()},
       {"ca", c.IsCa()},
       {"key_usage", c.KeyUsage()},
       {"extended_key_usage", c.ExtendedKeyUsage()},
       {"sans", sans},
       {"sha256", c.Sha256Fingerprint()}};
  if (c.IsCa() && c.PathLength() >= 0) j["pathlen"] = c.PathLength();
}

std::string PublicKeySha256(const PrivateKey& key) {
  std::string sha = key.PublicKeySha256();
  return sha.empty() ? "?" : sha;
}

}  // namespace

void RegisterInspect(CLI::App& app, Context& ctx, std::vector<Command>& commands) {
  if (!ctx.Wants("inspect")) return;
  auto* sub = app.add_subcommand("inspect", "Show a certificate, chain, CSR or key in plain words");
  auto file = std::make_shared<std::string>();
  auto pass_file = std::make_shared<std::string>();
  sub->add_option("FILE", *file, "PEM file")->required();
  sub->add_option("--passphrase-file", *pass_file, "Passphrase to open an encrypted key (first line of FILE)");
  commands.push_back({sub, [&ctx, file, pass_file]() -> Result<Output> {
    MQTTPKI_ASSIGN_OR_RETURN(std::string data, ReadFileArg(*file));
    std::vector<PemBlock> blocks = SplitPem(data);
    if (blocks.empty()) {
      // Not PEM: a DER certificate (ca-bundle.der) is the one binary form worth reading.
      Result<Certificate> der = Certificate::FromDer(data, *file);
      if (!der.ok()) {
        return MakeError(ErrorCode::kInput, *file + " holds no PEM data (no '-----BEGIN' line) and is not a DER "
                                                    "certificate");
      }
      blocks.push_back({"CERTIFICATE", der->ToPem()});
    }
    Output out;
    nlohmann::json items = nlohmann::json::array();
    std::vector<Certificate> certs;
    size_t cert_total = 0;
    for (const PemBlock& b : blocks) cert_total += b.label == "CERTIFICATE" ? 1 : 0;
    for (const PemBlock& b : blocks) {
      nlohmann::json j;
      if (b.label == "CERTIFICATE") {
        MQTTPKI_ASSIGN_OR_RETURN(Certificate c, Certificate::FromPem(b.text, *file));
        certs.push_back(c);
        std::string title = cert_total > 1 ? "Certificate " + std::to_string(certs.size()) + " of " +
                                                 std::to_string(cert_total)
                                           : "Certificate";
        DescribeCertificate(c, ctx.now, title, out.text, j);
      } else if (b.label == "CERTIFICATE REQUEST" || b.label == "NEW CERTIFICATE REQUEST") {
        MQTTPKI_ASSIGN_OR_RETURN(CertificateRequest req, CertificateRequest::FromPem(b.text, *file));
        bool sig_ok = req.VerifySignature(*file).ok();
        std::vector<std::string> sans;
        for (const SubjectAltName& s : req.Sans()) sans.push_back(s.ToString());
        out.text += "Certificate request (CSR)\n";
        out.text += Line("Subject", req.Subject());
        out.text += Line("Key", req.KeyDescription());
        out.text += Line("SANs", Join(sans));
        out.text += Line("Asks for", Join(req.RequestedExtensions()));
        out.text += Line("Signature", sig_ok ? "valid (the requester holds the key)" : "INVALID (tampered or corrupt)");
        j = {{"type", "csr"},           {"subject", req.Subject()}, {"key", req.KeyDescription()},
             {"sans", sans},            {"requested_extensions", req.RequestedExtensions()},
             {"signature_valid", sig_ok}};
      } else if (b.label.find("PRIVATE KEY") != std::string::npos) {
        bool encrypted = PrivateKey::IsEncryptedPem(b.text);
        std::string format = b.label == "PRIVATE KEY"             ? "PKCS#8"
                             : b.label == "ENCRYPTED PRIVATE KEY" ? "PKCS#8, encrypted"
                             : encrypted                          ? "traditional (" + b.label + "), encrypted"
                                                                  : "traditional (" + b.label + ")";
        std::string mode = FileMode(*file);
        out.text += "Private key\n";
        out.text += Line("Format", format);
        j = {{"type", "private_key"}, {"format", format}, {"encrypted", encrypted}, {"file_mode", mode}};
        Result<PrivateKey> key = Error{};
        if (encrypted && pass_file->empty() && std::getenv(kPassphraseEnv) == nullptr) {
          out.text += Line("Key", "encrypted (give --passphrase-file to see the key type)");
        } else {
          PassphraseProvider pass = Passphrases(*pass_file);
          if (encrypted) {
            MQTTPKI_ASSIGN_OR_RETURN(Secret p, pass.ForReading(*file));
            key = PrivateKey::FromPem(b.text, &p, *file);
          } else {
            key = PrivateKey::FromPem(b.text, nullptr, *file);
          }
          if (!key.ok()) return key.error();
          out.text += Line("Key", key->Description());
          out.text += Line("Public SHA-256", PublicKeySha256(*key));
          j["key"] = key->Description();
          j["public_key_sha256"] = PublicKeySha256(*key);
        }
        out.text += Line("File mode", mode);
        if (mode != "?" && mode != "0400" && mode != "0600") {
          out.warnings.push_back(*file + " is readable by others (mode " + mode + "); use chmod 400");
        }
      } else if (b.label == "EC PARAMETERS") {
        out.text += "EC parameters (as 'openssl ecparam -genkey' writes them before the key; not needed)\n";
        j = {{"type", "ec_parameters"}};
      } else {
        out.text += "Unrecognized PEM block '" + b.label + "'\n";
        j = {{"type", "unknown"}, {"label", b.label}};
      }
      items.push_back(j);
    }
    if (certs.size() > 1) {
      bool ordered = true;
      for (size_t i = 0; i + 1 < certs.size(); ++i) ordered = ordered && certs[i].NamesIssuer(certs[i + 1]);
      out.text += std::string("Chain order: ") +
                  (ordered ? "leaf first, each certificate followed by its issuer"
                           : "NOT leaf first with each certificate followed by its issuer") + "\n";
      out.json["chain_ordered"] = ordered;
    }
    out.json["file"] = *file;
    out.json["items"] = items;
    return out;
  }});
}

}  // namespace mqttpki::cli

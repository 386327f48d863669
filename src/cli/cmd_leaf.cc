// server issue, csr create, csr sign: leaf certificates for brokers (and clients).
#include <filesystem>

#include "context.h"
#include "mqttpki/fs.h"
#include "mqttpki/ops.h"
#include "mqttpki/passphrase.h"

namespace mqttpki::cli {
namespace {

struct LeafFlags {
  std::vector<std::string> sans;
  std::string cn;
  std::string key = "ec-p256";
  SubjectFlags subject;

  void Add(CLI::App* app) {
    app->add_option("--san", sans, "DNS name or IP address the broker is reached by (repeat; DNS:/IP: prefixes ok)");
    app->add_option("--cn", cn, "Common name (default: the first --san)");
    app->add_option("--key", key, "Key type: ec-p256 (default), ec-p384, rsa-2048, rsa-3072, rsa-4096");
    subject.Add(app);
  }

  Result<LeafOptions> Options() const {
    LeafOptions o;
    MQTTPKI_ASSIGN_OR_RETURN(o.sans, ParseSans(sans));
    o.common_name = cn;
    o.organization = subject.Org();
    o.country = subject.Country();
    o.org_unit = subject.Ou();
    MQTTPKI_ASSIGN_OR_RETURN(o.key, ParseKeyType(key));
    return o;
  }
};

Result<Profile> ParseProfile(const std::string& text) {
  if (text == "server") return Profile::kServer;
  if (text == "client") return Profile::kClient;
  return MakeError(ErrorCode::kUsage, "unknown --profile '" + Printable(text) + "': use server or client");
}

std::string SanList(const std::vector<SubjectAltName>& sans) {
  std::string out;
  for (const SubjectAltName& s : sans) out += (out.empty() ? "" : ", ") + s.ToString();
  return out;
}

nlohmann::json CertJson(const Certificate& c) {
  nlohmann::json sans = nlohmann::json::array();
  for (const SubjectAltName& s : c.Sans()) sans.push_back(s.ToString());
  return {{"subject", c.Subject()}, {"issuer", c.Issuer()},          {"serial", c.SerialHex()},
          {"sans", sans},           {"not_after", c.NotAfter()},     {"sha256", c.Sha256Fingerprint()}};
}

// NameFromCsrFile is "broker1" for ".../broker1.csr.pem" (or ".csr", ".pem").
std::string NameFromCsrFile(const std::string& path) {
  std::string base = std::filesystem::path(path).filename().string();
  for (const char* suffix : {".csr.pem", ".csr", ".pem", ".req"}) {
    std::string s = suffix;
    if (base.size() > s.size() && base.compare(base.size() - s.size(), s.size(), s) == 0) {
      return base.substr(0, base.size() - s.size());
    }
  }
  return base;
}

}  // namespace

void RegisterLeaf(CLI::App& app, Context& ctx, std::vector<Command>& commands) {
  // server issue NAME
  if (ctx.Wants("server")) {
    auto* server = app.add_subcommand("server", "Broker (server) certificates");
    server->require_subcommand(1);
    auto* sub = server->add_subcommand("issue", "Issue a broker certificate: key, CSR, certificate, chain file");
    auto name = std::make_shared<std::string>();
    auto flags = std::make_shared<LeafFlags>();
    auto days = std::make_shared<std::string>();
    auto ca_name = std::make_shared<std::string>(kDefaultServerCaName);
    auto pass_flags = std::make_shared<PassphraseFlags>();
    auto encrypt_key = std::make_shared<bool>(false);
    auto key_pass_file = std::make_shared<std::string>();
    auto force = std::make_shared<bool>(false);
    sub->add_option("NAME", *name, "Name of the server, e.g. mqtt-server-1")->required();
    flags->Add(sub);
    sub->add_option("--days", *days, "Validity in days (default: 365)");
    sub->add_option("--key-passphrase-file", *key_pass_file,
                    "With --encrypt-key: the server key's passphrase (else $MQTTPKI_KEY_PASSPHRASE, else a prompt)");
    sub->add_option("--ca", *ca_name, "Issuing CA (default: server-ca; root-ca for a one-CA setup)");
    pass_flags->Add(sub, false);
    sub->add_flag("--encrypt-key", *encrypt_key,
                  "Encrypt the server key with the passphrase (Mosquitto cannot read encrypted keys)");
    sub->add_flag("--force", *force, "Overwrite existing files");
    commands.push_back({sub, [&ctx, name, flags, days, ca_name, pass_flags, encrypt_key, key_pass_file,
                              force]() -> Result<Output> {
                          MQTTPKI_TRY(PkiDir::ValidateName(*name));
                          MQTTPKI_ASSIGN_OR_RETURN(LeafOptions o, flags->Options());
                          if (o.sans.empty()) {
                            return MakeError(ErrorCode::kUsage,
                                             "server issue needs at least one --san (the broker's DNS name or IP)");
                          }
                          MQTTPKI_ASSIGN_OR_RETURN(o.days, ParseDays(*days));
                          o.encrypt_key = *encrypt_key;
                          PkiDir pki = ctx.Pki();
                          PassphraseProvider pass = Passphrases(pass_flags->file);
                          PassphraseProvider key_pass = Passphrases(*key_pass_file, KeyOwner::kLeaf);
                          o.key_pass = &key_pass;
                          ops::IssueServerOptions io{*name, *ca_name, std::move(o), *force};
                          MQTTPKI_ASSIGN_OR_RETURN(ops::IssueResult issued, ops::IssueServer(pki, io, pass, ctx.now));
                          const Certificate& cert = issued.cert;
                          Output out = ReportOutput(issued.report, "Issued server certificate '" + cert.CommonName() +
                                                                "' (" + cert.KeyDescription() + ") for " +
                                                                SanList(cert.Sans()) + ", signed by " + *ca_name + ":");
                          out.text += "The broker serves " + pki.ChainPath(*name) + " (leaf first) with key " +
                                      pki.KeyPath(*name) + ".\n";
                          out.json["certificate"] = CertJson(cert);
                          return out;
                        }});
  }
  // csr create NAME / csr sign FILE
  if (ctx.Wants("csr")) {
    auto* csr = app.add_subcommand("csr", "Certificate signing requests: keys born where they are used");
    csr->require_subcommand(1);
    auto* create = csr->add_subcommand("create", "Create a key and a CSR (on the broker, where the key stays)");
    auto name = std::make_shared<std::string>();
    auto flags = std::make_shared<LeafFlags>();
    auto profile = std::make_shared<std::string>("server");
    auto key_pass_file = std::make_shared<std::string>();
    auto encrypt_key = std::make_shared<bool>(false);
    auto force = std::make_shared<bool>(false);
    create->add_option("NAME", *name, "Name of the server, e.g. mqtt-server-1")->required();
    flags->Add(create);
    create->add_option("--profile", *profile, "server (default: needs --san) or client");
    create->add_option("--key-passphrase-file", *key_pass_file,
                       "With --encrypt-key: the key's passphrase (else $MQTTPKI_KEY_PASSPHRASE, else a prompt)");
    create->add_flag("--encrypt-key", *encrypt_key, "Encrypt the key with the passphrase");
    create->add_flag("--force", *force, "Overwrite existing files");
    commands.push_back({create, [&ctx, name, flags, profile, key_pass_file, encrypt_key, force]() -> Result<Output> {
                          MQTTPKI_TRY(PkiDir::ValidateName(*name));
                          MQTTPKI_ASSIGN_OR_RETURN(LeafOptions o, flags->Options());
                          MQTTPKI_ASSIGN_OR_RETURN(o.profile, ParseProfile(*profile));
                          o.encrypt_key = *encrypt_key;
                          PkiDir pki = ctx.Pki();
                          FileTransaction tx(pki.fs(), *force);
                          PassphraseProvider key_pass = Passphrases(*key_pass_file, KeyOwner::kLeaf);
                          o.key_pass = &key_pass;
                          Report report;
                          MQTTPKI_ASSIGN_OR_RETURN(CertificateRequest req, pki.CreateCsr(*name, o, tx, report));
                          MQTTPKI_TRY(CommitAll(ctx, tx, report));
                          Output out = ReportOutput(report, "Created key and CSR for '" + req.Subject() + "' (" +
                                                                req.KeyDescription() + ") with " + SanList(req.Sans()) +
                                                                ":");
                          out.text += "Send " + pki.CsrPath(*name) + " to the CA ('mqttpki csr sign'); the key stays here.\n";
                          return out;
                        }});

    auto* sign = csr->add_subcommand("sign", "Sign a CSR under a profile (extensions come from the profile only)");
    auto file = std::make_shared<std::string>();
    auto sign_profile = std::make_shared<std::string>();
    auto ca_name = std::make_shared<std::string>(kDefaultServerCaName);
    auto out_name = std::make_shared<std::string>();
    auto sans = std::make_shared<std::vector<std::string>>();
    auto days = std::make_shared<std::string>();
    auto sign_pass = std::make_shared<PassphraseFlags>();
    auto sign_force = std::make_shared<bool>(false);
    sign->add_option("FILE", *file, "The CSR (PEM)")->required();
    sign->add_option("--profile", *sign_profile, "server or client")->required();
    sign->add_option("--ca", *ca_name, "Issuing CA (default: server-ca)");
    sign->add_option("--name", *out_name, "Where the certificate goes: NAME/ (default: FILE's name without .csr.pem)");
    sign->add_option("--san", *sans, "Replace the CSR's SANs with these (repeat)");
    sign->add_option("--days", *days, "Validity in days (default: 365)");
    sign_pass->Add(sign, false);
    sign->add_flag("--force", *sign_force, "Overwrite existing files");
    commands.push_back({sign, [&ctx, file, sign_profile, ca_name, out_name, sans, days, sign_pass,
                               sign_force]() -> Result<Output> {
                          SignOptions so;
                          MQTTPKI_ASSIGN_OR_RETURN(so.profile, ParseProfile(*sign_profile));
                          MQTTPKI_ASSIGN_OR_RETURN(so.sans, ParseSans(*sans));
                          MQTTPKI_ASSIGN_OR_RETURN(so.days, ParseDays(*days));
                          std::string cert_name = out_name->empty() ? NameFromCsrFile(*file) : *out_name;
                          MQTTPKI_TRY(PkiDir::ValidateName(cert_name));
                          MQTTPKI_ASSIGN_OR_RETURN(std::string pem, ReadFileArg(*file));
                          MQTTPKI_ASSIGN_OR_RETURN(CertificateRequest req, CertificateRequest::FromPem(pem, *file));
                          PassphraseProvider pass = Passphrases(sign_pass->file);
                          ops::SignCsrOptions sign_options{cert_name, *ca_name, std::move(so), *sign_force};
                          MQTTPKI_ASSIGN_OR_RETURN(ops::IssueResult signed_csr,
                                                   ops::SignCsr(ctx.Pki(), req, *file, sign_options, pass, ctx.now));
                          const Certificate& cert = signed_csr.cert;
                          Output out = ReportOutput(signed_csr.report, "Signed " + *file + " as a " + *sign_profile +
                                                                " certificate for '" + cert.CommonName() + "' (" +
                                                                SanList(cert.Sans()) + "), by " + *ca_name + ":");
                          out.json["certificate"] = CertJson(cert);
                          return out;
                        }});
  }
}

}  // namespace mqttpki::cli

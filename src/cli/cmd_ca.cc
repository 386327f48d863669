// init, root create, ca create, bundle: the CA side of the PKI.
#include "context.h"
#include "mqttpki/fs.h"
#include "mqttpki/ops.h"
#include "mqttpki/passphrase.h"

namespace mqttpki::cli {
namespace {

struct CaFlags {
  std::string cn;
  std::string key = "ec-p256";
  std::string days;
  SubjectFlags subject;
  PassphraseFlags pass;
  bool force = false;

  void Add(CLI::App* app, const std::string& default_days) {
    app->add_option("--cn", cn, "Common name (default: derived from the organization)");
    app->add_option("--key", key, "Key type: ec-p256 (default), ec-p384, rsa-2048, rsa-3072, rsa-4096");
    app->add_option("--days", days, "Validity in days (default: " + default_days + ")");
    subject.Add(app);
    pass.Add(app, true);
    app->add_flag("--force", force, "Overwrite existing files");
  }

  Result<CaOptions> Options() const {
    CaOptions o;
    o.common_name = cn;
    o.organization = subject.Org();
    o.country = subject.Country();
    o.org_unit = subject.Ou();
    MQTTPKI_ASSIGN_OR_RETURN(o.key, ParseKeyType(key));
    MQTTPKI_ASSIGN_OR_RETURN(o.days, ParseDays(days));
    o.protection.encrypt = !pass.no_passphrase;
    return o;
  }
};

std::string KeyNote(const CaOptions& o) {
  return o.protection.encrypt ? "key encrypted (PKCS#8, AES-256)" : "key NOT encrypted (--no-passphrase)";
}

}  // namespace

void RegisterCa(CLI::App& app, Context& ctx, std::vector<Command>& commands) {
  // init
  if (ctx.Wants("init")) {
    auto* sub = app.add_subcommand("init", "Write the subject defaults (organization, country, OU) of a new PKI");
    auto org = std::make_shared<std::string>("mqttpki");
    auto country = std::make_shared<std::string>();
    auto ou = std::make_shared<std::string>("PKI");
    auto force = std::make_shared<bool>(false);
    sub->add_option("--org", *org, "Organization (O) for every certificate (default: mqttpki)");
    sub->add_option("--country", *country, "Country (C): a two-letter code (default: none)");
    sub->add_option("--ou", *ou, "Organizational unit (OU) of the CA certificates (default: PKI)");
    sub->add_flag("--force", *force, "Overwrite an existing mqttpki.json");
    commands.push_back({sub, [&ctx, org, country, ou, force]() -> Result<Output> {
                          PkiDir pki = ctx.Pki();
                          FileTransaction tx(pki.fs(), *force);
                          Report report;
                          SubjectDefaults d{*org, *country, *ou};
                          MQTTPKI_TRY(pki.Init(d, tx, report));
                          MQTTPKI_TRY(CommitAll(ctx, tx, report));
                          return ReportOutput(report, "Initialized PKI directory " + pki.root() + ":");
                        }});
  }
  // root create
  if (ctx.Wants("root")) {
    auto* root_cmd = app.add_subcommand("root", "The offline root CA");
    root_cmd->require_subcommand(1);
    auto* sub = root_cmd->add_subcommand("create", "Create the self-signed root CA (root-ca)");
    auto flags = std::make_shared<CaFlags>();
    flags->Add(sub, "3650");
    commands.push_back({sub, [&ctx, flags]() -> Result<Output> {
                          MQTTPKI_ASSIGN_OR_RETURN(CaOptions o, flags->Options());
                          PkiDir pki = ctx.Pki();
                          MQTTPKI_TRY(CheckInventory(ctx));
                          FileTransaction tx(pki.fs(), flags->force);
                          PassphraseProvider pass = Passphrases(flags->pass.file);
                          Report report;
                          MQTTPKI_ASSIGN_OR_RETURN(CaMaterial root, pki.CreateRoot(o, ctx.now, pass, tx, report));
                          MQTTPKI_TRY(CommitAll(ctx, tx, report));
                          Output out = ReportOutput(report, "Created root CA '" + root.cert.Subject() + "' (" +
                                                                root.key.Description() + ", " + KeyNote(o) + "):");
                          out.text += "Keep " + pki.KeyPath(kRootName) + " offline; it only signs intermediates.\n";
                          out.json["subject"] = root.cert.Subject();
                          return out;
                        }});
  }
  // ca create NAME
  if (ctx.Wants("ca")) {
    auto* ca_cmd = app.add_subcommand("ca", "Intermediate CAs");
    ca_cmd->require_subcommand(1);
    auto* sub = ca_cmd->add_subcommand("create", "Create an intermediate CA signed by the root (pathlen 0)");
    auto name = std::make_shared<std::string>();
    sub->add_option("NAME", *name, "Name of the CA, e.g. server-ca")->required();
    auto flags = std::make_shared<CaFlags>();
    flags->Add(sub, "1825");
    auto issues_for = std::make_shared<std::string>();
    sub->add_option("--for", *issues_for,
                    "Limit what the CA issues: client (a device CA: clientAuth only) or server (serverAuth only); "
                    "default: not limited");
    commands.push_back({sub, [&ctx, name, flags, issues_for]() -> Result<Output> {
                          MQTTPKI_TRY(PkiDir::ValidateName(*name));
                          MQTTPKI_ASSIGN_OR_RETURN(CaOptions o, flags->Options());
                          if (*issues_for == "client") {
                            o.issues_for = Profile::kClient;
                          } else if (*issues_for == "server") {
                            o.issues_for = Profile::kServer;
                          } else if (!issues_for->empty()) {
                            return MakeError(ErrorCode::kUsage, "--for must be 'client' or 'server', not '" +
                                                                    *issues_for + "'");
                          }
                          PkiDir pki = ctx.Pki();
                          MQTTPKI_TRY(CheckInventory(ctx));
                          FileTransaction tx(pki.fs(), flags->force);
                          PassphraseProvider pass = Passphrases(flags->pass.file);
                          Report report;
                          for (const std::string& p : {pki.KeyPath(*name), pki.CertPath(*name)}) {
                            MQTTPKI_TRY(tx.Check(p));
                          }
                          MQTTPKI_ASSIGN_OR_RETURN(CaMaterial root, ops::LoadIssuer(pki, kRootName, pass, ctx.now));
                          MQTTPKI_ASSIGN_OR_RETURN(CaMaterial ca,
                                                   pki.CreateIntermediate(*name, o, root, ctx.now, pass, tx, report));
                          MQTTPKI_TRY(CommitAll(ctx, tx, report));
                          std::string scope = o.issues_for == Profile::kClient   ? ", client certificates only"
                                              : o.issues_for == Profile::kServer ? ", server certificates only"
                                                                                 : "";
                          Output out = ReportOutput(report, "Created intermediate CA '" + ca.cert.Subject() + "' (" +
                                                                ca.key.Description() + ", " + KeyNote(o) + scope +
                                                                "):");
                          out.json["subject"] = ca.cert.Subject();
                          return out;
                        }});
  }
  // bundle
  if (ctx.Wants("bundle")) {
    auto* sub = app.add_subcommand("bundle", "Write ca-bundle.pem, the trust anchors devices embed");
    auto with_intermediate = std::make_shared<bool>(false);
    auto ca_name = std::make_shared<std::string>(kDefaultServerCaName);
    auto force = std::make_shared<bool>(false);
    sub->add_flag("--with-intermediate", *with_intermediate,
                  "Also pin the intermediate (stricter, but devices then need a new bundle when it rotates)");
    CLI::Option* ca_opt =
        sub->add_option("--ca", *ca_name, "The intermediate for --with-intermediate (default: server-ca)");
    sub->add_flag("--force", *force, "Replace a different existing ca-bundle.pem");
    commands.push_back({sub, [&ctx, with_intermediate, ca_name, ca_opt, force]() -> Result<Output> {
                          // --ca only chooses the intermediate that --with-intermediate pins: alone it would do
                          // nothing, and a flag that is silently ignored hides a mistake.
                          if (ca_opt->count() > 0 && !*with_intermediate) {
                            return MakeError(ErrorCode::kUsage,
                                             "--ca needs --with-intermediate: it names the intermediate to pin in "
                                             "ca-bundle.pem (without it the bundle holds the root only)");
                          }
                          PkiDir pki = ctx.Pki();
                          FileTransaction tx(pki.fs(), *force);
                          Report report;
                          MQTTPKI_ASSIGN_OR_RETURN(Certificate root, pki.LoadCertificate(kRootName));
                          std::vector<Certificate> intermediates;
                          if (*with_intermediate) {
                            MQTTPKI_TRY(PkiDir::ValidateName(*ca_name));
                            MQTTPKI_ASSIGN_OR_RETURN(Certificate inter, pki.LoadCertificate(*ca_name));
                            // A leaf pinned as a trust anchor breaks the devices at its next renewal.
                            if (!inter.IsCa()) {
                              return MakeError(ErrorCode::kInput,
                                               pki.CertPath(*ca_name) + " ('" + Printable(inter.CommonName()) +
                                                   "') is not a CA certificate: --ca names the intermediate CA "
                                                   "to pin (e.g. server-ca), not a server or device");
                            }
                            intermediates.push_back(inter);
                          }
                          MQTTPKI_TRY(pki.WriteBundle(root, intermediates, tx, report));
                          MQTTPKI_TRY(CommitAll(ctx, tx, report));
                          if (report.files.empty()) {
                            Output out;
                            out.text = pki.BundlePath() + " is up to date.\n";
                            out.json["files"] = nlohmann::json::array();
                            return out;
                          }
                          Output out = ReportOutput(report, std::string("Wrote the device CA bundle (") +
                                                                (*with_intermediate ? "intermediate + root" : "root only") +
                                                                "):");
                          if (*with_intermediate) {
                            out.warnings.push_back(
                                "devices that pin the intermediate need a new bundle whenever it is rotated");
                          }
                          return out;
                        }});
  }
}

}  // namespace mqttpki::cli

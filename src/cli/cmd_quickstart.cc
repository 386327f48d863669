// quickstart: the tutorial's whole PKI in one process, verified, with a "what goes where" table.
#include "context.h"
#include "mqttpki/fs.h"
#include "mqttpki/passphrase.h"
#include "mqttpki/verify.h"

namespace mqttpki::cli {
namespace {

struct QuickstartFlags {
  std::vector<std::string> sans;
  std::string server = kDefaultServerName;
  std::string key = "ec-p256";
  SubjectFlags subject;
  PassphraseFlags pass;
  bool force = false;
};

std::string Pad(std::string s, size_t width) {
  while (s.size() < width) s += ' ';
  return s;
}

}  // namespace

void RegisterQuickstart(CLI::App& app, Context& ctx, std::vector<Command>& commands) {
  if (!ctx.Wants("quickstart")) return;
  auto* sub = app.add_subcommand(
      "quickstart", "Build the whole PKI at once: root CA, server CA, one broker certificate, chain and bundle");
  auto f = std::make_shared<QuickstartFlags>();
  sub->add_option("--san", f->sans, "DNS name or IP address of the broker (repeat; the first is the CN)")->required();
  sub->add_option("--server", f->server, "Name of the broker (default: mqtt-server-1)");
  sub->add_option("--key", f->key, "Key type of the broker: ec-p256 (default), ec-p384, rsa-2048, rsa-3072, rsa-4096");
  f->subject.Add(sub);
  f->pass.Add(sub, true);
  sub->add_flag("--force", f->force, "Replace an existing PKI in the directory");
  commands.push_back({sub, [&ctx, f]() -> Result<Output> {
    MQTTPKI_TRY(PkiDir::ValidateName(f->server));
    MQTTPKI_ASSIGN_OR_RETURN(std::vector<SubjectAltName> sans, ParseSans(f->sans));
    MQTTPKI_ASSIGN_OR_RETURN(KeyType server_key, ParseKeyType(f->key));
    PkiDir pki = ctx.Pki();
    MQTTPKI_TRY(CheckInventory(ctx));
    FileTransaction tx(pki.fs(), f->force);
    PassphraseProvider pass = Passphrases(f->pass.file);
    Report report;

    if (!f->force) {
      for (const std::string& p : {pki.KeyPath(kRootName), pki.CertPath(kRootName), pki.BundlePath()}) {
        MQTTPKI_ASSIGN_OR_RETURN(bool exists, pki.fs().Exists(p));
        if (exists) {
          return MakeError(ErrorCode::kExists, "a PKI already exists in " + pki.root() + " (" + p +
                                                   "); use the step-by-step commands to extend it, another --pki "
                                                   "directory, or --force to replace it");
        }
      }
    }
    SubjectDefaults defaults;
    if (f->subject.Org()) defaults.organization = *f->subject.Org();
    if (f->subject.Country()) defaults.country = *f->subject.Country();
    if (f->subject.Ou()) defaults.org_unit = *f->subject.Ou();
    MQTTPKI_ASSIGN_OR_RETURN(bool have_config, pki.fs().Exists(pki.ConfigPath()));
    if (!have_config || f->force) {
      // Later commands (ca create, server issue) take their subject defaults from here.
      MQTTPKI_TRY(pki.Init(defaults, tx, report));
    }

    CaOptions ca_options;
    ca_options.organization = defaults.organization;
    ca_options.country = defaults.country;
    ca_options.org_unit = defaults.org_unit;
    ca_options.protection.encrypt = !f->pass.no_passphrase;
    MQTTPKI_ASSIGN_OR_RETURN(CaMaterial root, pki.CreateRoot(ca_options, ctx.now, pass, tx, report));
    MQTTPKI_ASSIGN_OR_RETURN(CaMaterial server_ca, pki.CreateIntermediate(kDefaultServerCaName, ca_options, root,
                                                                          ctx.now, pass, tx, report));
    LeafOptions leaf;
    leaf.sans = sans;
    leaf.key = server_key;
    leaf.organization = defaults.organization;
    leaf.country = defaults.country;
    MQTTPKI_ASSIGN_OR_RETURN(Certificate server,
                             pki.IssueLeaf(f->server, leaf, server_ca, ctx.now, tx, report));
    MQTTPKI_TRY(pki.WriteBundle(root.cert, {}, tx, report));

    // Check what a device will do, for every name, before anything is written.
    VerifyOptions vo;
    vo.trusted = {root.cert};
    vo.now = ctx.now;
    vo.file_name = pki.ChainPath(f->server);
    vo.bundle_name = pki.BundlePath();
    std::vector<Certificate> chain{server, server_ca.cert};
    MQTTPKI_ASSIGN_OR_RETURN(VerifyReport verdict, VerifyChain(chain, vo));
    if (!verdict.ok) return MakeError(ErrorCode::kInternal, "self-check failed: " + verdict.reason);
    nlohmann::json checks = nlohmann::json::array();
    std::string check_text;
    for (const SubjectAltName& s : server.Sans()) {
      // The path is verified once above; each name is then matched as a client matches it.
      if (!server.MatchesHost(s.value)) {
        return MakeError(ErrorCode::kInternal, "self-check failed: the certificate does not match " + s.value);
      }
      check_text += "  OK  chain verifies against ca-bundle.pem for " + s.value + "\n";
      checks.push_back({{"host", s.value}, {"ok", true}});
    }
    MQTTPKI_TRY(CommitAll(ctx, tx, report));

    Output out = ReportOutput(report, "Built the PKI in " + pki.root() + ":");
    out.text += "\nVerified (as a device would: strict X.509, serverAuth, host name):\n" + check_text;
    struct Row {
      std::string file, purpose, where;
    };
    std::vector<Row> rows = {
        {pki.ChainPath(f->server), "certificate chain (leaf first)", "broker (certfile)"},
        {pki.KeyPath(f->server), "broker private key (keep secret)", "broker (keyfile) + secure backup"},
        {pki.CertPath(f->server), "broker certificate", "broker + backup"},
        {pki.BundlePath(), "CA bundle (root only)", "device firmware / clients (cafile)"},
        {pki.KeyPath(kRootName), "root CA private key", "OFFLINE: encrypted storage, never on a server"},
        {pki.KeyPath(kDefaultServerCaName), "server CA private key", "OFFLINE: only where you issue"},
    };
    size_t w0 = 4;
    size_t w1 = 7;
    for (const Row& r : rows) {
      w0 = std::max(w0, r.file.size());
      w1 = std::max(w1, r.purpose.size());
    }
    out.text += "\nWhat goes where:\n  " + Pad("File", w0) + "  " + Pad("Purpose", w1) + "  Location\n";
    nlohmann::json jrows = nlohmann::json::array();
    for (const Row& r : rows) {
      out.text += "  " + Pad(r.file, w0) + "  " + Pad(r.purpose, w1) + "  " + r.where + "\n";
      jrows.push_back({{"file", r.file}, {"purpose", r.purpose}, {"location", r.where}});
    }
    if (f->pass.no_passphrase) {
      out.warnings.push_back("the CA keys are NOT encrypted (--no-passphrase); move them offline or re-create "
                             "the PKI with a passphrase");
    }
    out.json["verified"] = checks;
    out.json["what_goes_where"] = jrows;
    return out;
  }});
}

}  // namespace mqttpki::cli

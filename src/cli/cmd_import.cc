// import DIR: adopt a PKI built by hand with the tutorial's openssl commands.
#include "context.h"
#include "mqttpki/import.h"
#include "mqttpki/passphrase.h"

namespace mqttpki::cli {

void RegisterImport(CLI::App& app, Context& ctx, std::vector<Command>& commands) {
  if (!ctx.Wants("import")) return;
  auto* sub = app.add_subcommand("import", "Adopt a PKI built with the tutorial's openssl commands (copied, not moved)");
  auto dir = std::make_shared<std::string>();
  auto pass_file = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  sub->add_option("DIR", *dir, "The hand-built PKI, e.g. ecpki/ (root-ca/, server-ca/, mqtt-server-1/, ...)")->required();
  sub->add_option("--passphrase-file", *pass_file, "Passphrase of encrypted keys in DIR");
  sub->add_flag("--force", *force, "Overwrite files already in the PKI directory");
  commands.push_back({sub, [&ctx, dir, pass_file, force]() -> Result<Output> {
    PkiDir pki = ctx.Pki();
    MQTTPKI_TRY(CheckInventory(ctx));
    FileTransaction tx(pki.fs(), *force);
    PassphraseProvider pass = Passphrases(*pass_file);
    Report report;
    MQTTPKI_TRY(ImportTutorialPki(*dir, pki, ctx.now, pass, tx, report));
    MQTTPKI_TRY(CommitAll(ctx, tx, report));
    Output out = ReportOutput(report, "Imported " + *dir + " into " + pki.root() + " (" +
                                          std::to_string(report.inventory.inserts.size()) + " certificates):");
    out.text += "Carry on with mqttpki: list, server issue, renew, revoke, crl, rotate.\n";
    return out;
  }});
}

}  // namespace mqttpki::cli

// verify FILE: is this chain what a device will accept?
#include "context.h"
#include "mqttpki/verify.h"

namespace mqttpki::cli {

void RegisterVerify(CLI::App& app, Context& ctx, std::vector<Command>& commands) {
  if (!ctx.Wants("verify")) return;
  auto* sub = app.add_subcommand("verify", "Verify a chain file (leaf first) or certificate as a device would");
  auto file = std::make_shared<std::string>();
  auto bundle = std::make_shared<std::string>();
  auto host = std::make_shared<std::string>();
  auto untrusted = std::make_shared<std::string>();
  auto purpose = std::make_shared<std::string>("server");
  sub->add_option("FILE", *file, "Chain file or certificate (PEM)")->required();
  sub->add_option("--bundle", *bundle, "Trusted CA bundle (default: PKI_DIR/ca-bundle.pem)");
  sub->add_option("--host", *host, "DNS name or IP address the device connects to");
  sub->add_option("--untrusted", *untrusted, "Extra intermediate certificates (as openssl verify -untrusted)");
  sub->add_option("--purpose", *purpose, "server (default) or client");
  commands.push_back({sub, [&ctx, file, bundle, host, untrusted, purpose]() -> Result<Output> {
    VerifyOptions o;
    if (*purpose == "server") {
      o.purpose = Purpose::kServer;
    } else if (*purpose == "client") {
      o.purpose = Purpose::kClient;
    } else {
      return MakeError(ErrorCode::kUsage, "unknown --purpose '" + Printable(*purpose) + "': use server or client");
    }
    if (!host->empty() && !IsIpAddress(*host)) {
      Result<SubjectAltName> h = ParseSan(*host);
      if (!h.ok()) return MakeError(ErrorCode::kUsage, "invalid --host '" + Printable(*host) + "'");
    }
    o.host = *host;
    o.now = ctx.now;
    std::string bundle_path = bundle->empty() ? ctx.Pki().BundlePath() : *bundle;
    o.file_name = *file;
    o.bundle_name = bundle_path;
    MQTTPKI_ASSIGN_OR_RETURN(std::string pem, ReadFileArg(*file));
    MQTTPKI_ASSIGN_OR_RETURN(std::vector<Certificate> chain, Certificate::AllFromPem(pem, *file));
    MQTTPKI_ASSIGN_OR_RETURN(std::string bundle_pem, ReadFileArg(bundle_path));
    MQTTPKI_ASSIGN_OR_RETURN(o.trusted, Certificate::AllFromPem(bundle_pem, bundle_path));
    if (!untrusted->empty()) {
      MQTTPKI_ASSIGN_OR_RETURN(std::string upem, ReadFileArg(*untrusted));
      MQTTPKI_ASSIGN_OR_RETURN(o.untrusted, Certificate::AllFromPem(upem, *untrusted));
    }
    MQTTPKI_ASSIGN_OR_RETURN(VerifyReport report, VerifyChain(chain, o));
    Output out;
    out.json["file"] = *file;
    out.json["bundle"] = bundle_path;
    if (!host->empty()) out.json["host"] = *host;
    out.json["verified"] = report.ok;
    if (!report.ok) {
      out.exit_code = 1;
      out.text = "FAILED: " + report.reason + "\n";
      out.json["reason"] = report.reason;
      return out;
    }
    std::string path;
    nlohmann::json jpath = nlohmann::json::array();
    for (const Certificate& c : report.path) {
      path += (path.empty() ? "" : " <- ") + std::string("'") + c.CommonName() + "'";
      jpath.push_back(c.Subject());
    }
    const Certificate& leaf = chain.front();
    int64_t days_left = (leaf.NotAfter() - ctx.now) / 86400;
    out.text = "OK: " + *file + " verifies against " + bundle_path +
               (host->empty() ? std::string(" (no host name checked)") : " for " + *host) + "\n  chain: " + path +
               "\n  leaf expires " + std::to_string(days_left) + " days from now\n";
    out.json["path"] = jpath;
    out.json["days_left"] = days_left;
    return out;
  }});
}

}  // namespace mqttpki::cli

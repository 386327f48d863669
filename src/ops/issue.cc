// Issuing: broker certificates, CSRs signed under the policy, device batches. Each loads its CA through
// LoadIssuer, so a revoked CA issues nothing, whichever front end asks.
#include "mqttpki/ops.h"

namespace mqttpki::ops {

Result<IssueResult> IssueServer(const PkiDir& pki, const IssueServerOptions& options, PassphraseProvider& ca_pass,
                                int64_t now) {
  MQTTPKI_TRY(PkiDir::ValidateName(options.name));
  MQTTPKI_TRY(CheckPkiWritable(pki, now));
  FileTransaction tx(pki.fs(), options.force);
  // An existing server is named before any passphrase is asked for.
  for (const std::string& p : {pki.KeyPath(options.name), pki.CertPath(options.name)}) MQTTPKI_TRY(tx.Check(p));
  MQTTPKI_ASSIGN_OR_RETURN(CaMaterial ca, LoadIssuer(pki, options.ca, ca_pass, now));
  IssueResult result;
  MQTTPKI_ASSIGN_OR_RETURN(result.cert, pki.IssueLeaf(options.name, options.leaf, ca, now, tx, result.report));
  MQTTPKI_TRY(CommitWithInventory(pki, tx, result.report.inventory, now));
  return result;
}

Result<IssueResult> SignCsr(const PkiDir& pki, const CertificateRequest& csr, const std::string& what,
                            const SignCsrOptions& options, PassphraseProvider& ca_pass, int64_t now) {
  MQTTPKI_TRY(PkiDir::ValidateName(options.name));
  MQTTPKI_TRY(csr.VerifySignature(what));
  MQTTPKI_TRY(CheckPkiWritable(pki, now));
  FileTransaction tx(pki.fs(), options.force);
  IssueResult result;
  Report& report = result.report;
  for (const std::string& p : {pki.CertPath(options.name), pki.ChainPath(options.name)}) MQTTPKI_TRY(tx.Check(p));
  MQTTPKI_ASSIGN_OR_RETURN(CaMaterial ca, LoadIssuer(pki, options.ca, ca_pass, now));
  // Keep a copy of what was asked for beside what was issued: the CSR alone, re-encoded (the input file could
  // hold more, a key by mistake).
  std::string csr_pem = csr.ToPem();
  Result<std::string> kept = pki.fs().ReadFile(pki.CsrPath(options.name), kMaxInputBytes);
  if (!kept.ok() || *kept != csr_pem) {
    MQTTPKI_TRY(tx.Stage(pki.CsrPath(options.name), csr_pem, 0644));
    report.files.push_back({pki.CsrPath(options.name), "csr", options.name});
  }
  MQTTPKI_ASSIGN_OR_RETURN(result.cert, pki.SignCsr(options.name, csr, options.sign, ca, now, tx, report));
  std::string ignored;
  for (const std::string& ext : csr.RequestedExtensions()) {
    if (ext != "subjectAltName") ignored += (ignored.empty() ? "" : ", ") + ext;
  }
  if (!ignored.empty()) {
    report.warnings.push_back("the CSR asked for " + ignored + "; ignored: the " + ProfileName(options.sign.profile) +
                              " profile decides these");
  }
  MQTTPKI_TRY(CommitWithInventory(pki, tx, report.inventory, now));
  return result;
}

Result<BatchResult> IssueDevices(const PkiDir& pki, const DeviceBatchOptions& options, DeviceSource& source,
                                 PassphraseProvider& ca_pass, int64_t now, const std::atomic<bool>* stop,
                                 const std::function<void(const BatchProgress&)>& progress) {
  const std::string& ca_name = options.batch.ca_name;
  MQTTPKI_TRY(PkiDir::ValidateName(ca_name));
  MQTTPKI_TRY(CheckPkiWritable(pki, now));
  MQTTPKI_ASSIGN_OR_RETURN(bool have_ca, pki.HasCertificate(ca_name));
  if (!have_ca) {
    return MakeError(ErrorCode::kInput, "there is no CA '" + ca_name + "' in " + pki.root() + ": create it with " +
                                            Op("ca create " + ca_name + " --for client"));
  }
  MQTTPKI_ASSIGN_OR_RETURN(CaMaterial ca, LoadIssuer(pki, ca_name, ca_pass, now));
  MQTTPKI_ASSIGN_OR_RETURN(SubjectDefaults defaults, pki.Defaults());
  DeviceIssuer::Options io;
  io.key = options.key;
  io.days = ValidityDays(options.days, Profile::kClient);
  io.now = now;
  io.subject_base.country = options.country.value_or(defaults.country);
  io.subject_base.organization = options.organization.value_or(defaults.organization);
  io.subject_base.org_unit = options.org_unit.value_or("");
  return RunDeviceBatch(pki, ca, io, source, options.batch, now, stop, progress);
}

}  // namespace mqttpki::ops

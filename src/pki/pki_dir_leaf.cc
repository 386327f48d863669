// PkiDir's leaves: server and client certificates issued from a key made here or from a CSR under the signing
// policy, and re-issued.
#include <algorithm>

#include "mqttpki/pki_dir.h"

namespace mqttpki {

Status PkiDir::CheckLeafName(const std::string& name) const {
  MQTTPKI_TRY(ValidateName(name));
  if (name == kRootName) return MakeError(ErrorCode::kUsage, "'root-ca' is reserved for the root CA");
  Result<std::string> pem = fs_.ReadFile(CertPath(name), kMaxInputBytes);
  if (pem.ok()) {
    Result<std::vector<Certificate>> certs = Certificate::AllFromPem(*pem, CertPath(name));
    if (certs.ok() && !certs->empty() && certs->front().IsCa()) {
      return MakeError(ErrorCode::kInput,
                       "'" + name + "' is a CA in " + root_ + ": a server or device needs another name");
    }
  }
  return Status::Ok();
}

Status PkiDir::StageLeafKey(const std::string& name, const PrivateKey& key, bool encrypt, PassphraseProvider* key_pass,
                            FileTransaction& tx, Report& report) const {
  if (encrypt && key_pass == nullptr) return MakeError(ErrorCode::kInternal, "no passphrase source for a leaf key");
  PassphraseProvider none(fs_, "");
  return StageKey(name, key, encrypt, encrypt ? *key_pass : none, tx, report);
}

Result<PkiDir::KeyAndCsr> PkiDir::MakeKeyAndCsr(const std::string& name, const LeafOptions& o,
                                                FileTransaction& tx) const {
  MQTTPKI_TRY(CheckLeafName(name));
  if (o.sans.empty() && o.profile == Profile::kServer) {
    return MakeError(ErrorCode::kUsage,
                     "a server certificate needs at least one " + Arg("san") + " (DNS name or IP address)");
  }
  MQTTPKI_ASSIGN_OR_RETURN(SubjectDefaults d, Defaults());
  DistinguishedName dn;
  dn.country = o.country.value_or(d.country);
  dn.organization = o.organization.value_or(d.organization);
  dn.org_unit = o.org_unit.value_or("");
  // The CN is the first SAN unless given: for an IP target that puts the address in the CN too, for clients
  // (BearSSL) that ignore IP SANs.
  LeafNames names = CanonicalLeafNames(o.common_name, o.sans, name);
  dn.common_name = names.common_name;
  MQTTPKI_TRY(dn.Validate());
  for (const std::string& p : {KeyPath(name), CsrPath(name)}) MQTTPKI_TRY(tx.Check(p));
  MQTTPKI_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::Generate(o.key));
  MQTTPKI_ASSIGN_OR_RETURN(CertificateRequest csr, CertificateRequest::Create(key, dn, names.sans));
  return KeyAndCsr{std::move(key), std::move(csr), std::move(dn), std::move(names.sans)};
}

Result<CertificateRequest> PkiDir::CreateCsr(const std::string& name, const LeafOptions& o, FileTransaction& tx,
                                             Report& report) const {
  MQTTPKI_ASSIGN_OR_RETURN(KeyAndCsr kc, MakeKeyAndCsr(name, o, tx));
  MQTTPKI_TRY(StageLeafKey(name, kc.key, o.encrypt_key, o.key_pass, tx, report));
  MQTTPKI_TRY(StageFile(CsrPath(name), kc.csr.ToPem(), kPublicMode, "csr", name, tx, report));
  return std::move(kc.csr);
}

Result<Certificate> PkiDir::IssueLeaf(const std::string& name, const LeafOptions& o, const CaMaterial& ca, int64_t now,
                                      FileTransaction& tx, Report& report) const {
  if (ca.name == kRootName) {
    report.warnings.push_back("signing with the root CA directly (one-CA setup): an intermediate (" +
                              Op("ca create server-ca") +
                              ") keeps the root key offline and can be rotated without touching devices");
  }
  MQTTPKI_TRY(tx.Check(CertPath(name)));
  MQTTPKI_TRY(tx.Check(ChainPath(name)));
  MQTTPKI_ASSIGN_OR_RETURN(KeyAndCsr kc, MakeKeyAndCsr(name, o, tx));
  MQTTPKI_TRY(StageLeafKey(name, kc.key, o.encrypt_key, o.key_pass, tx, report));
  MQTTPKI_TRY(StageFile(CsrPath(name), kc.csr.ToPem(), kPublicMode, "csr", name, tx, report));
  // Signed from the key and the names as they were worked out, not read back out of the CSR (which is an output).
  IssueOptions io;
  io.profile = o.profile;
  io.subject = std::move(kc.subject);
  io.sans = std::move(kc.sans);
  io.days = ValidityDays(o.days, o.profile);
  io.now = now;
  return IssueAndStage(name, io, kc.key.get(), ca, /*has_key=*/true, now, tx, report);
}

Status CheckCsrPolicy(const CertificateRequest& csr, const std::string& what) {
  // Every refusal below is of something the requester asked for; the profile decides every other extension.
  MQTTPKI_TRY(csr.VerifySignature(what));
  // Policy: only the key types this tool issues, and only well-formed names.
  if (!KeyTypeFromDescription(csr.KeyDescription())) {
    return MakeError(ErrorCode::kInput, what + " has a " + csr.KeyDescription() +
                                            " key: mqttpki signs EC P-256/P-384 and RSA 2048-4096 keys only");
  }
  if (std::string ca = csr.CaRequest(); !ca.empty()) {
    return MakeError(ErrorCode::kInput, what + " asks for " + ca +
                                            ": mqttpki signs leaf certificates from CSRs, "
                                            "never a CA (create CAs with " +
                                            Op("ca create") + ")");
  }
  for (const std::string& other : csr.UnsupportedSans()) {
    return MakeError(ErrorCode::kInput, what + " asks for a name that is not allowed: " + other +
                                            " (mqttpki issues DNS names and IP addresses only)");
  }
  for (const SubjectAltName& s : csr.Sans()) {
    Result<SubjectAltName> checked = ParseSan(s.ToString());
    if (!checked.ok()) {
      return MakeError(ErrorCode::kInput, what + " asks for a name that is not allowed: " +
                                              checked.error().message.substr(checked.error().message.find(": ") + 2) +
                                              " ('" + Printable(s.value) + "')");
    }
  }
  if (Status st = csr.SubjectFields().Validate(); !st.ok()) {
    return MakeError(ErrorCode::kInput, what + " has an invalid subject: " + st.error().message);
  }
  return Status::Ok();
}

Result<Certificate> PkiDir::SignCsr(const std::string& name, const CertificateRequest& csr, const SignOptions& o,
                                    const CaMaterial& ca, int64_t now, FileTransaction& tx, Report& report) const {
  MQTTPKI_TRY(ValidateName(name));
  if (name == kRootName) return MakeError(ErrorCode::kUsage, "'root-ca' is reserved for the root CA");
  if (o.profile != Profile::kServer && o.profile != Profile::kClient) {
    return MakeError(ErrorCode::kUsage, "a CSR is signed with the server or client profile only");
  }
  MQTTPKI_TRY(CheckLeafName(name));
  MQTTPKI_TRY(CheckCsrPolicy(csr, "the CSR for " + name));
  return IssueFromCsr(name, csr, o, ca, now, tx, report);
}

Result<Certificate> PkiDir::IssueFromCsr(const std::string& name, const CertificateRequest& csr, const SignOptions& o,
                                         const CaMaterial& ca, int64_t now, FileTransaction& tx, Report& report) const {
  IssueOptions io;
  io.profile = o.profile;
  // Policy: the subject's C, O, OU, CN and the SANs are all a CSR decides; extensions come from the profile.
  io.subject = csr.SubjectFields();
  std::vector<SubjectAltName> sans = CanonicalSans(o.sans.empty() ? csr.Sans() : o.sans);
  if (!o.sans.empty()) {
    // The CA's names replace the CSR's; a CN that is not one of them gives way to the first.
    Result<SubjectAltName> cn = ParseSan(io.subject.common_name);
    if (!cn.ok() || std::find(sans.begin(), sans.end(), *cn) == sans.end()) io.subject.common_name.clear();
  }
  LeafNames names = CanonicalLeafNames(io.subject.common_name, sans, name);
  io.subject.common_name = std::move(names.common_name);
  io.sans = std::move(names.sans);
  io.days = ValidityDays(o.days, o.profile);
  io.now = now;
  // A signed CSR's key lives elsewhere: it is not recorded.
  return IssueAndStage(name, io, csr.PublicKey(), ca, /*has_key=*/false, now, tx, report);
}

Result<Certificate> PkiDir::IssueAndStage(const std::string& name, const IssueOptions& io, evp_pkey_st* public_key,
                                          const CaMaterial& ca, bool has_key, int64_t now, FileTransaction& tx,
                                          Report& report) const {
  MQTTPKI_ASSIGN_OR_RETURN(IssueResult issued, Issue(io, public_key, &ca.cert, *ca.signer));
  for (auto& w : issued.warnings) report.warnings.push_back(w);
  std::string chain = issued.certificate.ToPem();
  for (const Certificate& c : ca.chain) chain += c.ToPem();
  MQTTPKI_TRY(StageFile(CertPath(name), issued.certificate.ToPem(), kPublicMode, "certificate", name, tx, report));
  MQTTPKI_TRY(StageFile(ChainPath(name), chain, kPublicMode, "chain", name, tx, report));
  RecordIssued(report, issued.certificate, name, ca.name, io.profile, has_key, true, now);
  return issued.certificate;
}

Result<Certificate> PkiDir::Reissue(const std::string& name, const CaMaterial& ca, const ReissueOptions& o, int64_t now,
                                    FileTransaction& tx, Report& report) const {
  MQTTPKI_ASSIGN_OR_RETURN(Certificate old, LoadCertificate(name));
  if (old.IsCa()) {
    return MakeError(ErrorCode::kInput, "'" + name + "' is a CA: use " + Op("rotate " + name) + " for a CA");
  }
  IssueOptions io;
  io.profile = o.profile;
  io.subject = old.SubjectFields();
  io.sans = old.Sans();
  io.days = ValidityDays(o.days, o.profile);
  io.now = now;
  PrivateKey new_key;
  evp_pkey_st* public_key = old.PublicKey();
  if (o.rekey) {
    KeyType type = o.key.value_or(KeyTypeFromDescription(old.KeyDescription()).value_or(KeyType::kEcP256));
    MQTTPKI_ASSIGN_OR_RETURN(new_key, PrivateKey::Generate(type));
    Result<std::string> old_key_pem = fs_.ReadFile(KeyPath(name), kMaxInputBytes);
    bool encrypt = old_key_pem.ok() && PrivateKey::IsEncryptedPem(*old_key_pem);
    MQTTPKI_ASSIGN_OR_RETURN(CertificateRequest csr, CertificateRequest::Create(new_key, io.subject, io.sans));
    MQTTPKI_TRY(StageLeafKey(name, new_key, encrypt, o.key_pass, tx, report));
    MQTTPKI_TRY(StageFile(CsrPath(name), csr.ToPem(), kPublicMode, "csr", name, tx, report));
    public_key = new_key.get();
  }
  bool has_key = o.rekey || fs_.Exists(KeyPath(name)).value_or(false);
  return IssueAndStage(name, io, public_key, ca, has_key, now, tx, report);
}

}  // namespace mqttpki

// CSRs from outside: `mqttpki inspect` and `mqttpki csr sign FILE` on a request made on a broker or device.
// Input: the file's bytes (PEM). A CSR that passes the signing policy is signed by a CA made once per process
// (nothing is written: the transaction is never committed).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "fuzz_util.h"
#include "mqttpki/certificate.h"
#include "mqttpki/issuer.h"
#include "mqttpki/signer.h"
#include "mqttpki/pki_dir.h"

using namespace mqttpki;

namespace {

struct Ca {
  std::string dir;  // a PKI directory that does not exist: the leaf's files would be new
  CaMaterial material;
};

const Ca& TheCa() {
  static const Ca* ca = [] {
    auto* c = new Ca;
    c->dir = (std::filesystem::temp_directory_path() / "mqttpki-fuzz-csr-pki-never-created").string();
    IssueOptions io;
    io.profile = Profile::kRoot;
    io.subject.organization = "mqttpki fuzz";
    io.subject.common_name = "mqttpki fuzz CA";
    io.days = 3650;
    io.now = fuzz::kNow - 86400;
    Result<PrivateKey> key = PrivateKey::Generate(KeyType::kEcP256);
    fuzz::Require(key.ok(), "generating the CA key");
    Result<IssueResult> root = Issue(io, key->get(), nullptr, *KeySigner(*key).value());
    fuzz::Require(root.ok(), "issuing the CA certificate");
    Result<CaMaterial> material = CaMaterial::InMemory("server-ca", root->certificate, std::move(key).value(), {});
    fuzz::Require(material.ok(), "loading the CA");
    c->material = std::move(material).value();
    return c;
  }();
  return *ca;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::UseDeterministicRandom();
  (void)fuzz::FixedKey();
  (void)TheCa();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return -1;
  fuzz::ResetRandom();
  Result<CertificateRequest> req = CertificateRequest::FromPem(fuzz::Text(data, size), "fuzz.csr.pem");
  if (!req.ok()) {
    fuzz::EndRun();
    return 0;
  }
  fuzz::ExerciseRequest(*req);

  // csr sign: the policy checks, then issuing with the server profile (or client, for odd sizes), and with
  // --san replacing the CSR's names for every fourth size.
  const Ca& ca = TheCa();
  PkiDir pki(ca.dir);
  FileTransaction tx(pki.fs(), /*force=*/false);
  Report report;
  SignOptions so;
  so.profile = (size & 1) != 0 ? Profile::kClient : Profile::kServer;
  if ((size & 2) != 0) so.sans.push_back({SubjectAltName::Kind::kDns, "mqtt.example.com"});
  Result<Certificate> cert = pki.SignCsr("mqtt-server-1", *req, so, ca.material, fuzz::kNow, tx, report);
  fuzz::Note(req->Subject() + ": " + (cert.ok() ? "signed, " + cert->Subject() : cert.error().message));
  if (cert.ok()) {
    fuzz::ExerciseCertificate(*cert);
    fuzz::Require(cert->IssuedBy(ca.material.cert), "what SignCsr issues is signed by the CA");
    fuzz::Require(!cert->IsCa(), "SignCsr never issues a CA certificate");
    // The policy: what the CSR says about its names is taken only when well-formed.
    for (const SubjectAltName& s : cert->Sans()) {
      fuzz::Require(ParseSan(s.ToString()).ok(), "every SAN of an issued certificate is one ParseSan accepts");
    }
    fuzz::Require(cert->SubjectFields().Validate().ok(), "an issued subject passes DistinguishedName::Validate");
  }
  fuzz::EndRun();
  return 0;
}

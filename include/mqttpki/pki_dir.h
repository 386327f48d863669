// The PKI directory: the tutorial's layout, and the operations that read and write it.
//
//   mqttpki.json                 subject defaults (init)
//   ca-bundle.pem                trust anchors for devices
//   NAME/private/NAME.key.pem    key of a CA (root-ca, server-ca, ...) or of a server, 0400
//   NAME/certs/NAME.cert.pem     its certificate
//   NAME/csr/NAME.csr.pem        its CSR (not for the root)
//   NAME/NAME.chain.pem          servers: leaf first, then the intermediate; never the root
//   CA/crl/CA.crl.{pem,der}      the CA's CRL; crl.pem holds every CA's current CRL
//   CA/archive/SERIAL/           a rotated intermediate's key (in private/), certificate, CSR and CRL
//   inventory.db, .pending/      the certificate inventory and its journals (inventory.h)
//
// Operations stage their files in a FileTransaction that the caller commits, so a command that does several
// (quickstart) writes everything or nothing. They take "now" from the caller.
#ifndef MQTTPKI_PKI_DIR_H_
#define MQTTPKI_PKI_DIR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mqttpki/certificate.h"
#include "mqttpki/fs.h"
#include "mqttpki/issuer.h"
#include "mqttpki/key.h"
#include "mqttpki/name.h"
#include "mqttpki/passphrase.h"
#include "mqttpki/result.h"
#include "mqttpki/signer.h"
#include "mqttpki/store.h"

namespace mqttpki {

inline constexpr const char* kRootName = "root-ca";
inline constexpr const char* kDefaultServerCaName = "server-ca";
inline constexpr const char* kDefaultServerName = "mqtt-server-1";
inline constexpr const char* kDefaultDeviceCaName = "device-ca";

// SubjectDefaults are the subject fields written by init and used when a command gives none.
struct SubjectDefaults {
  std::string organization = "mqttpki";  // O
  std::string country;                   // C (none unless given)
  std::string org_unit = "PKI";          // OU of CA certificates
};

// Report is what an operation wrote and what the user should know.
struct Report {
  struct File {
    std::string path;
    std::string kind;  // "key", "certificate", "csr", "chain", "bundle", "config"
    std::string name;  // the entity: root-ca, server-ca, mqtt-server-1, ...
  };
  std::vector<File> files;
  std::vector<std::string> warnings;
  InventoryChange inventory;  // what to record (CommitWithInventory)
};

// CaMaterial is a CA ready to sign: its certificate, the signer of its key, and the certificates a leaf's chain
// file carries above the leaf (empty for the root; [intermediate] for an intermediate). Every signature for the
// CA goes through |signer|; |key| is the private key itself when it is held in memory (for rotation's key type).
struct CaMaterial {
  std::string name;
  Certificate cert;
  PrivateKey key;
  std::vector<Certificate> chain;
  std::shared_ptr<Signer> signer;

  // InMemory is the material of a CA whose key is in memory, signing through a KeySigner over it.
  static Result<CaMaterial> InMemory(std::string name, Certificate cert, PrivateKey key,
                                     std::vector<Certificate> chain);
};

// KeyProtection says how a new key is written.
struct KeyProtection {
  bool encrypt = true;  // PKCS#8 AES-256 with the provider's passphrase
};

struct CaOptions {
  std::string common_name;     // default: "<org> Root CA" / "<org> MQTT Server CA" / "<org> <name>"
  std::optional<std::string> organization, country, org_unit;  // override the defaults
  KeyType key = KeyType::kEcP256;
  int days = 0;                // 0: the profile's default
  KeyProtection protection;
  // Intermediates: kServer or kClient limits what the CA may issue (IssueOptions::ca_for); a device CA is
  // kClient, so that a certificate it issues can never pass as a broker's.
  std::optional<Profile> issues_for;
};

struct LeafOptions {
  std::vector<SubjectAltName> sans;
  std::string common_name;     // default: the first SAN
  std::optional<std::string> organization, country, org_unit;
  KeyType key = KeyType::kEcP256;
  int days = 0;
  Profile profile = Profile::kServer;
  bool encrypt_key = false;    // brokers such as Mosquitto cannot read encrypted keys
  // The passphrase of an encrypted leaf key (required with encrypt_key): never the CA keys' provider.
  PassphraseProvider* key_pass = nullptr;
};

struct SignOptions {
  Profile profile = Profile::kServer;
  std::vector<SubjectAltName> sans;  // non-empty: replaces the CSR's SANs
  int days = 0;
};

// CheckCsrPolicy is what every CSR must pass before it is signed: its signature verifies (the requester holds
// the key), its key is a type this tool issues, it does not ask to be a CA (CA:TRUE, keyCertSign, cRLSign), its
// names are DNS names or IP addresses and well-formed. |what| names it in messages.
Status CheckCsrPolicy(const CertificateRequest& csr, const std::string& what);

// ReissueOptions say how PkiDir::Reissue renews a leaf.
struct ReissueOptions {
  Profile profile = Profile::kServer;  // the inventory's profile of the certificate (server or client)
  bool rekey = false;                  // a new key instead of the same public key
  std::optional<KeyType> key;          // with rekey: the new key's type (default: the old key's)
  int days = 0;                        // 0: the profile's default
  // The passphrase of the new key when the old one was encrypted (the new one is then encrypted too).
  PassphraseProvider* key_pass = nullptr;
};

// PkiDir is one PKI directory: its layout and subject defaults (pki_dir.cc), its CAs (pki_dir_ca.cc) and the
// leaves they issue (pki_dir_leaf.cc). It reads through its FileSystem and stages every write in the caller's
// FileTransaction; the certificates it issues are added to the Report's inventory change, which the caller
// records (inventory.h).
class PkiDir {
 public:
  explicit PkiDir(std::string root, FileSystem& fs = RealFileSystem(), StoreOptions store = {});

  const std::string& root() const { return root_; }
  FileSystem& fs() const { return fs_; }
  // store_options are the settings its inventory's store is opened with (inventory.h).
  const StoreOptions& store_options() const { return store_; }

  // --- Layout (see the top of this file) ---
  std::string Path(const std::string& relative) const;
  std::string KeyPath(const std::string& name) const;
  std::string CertPath(const std::string& name) const;
  std::string CsrPath(const std::string& name) const;
  std::string ChainPath(const std::string& name) const;
  std::string BundlePath() const;
  std::string ConfigPath() const;
  std::string CrlPath(const std::string& ca, bool der) const;
  std::string CombinedCrlPath() const;
  // ArchivePath is NAME/archive/<serial>/<file>.
  std::string ArchivePath(const std::string& name, const std::string& serial, const std::string& file) const;
  // Relative turns a path into what the inventory stores: relative to the PKI directory when it is inside it,
  // else absolute, so that it holds wherever the directory is used from; Resolve turns it back.
  std::string Relative(const std::string& path) const;
  std::string Resolve(const std::string& relative) const;

  // ValidateName accepts an entity name usable as a directory: letters, digits, '.', '_', '-', not starting
  // with '.' or '-', at most 64 characters.
  // |what| names it in messages ("name", "device id").
  static Status ValidateName(const std::string& name, const std::string& what = "name");

  // --- Subject defaults ---
  // Defaults reads mqttpki.json (SubjectDefaults{} when absent).
  Result<SubjectDefaults> Defaults() const;
  // Init stages mqttpki.json.
  Status Init(const SubjectDefaults& defaults, FileTransaction& tx, Report& report) const;

  // --- CAs (pki_dir_ca.cc) ---
  // CreateRoot makes the self-signed root-ca.
  Result<CaMaterial> CreateRoot(const CaOptions& options, int64_t now, PassphraseProvider& pass, FileTransaction& tx,
                                Report& report) const;
  // CreateIntermediate makes CA |name| signed by |root| (pathlen 0), with a CSR as the tutorial does.
  Result<CaMaterial> CreateIntermediate(const std::string& name, const CaOptions& options, const CaMaterial& root,
                                        int64_t now, PassphraseProvider& pass, FileTransaction& tx,
                                        Report& report) const;
  // LoadCa reads CA |name|'s certificate and key (asking |pass| if the key is encrypted) and its chain.
  Result<CaMaterial> LoadCa(const std::string& name, PassphraseProvider& pass) const;
  // RotateIntermediate replaces CA |old|'s key and certificate with new ones under |root| (same subject, key type
  // and key protection), keeping the old files in NAME/archive/<old serial>/. The caller re-issues the servers.
  Result<CaMaterial> RotateIntermediate(const CaMaterial& old, const CaMaterial& root, int days, int64_t now,
                                        PassphraseProvider& pass, FileTransaction& tx, Report& report) const;
  // LoadArchivedCas reads the earlier instances of CA |name| kept by RotateIntermediate (NAME/archive/<serial>/)
  // whose certificates have not expired at |now|: they still vouch for what they issued and publish CRLs for it.
  Result<std::vector<CaMaterial>> LoadArchivedCas(const std::string& name, int64_t now, PassphraseProvider& pass) const;

  // --- Leaves (pki_dir_leaf.cc) ---
  // IssueLeaf makes key, CSR, certificate and chain file of |name| signed by |ca|.
  Result<Certificate> IssueLeaf(const std::string& name, const LeafOptions& options, const CaMaterial& ca,
                                int64_t now, FileTransaction& tx, Report& report) const;
  // CreateCsr makes the key and CSR of |name| where the key is to live (no CA involved).
  Result<CertificateRequest> CreateCsr(const std::string& name, const LeafOptions& options, FileTransaction& tx,
                                       Report& report) const;
  // SignCsr signs |csr| for |name| under the signing policy: the CSR's signature must verify; its C, O, OU, CN
  // and SANs are taken (options.sans replaces the SANs); every other requested extension is ignored.
  Result<Certificate> SignCsr(const std::string& name, const CertificateRequest& csr, const SignOptions& options,
                              const CaMaterial& ca, int64_t now, FileTransaction& tx, Report& report) const;
  // Reissue gives entity |name| a new certificate from |ca| with the names and subject of its current one
  // (NAME/certs/NAME.cert.pem): the same public key, or with options.rekey a new key. The old certificate is
  // marked superseded in the inventory. |tx| must allow replacing files.
  Result<Certificate> Reissue(const std::string& name, const CaMaterial& ca, const ReissueOptions& options,
                              int64_t now, FileTransaction& tx, Report& report) const;

  // --- Certificates and the bundle ---
  // WriteBundle stages ca-bundle.pem: |root|, preceded by |intermediates| when given. An existing identical bundle
  // is left alone; a different one needs force (the transaction's).
  Status WriteBundle(const Certificate& root, const std::vector<Certificate>& intermediates, FileTransaction& tx,
                     Report& report) const;
  // LoadCertificate reads NAME/certs/NAME.cert.pem.
  Result<Certificate> LoadCertificate(const std::string& name) const;
  // HasCertificate says whether entity |name| has a certificate.
  Result<bool> HasCertificate(const std::string& name) const;
  // RecordIssued adds |cert| of entity |name| to |report|'s inventory change and, when it replaces the certificate
  // at NAME/certs/NAME.cert.pem, marks the replaced one superseded.
  void RecordIssued(Report& report, const Certificate& cert, const std::string& name, const std::string& ca,
                    Profile profile, bool has_key, bool has_chain, int64_t now) const;

 private:
  static constexpr mode_t kKeyMode = 0400;     // private keys
  static constexpr mode_t kPublicMode = 0644;  // certificates, CSRs, chains, bundles, config

  struct KeyAndCsr {
    PrivateKey key;
    CertificateRequest csr;
    DistinguishedName subject;           // what the CSR says, as it was worked out
    std::vector<SubjectAltName> sans;    // (CanonicalLeafNames)
  };
  // IssueAndStage issues |io| for |public_key| with |ca|, stages the certificate and chain files and records the
  // certificate (with NAME's key file when |has_key|).
  Result<Certificate> IssueAndStage(const std::string& name, const IssueOptions& io, evp_pkey_st* public_key,
                                    const CaMaterial& ca, bool has_key, int64_t now, FileTransaction& tx,
                                    Report& report) const;
  // IssueFromCsr is SignCsr after its checks (name, profile, the CSR's signature).
  Result<Certificate> IssueFromCsr(const std::string& name, const CertificateRequest& csr, const SignOptions& options,
                                   const CaMaterial& ca, int64_t now, FileTransaction& tx, Report& report) const;
  // MakeKeyAndCsr generates the key and CSR of leaf |name| (subject from |options| and the defaults).
  Result<KeyAndCsr> MakeKeyAndCsr(const std::string& name, const LeafOptions& options, FileTransaction& tx) const;
  DistinguishedName CaSubject(const std::string& name, const CaOptions& o, const SubjectDefaults& d) const;
  Status StageKey(const std::string& name, const PrivateKey& key, bool encrypt, PassphraseProvider& pass,
                  FileTransaction& tx, Report& report) const;
  Status StageLeafKey(const std::string& name, const PrivateKey& key, bool encrypt, PassphraseProvider* key_pass,
                      FileTransaction& tx, Report& report) const;
  // CheckLeafName refuses names that are invalid, reserved, or a CA's: a leaf must never replace a CA.
  Status CheckLeafName(const std::string& name) const;
  Status StageFile(const std::string& path, std::string data, mode_t mode, const std::string& kind,
                   const std::string& name, FileTransaction& tx, Report& report) const;

  std::string root_;
  FileSystem& fs_;
  StoreOptions store_;
};

}  // namespace mqttpki

#endif  // MQTTPKI_PKI_DIR_H_

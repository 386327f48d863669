// Operations: what a front end asks the PKI to do, each one function over the engine that takes plain options
// and returns a report. The domain rules live here once (who may issue, when renewal is due, how CRLs are
// published), so the CLI, a server and a test harness all get the same answers. An operation that writes commits
// its files and inventory rows itself, all or nothing (CommitWithInventory); it takes "now" from the caller.
#ifndef MQTTPKI_OPS_H_
#define MQTTPKI_OPS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mqttpki/certificate.h"
#include "mqttpki/device_batch.h"
#include "mqttpki/fleet.h"
#include "mqttpki/inventory.h"
#include "mqttpki/key.h"
#include "mqttpki/passphrase.h"
#include "mqttpki/pki_dir.h"
#include "mqttpki/result.h"
#include "mqttpki/store.h"

namespace mqttpki::ops {

// --- the inventory and the CAs, as every operation finds them ---

enum class Access {
  kRead,   // works on a read-only PKI too (list, show)
  kWrite,  // checks first that the PKI directory can be written
};

// RequireInventory opens the inventory of an existing PKI (kInput when there is none).
Result<std::unique_ptr<Inventory>> RequireInventory(const PkiDir& pki, Access access, int64_t now);

// CheckPkiWritable checks that the PKI directory can be written and opens its inventory if it exists (applying
// pending journals), so that a read-only directory or a corrupt or locked database stops an operation before it
// writes anything.
Status CheckPkiWritable(const PkiDir& pki, int64_t now);

// CrlWarnings says which CRLs lapse soon or did: a broker with a crlfile then refuses every client.
std::vector<std::string> CrlWarnings(Store& store, int64_t now);
// RecoveryWarnings says that a read-only PKI has crash journals its inventory does not include yet, or commands
// killed before all their files were in place.
std::vector<std::string> RecoveryWarnings(const Inventory& inventory);

// NormalizeSerial writes a serial as the inventory stores it (OpenSSL's BN_bn2hex): upper case, no separators,
// an even number of digits.
std::string NormalizeSerial(const std::string& serial);

// FindRecord resolves an entity name (its current certificate) or a serial number.
Result<CertRecord> FindRecord(Store& store, const std::string& name_or_serial);

// LoadIssuer loads CA |name| to issue with. Every operation that issues loads its CA through it: a CA that the
// inventory says is revoked refuses to issue, whichever front end asks.
Result<CaMaterial> LoadIssuer(const PkiDir& pki, const std::string& name, PassphraseProvider& pass, int64_t now);

// --- issuing ---

struct IssueResult {
  Report report;
  Certificate cert;
};

struct IssueServerOptions {
  std::string name;                       // the server: NAME/ in the PKI
  std::string ca = kDefaultServerCaName;  // the issuing CA (root-ca for a one-CA setup)
  LeafOptions leaf;                       // names, subject, key, validity; sans must not be empty
  bool force = false;                     // replace the files of an existing server
};

// IssueServer makes a broker's key, CSR, certificate and chain file (leaf first), signed by options.ca.
Result<IssueResult> IssueServer(const PkiDir& pki, const IssueServerOptions& options, PassphraseProvider& ca_pass,
                                int64_t now);

struct SignCsrOptions {
  std::string name;                       // where the certificate goes: NAME/ in the PKI
  std::string ca = kDefaultServerCaName;  // the issuing CA
  SignOptions sign;                       // profile, SAN replacement, validity
  bool force = false;
};

// SignCsr signs |csr| (read from |what|, which names it in messages) under the signing policy (CheckCsrPolicy):
// the CSR's subject and SANs are taken, every other extension it asks for is ignored, with a warning. The CSR is
// kept beside the certificate (re-encoded: the input could hold more).
Result<IssueResult> SignCsr(const PkiDir& pki, const CertificateRequest& csr, const std::string& what,
                            const SignCsrOptions& options, PassphraseProvider& ca_pass, int64_t now);

struct DeviceBatchOptions {
  KeyType key = KeyType::kEcP256;
  int days = 0;  // 0: the client profile's validity
  // Subject fields of every device; unset: the PKI's defaults (O, C), no OU.
  std::optional<std::string> organization, country, org_unit;
  BatchOptions batch;  // the CA, where the files go, formats, threads
};

// IssueDevices issues a device batch (RunDeviceBatch) under options.batch.ca_name, loaded through LoadIssuer.
Result<BatchResult> IssueDevices(const PkiDir& pki, const DeviceBatchOptions& options, DeviceSource& source,
                                 PassphraseProvider& ca_pass, int64_t now, const std::atomic<bool>* stop,
                                 const std::function<void(const BatchProgress&)>& progress);

// --- revoke, CRLs ---

struct RevokeResult {
  CertRecord record;  // as it was before the revocation
  RevocationReason reason = RevocationReason::kUnspecified;
};

// Revoke marks a certificate (an entity's current one, or a serial) revoked. The root cannot be revoked, and
// nothing is revoked twice. Publishing it is PublishCrls.
Result<RevokeResult> Revoke(const PkiDir& pki, const std::string& name_or_serial, RevocationReason reason, int64_t now);

struct CrlOptions {
  std::string ca;  // only this CA; empty: every valid CA whose key is here
  int days = 30;   // until nextUpdate
};

struct PublishedCrl {
  std::string ca;  // "server-ca", or "server-ca@<serial>" for an earlier instance of a rotated intermediate
  int64_t number = 0;
  size_t entries = 0;
  int64_t next_update = 0;
};

struct CrlResult {
  Report report;
  std::vector<PublishedCrl> crls;
};

// PublishCrls writes the CRL of each CA (PEM and DER), with the next crlNumber, and PKI/crl.pem with every CA's
// current CRL. Each earlier instance of a rotated intermediate that has not expired signs one too: the
// certificates it issued are checked against a CRL with its key identifier.
Result<CrlResult> PublishCrls(const PkiDir& pki, const CrlOptions& options, PassphraseProvider& pass, int64_t now);

// --- renewal ---

struct RenewOptions {
  std::string name;
  bool rekey = false;                      // a new key too (default: keep the key)
  std::optional<KeyType> key;              // with rekey: the new key's type (default: the old key's)
  int days = 0;                            // 0: the profile's validity
  PassphraseProvider* key_pass = nullptr;  // a new key's passphrase, when the old key was encrypted
};

struct RenewResult {
  Report report;
  Certificate cert;
  std::string superseded;  // the serial of the certificate it replaces
};

// Renew re-issues a server or client certificate with the names, subject and profile of its current one, from
// the CA that issued it (LoadIssuer); the previous one is superseded. A CA is rotated, not renewed.
Result<RenewResult> Renew(const PkiDir& pki, const RenewOptions& options, PassphraseProvider& ca_pass, int64_t now);

// RenewalPolicy says when a certificate is due: |window| seconds before it expires, or else once |percent| of
// its life has passed.
struct RenewalPolicy {
  int percent = 66;    // 0-100
  int64_t window = 0;  // > 0: used instead of percent
};

struct RenewalCheck {
  std::string file;
  bool due = false;
  int64_t renew_at = 0;
  int64_t not_after = 0;
};

// NeedsRenewal checks the certificate of entity |name_or_file|, or in that file (a path: it has a '/' or exists).
Result<RenewalCheck> NeedsRenewal(const PkiDir& pki, const std::string& name_or_file, const RenewalPolicy& policy,
                                  int64_t now);

// --- rotation ---

struct RotateOptions {
  std::string ca;  // the intermediate to rotate
  int days = 0;    // 0: the profile's validity
};

struct RotateResult {
  Report report;
  Certificate cert;                   // the new intermediate
  std::vector<std::string> reissued;  // the servers re-issued under it
};

// Rotate gives intermediate |ca| a new key and certificate under the root (the old ones are archived and keep
// publishing CRLs until they expire), and re-issues under it every server whose current certificate it issued.
// Devices that trust only the root accept the new chains as they are.
Result<RotateResult> Rotate(const PkiDir& pki, const RotateOptions& options, PassphraseProvider& pass, int64_t now);

}  // namespace mqttpki::ops

#endif  // MQTTPKI_OPS_H_

// The certificate inventory: every certificate the PKI issued, its status and where its files are.
// Store is the interface; SqliteStore (an embedded SQLite file in the PKI directory) is the one implementation.
#ifndef MQTTPKI_STORE_H_
#define MQTTPKI_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mqttpki/certificate.h"
#include "mqttpki/result.h"

namespace mqttpki {

// RevocationReason is RFC 5280's CRLReason (the values are the ASN.1 enumeration).
enum class RevocationReason {
  kUnspecified = 0,
  kKeyCompromise = 1,
  kCaCompromise = 2,
  kAffiliationChanged = 3,
  kSuperseded = 4,
  kCessationOfOperation = 5,
  kCertificateHold = 6,
  kPrivilegeWithdrawn = 9,
};
Result<RevocationReason> ParseRevocationReason(const std::string& name);  // "keyCompromise", ...
std::string RevocationReasonName(RevocationReason reason);

enum class CertStatus { kValid, kRevoked, kSuperseded };
std::string CertStatusName(CertStatus status);  // "valid", "revoked", "superseded"
std::optional<CertStatus> ParseCertStatus(std::string_view name);

// CertRecord is one row of the inventory.
struct CertRecord {
  std::string serial;    // upper-case hex, as Certificate::SerialHex
  std::string name;      // the entity: root-ca, server-ca, mqtt-server-1, a device id
  std::string ca;        // the issuing CA's name; the root names itself
  std::string profile;   // root, intermediate, server, client
  std::string subject;
  std::string issuer;
  std::string sans;      // "DNS:a, IP:b"
  int64_t not_before = 0;
  int64_t not_after = 0;
  CertStatus status = CertStatus::kValid;
  int64_t revoked_at = 0;  // also the time a certificate was superseded
  RevocationReason reason = RevocationReason::kUnspecified;
  std::string sha256;
  std::string cert_path;
  std::string key_path;    // empty when the key lives elsewhere (CSR path)
  std::string chain_path;  // empty for CAs
  int64_t recorded_at = 0;

  // FromCertificate fills the certificate's own facts (serial, subject, issuer, SANs, validity, fingerprint).
  static CertRecord FromCertificate(const Certificate& cert);
};

// RevokedEntry is what a CRL says of one certificate.
struct RevokedEntry {
  std::string serial;  // upper-case hex
  int64_t revoked_at = 0;
  RevocationReason reason = RevocationReason::kUnspecified;
};

// ListFilter selects rows; empty fields select everything.
struct ListFilter {
  std::optional<CertStatus> status;
  std::optional<int64_t> expiring_before;  // not_after < this (and not yet superseded or revoked unless asked)
  std::string name;
  std::string ca;
  std::vector<std::string> profiles;  // any of these ("root", "intermediate", "server", "client")
  size_t limit = 0;  // 0: no limit
};

struct CrlState {
  std::string ca;
  int64_t number = 0;        // the last crlNumber issued
  int64_t this_update = 0;
  int64_t next_update = 0;
};

// StatusChange marks a recorded certificate revoked or superseded.
struct StatusChange {
  std::string serial;
  CertStatus status = CertStatus::kSuperseded;
  RevocationReason reason = RevocationReason::kUnspecified;
  int64_t when = 0;
};

// InventoryChange is what one command does to the inventory: the rows an engine call adds to its Report, which
// the inventory (inventory.h) writes in step with the files.
struct InventoryChange {
  std::vector<CertRecord> inserts;
  std::vector<StatusChange> status_changes;
  std::vector<CrlState> crls;
  bool empty() const { return inserts.empty() && status_changes.empty() && crls.empty(); }
};

class Store {
 public:
  virtual ~Store() = default;
  // Begin starts a write transaction that holds the database's write lock until Commit or Rollback (other
  // processes wait for it, up to the busy timeout).
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual void Rollback() = 0;

  // Insert adds a record; a serial already present is kInput.
  virtual Status Insert(const CertRecord& record) = 0;
  // InsertMany adds |records| in order (a device batch's chunk), as one Insert each would. On an error the rows
  // before the failing one may be in: the caller rolls the transaction back.
  virtual Status InsertMany(const std::vector<CertRecord>& records) {
    for (const CertRecord& r : records) {
      if (Status st = Insert(r); !st.ok()) return st;
    }
    return Status::Ok();
  }
  virtual Result<std::optional<CertRecord>> BySerial(const std::string& serial) = 0;
  // Current returns the valid record of entity |name| with the latest not_before, if any.
  virtual Result<std::optional<CertRecord>> Current(const std::string& name) = 0;
  virtual Result<std::vector<CertRecord>> List(const ListFilter& filter) = 0;
  // ByName returns every record of entity |name| (any status, in no particular order): List's answer for a name
  // alone, at a tenth of its cost (a device batch asks for each of its ids).
  virtual Result<std::vector<CertRecord>> ByName(const std::string& name) = 0;
  virtual Status SetStatus(const std::string& serial, CertStatus status, int64_t when, RevocationReason reason) = 0;
  // Revoked lists the certificates CA |ca| issued that are revoked and not expired before |now| (expired entries
  // may leave a CRL, RFC 5280 3.3), in no particular order.
  virtual Result<std::vector<RevokedEntry>> Revoked(const std::string& ca, int64_t now) = 0;
  virtual Result<std::optional<CrlState>> Crl(const std::string& ca) = 0;
  virtual Result<std::vector<CrlState>> Crls() = 0;
  virtual Status SaveCrl(const CrlState& state) = 0;
  virtual Result<size_t> Count() = 0;
  // SetDeferredSync(true) lets commits skip the fsync of the write-ahead log until Checkpoint (a crash may then
  // lose the last commits, never corrupt the database): for a caller whose own files say what to redo, as a
  // device archive does. Checkpoint makes everything committed durable.
  virtual Status SetDeferredSync(bool deferred) = 0;
  virtual Status Checkpoint() = 0;
};

// The inventory is locked while a command writes it; another waits for the lock StoreOptions::lock_timeout_s
// seconds (0: fail at once), then fails with kIo. The front end chooses it (the CLI: $MQTTPKI_LOCK_TIMEOUT).
inline constexpr int kDefaultLockTimeoutSeconds = 30;
inline constexpr int kMaxLockTimeoutSeconds = 86400;
// ParseLockTimeout reads a lock timeout given as text: whole seconds, 0 to kMaxLockTimeoutSeconds (kUsage
// otherwise, about Arg("lock_timeout")).
Result<int> ParseLockTimeout(std::string_view text);

// StoreOptions are the settings of the store a PKI's inventory opens, chosen by the front end (PkiDir carries
// them).
struct StoreOptions {
  int lock_timeout_s = kDefaultLockTimeoutSeconds;
};

// StoreAccess says how the database file is opened.
enum class StoreAccess {
  kReadWrite,  // created if needed (WAL mode)
  // Read-only, for a PKI directory that cannot be written (a read-only mount): nothing is created, not even the
  // WAL's -shm index; without a -wal file the database is read as immutable, as nothing can change it here.
  kReadOnly,
};

}  // namespace mqttpki

#endif  // MQTTPKI_STORE_H_

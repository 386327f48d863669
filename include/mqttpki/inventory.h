// The inventory kept in step with the files: a command's certificates are recorded in the store if and only if
// their files were written, even across a crash.
//
// Protocol: a PKI's first inventory is built in memory and written as one more file of the command's
// FileTransaction. Later, the command takes the database's write lock and inserts its rows (uncommitted), its
// FileTransaction stages a journal (pki/.pending/<id>.json) describing them ahead of every other file and commits,
// then the rows are committed and the journal removed. A crash after the files leaves the journal behind; the
// next command that opens the inventory applies it (idempotently, and only for certificate files that really are
// on disk), so nothing is lost and nothing is recorded that is not there.
#ifndef MQTTPKI_INVENTORY_H_
#define MQTTPKI_INVENTORY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mqttpki/fs.h"
#include "mqttpki/result.h"
#include "mqttpki/store.h"

namespace mqttpki {

class PkiDir;

inline constexpr const char* kInventoryFile = "inventory.db";
inline constexpr const char* kPendingDir = ".pending";

class Inventory {
 public:
  // Open opens PKI_DIR/inventory.db. With |create| false a missing database is not created (nullptr is returned):
  // commands check an existing inventory before they write anything, and create it only when they commit. A new
  // inventory in a PKI that already has certificates adopts them (a scan of NAME/certs/NAME.cert.pem). Pending
  // journals are applied.
  static Result<std::unique_ptr<Inventory>> Open(const PkiDir& pki, bool create, int64_t now);
  // OpenForReading is Open(pki, true, now) for commands that only read the inventory (list, show), except when
  // the PKI directory cannot be written (a read-only mount, a backup): then the database is opened read-only,
  // pending journals are left for the next command that can write (unapplied_journals() counts them), and a
  // missing inventory is an error saying why it cannot be created.
  static Result<std::unique_ptr<Inventory>> OpenForReading(const PkiDir& pki, int64_t now);

  Store& store() { return *store_; }
  // UnappliedJournals counts the crash journals that a read-only open could not apply: the certificates they
  // record are on disk but not yet in the store.
  size_t unapplied_journals() const { return unapplied_journals_; }
  // UnfinishedCommits counts, likewise, the killed commands whose files a read-only open could not put in place
  // (RecoverCommits).
  size_t unfinished_commits() const { return unfinished_commits_; }

 private:
  Inventory(std::unique_ptr<Store> store) : store_(std::move(store)) {}
  std::unique_ptr<Store> store_;
  size_t unapplied_journals_ = 0;
  size_t unfinished_commits_ = 0;
};

// CommitWithInventory commits |tx| and applies |change| to the inventory, under the protocol above. With an empty
// change it is tx.Commit(). Either way the commit is logged in PKI_DIR/.pending (FileTransaction::SetCommitLog), so
// that a crash between its renames is completed by the next command (Inventory::Open, or the next commit).
Status CommitWithInventory(const PkiDir& pki, FileTransaction& tx, const InventoryChange& change, int64_t now);

// StageJournal stages the journal of |change| in |tx|, ahead of every other file (the first half of
// CommitWithInventory for an existing inventory; Inventory::Open is the second).
// It returns the journal's path.
Result<std::string> StageJournal(const PkiDir& pki, FileTransaction& tx, const InventoryChange& change,
                                 int64_t now);

// ApplyChange applies |change| to |store| in one transaction, skipping inserts already present (idempotent).
Status ApplyChange(Store& store, const InventoryChange& change);
// ApplyChangeLocked is ApplyChange inside a transaction the caller began (and commits or rolls back).
Status ApplyChangeLocked(Store& store, const InventoryChange& change);

}  // namespace mqttpki

#endif  // MQTTPKI_INVENTORY_H_

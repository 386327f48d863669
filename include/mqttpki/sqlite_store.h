// The SQLite implementation of Store: the inventory as one file in the PKI directory. Nothing above the store
// layer sees an SQLite type; the inventory opens its store here, and a shared database will plug in beside it.
#ifndef MQTTPKI_SQLITE_STORE_H_
#define MQTTPKI_SQLITE_STORE_H_

#include <functional>
#include <memory>
#include <string>

#include "mqttpki/result.h"
#include "mqttpki/store.h"

namespace mqttpki {

// OpenSqliteStore opens the inventory database at |path|. A file that is not an mqttpki inventory is kInput with
// a message saying so. File system failures are kIo and name the system's reason ("No space left on device",
// "Read-only file system"). The -wal and -shm files that this open creates are removed again when the store is
// closed, if they are empty and no other connection (in any process) uses the database: a command that failed
// leaves nothing behind.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               StoreAccess access = StoreAccess::kReadWrite,
                                               const StoreOptions& options = {});

// BuildSqliteImage makes a new inventory in memory, filled by |fill|, and returns the bytes of its database file
// (in WAL mode), so that it can be written like any other file of a command: atomically, with the others.
Result<std::string> BuildSqliteImage(const std::function<Status(Store&)>& fill);

}  // namespace mqttpki

#endif  // MQTTPKI_SQLITE_STORE_H_

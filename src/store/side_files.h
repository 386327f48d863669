// SideFiles: the -wal and -shm files of an SQLite database that a failed open leaves behind, removed again.
#ifndef MQTTPKI_STORE_SIDE_FILES_H_
#define MQTTPKI_STORE_SIDE_FILES_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>

namespace mqttpki::sqlite {

// SideFiles removes the -wal and -shm files that opening a WAL database created, once the last connection of
// this process to it is closed, if SQLite left them behind (it does when the open failed half way, e.g. on a full
// disk: an empty -wal and a partial -shm) and nothing can need them: the -wal is empty and no connection in any
// process has the database open.
class SideFiles {
 public:
  // Before is called before the database is opened: it notes which side files exist, and counts the connection
  // from now on, so that no other connection of this process removes them while this one is being opened.
  void Before(const std::string& path);
  // Closed is called once the connection is closed (or its open failed).
  void Closed();

 private:
  void RemoveIfUnused() const;

  std::string path_;
  bool wal_existed_ = true, shm_existed_ = true;
  std::optional<std::pair<dev_t, ino_t>> key_;
};

}  // namespace mqttpki::sqlite

#endif  // MQTTPKI_STORE_SIDE_FILES_H_

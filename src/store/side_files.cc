#include "store/side_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <mutex>

namespace mqttpki::sqlite {

namespace {

std::mutex& Mutex() {
  static std::mutex m;
  return m;
}
std::map<std::pair<dev_t, ino_t>, int>& Counts() {
  static std::map<std::pair<dev_t, ino_t>, int> counts;
  return counts;
}
bool Exists(const std::string& p) {
  struct stat st;
  return ::lstat(p.c_str(), &st) == 0;
}
// EmptyFile says whether |p| is an empty regular file.
bool EmptyFile(const std::string& p) {
  struct stat st;
  return ::lstat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0;
}

}  // namespace

void SideFiles::Before(const std::string& path) {
  path_ = path;
  struct stat st;
  std::lock_guard<std::mutex> lock(Mutex());
  wal_existed_ = Exists(path + "-wal");
  shm_existed_ = Exists(path + "-shm");
  if (::stat(path_.c_str(), &st) != 0) return;  // a new file: nothing to clean up
  key_ = {st.st_dev, st.st_ino};
  ++Counts()[*key_];
}
void SideFiles::Closed() {
  if (!key_) return;
  std::lock_guard<std::mutex> lock(Mutex());
  auto it = Counts().find(*key_);
  key_.reset();
  if (it == Counts().end()) return;
  if (--it->second > 0) return;  // another connection of ours still uses them
  Counts().erase(it);
  // Still under the mutex: no connection of this process starts opening the database while its locks are
  // tested (POSIX locks do not tell this process's connections apart).
  RemoveIfUnused();
}

void SideFiles::RemoveIfUnused() const {
  std::string wal = path_ + "-wal", shm = path_ + "-shm";
  bool wal_now = Exists(wal);
  bool remove_wal = wal_now && !wal_existed_;
  bool remove_shm = !shm_existed_ && Exists(shm);
  if (!remove_wal && !remove_shm) return;
  if (wal_now && !EmptyFile(wal)) return;  // it holds transactions: SQLite recovers them on the next open
  int fd = ::open(path_.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return;
  // Every connection to a WAL database holds SQLite's SHARED lock on it (a read lock on the bytes
  // [PENDING_BYTE + 2, + 510)) for as long as it is open, and takes it before it opens the -wal and -shm. So a
  // write lock on that range is granted only when no connection anywhere has the database open, and while it
  // is held none can start using the files.
  constexpr off_t kPendingByte = 0x40000000;
  struct flock fl = {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = kPendingByte + 2;
  fl.l_len = 510;
  if (::fcntl(fd, F_SETLK, &fl) == 0) {
    if (remove_wal && EmptyFile(wal)) ::unlink(wal.c_str());
    if (remove_shm && (!Exists(wal) || EmptyFile(wal))) ::unlink(shm.c_str());
  }
  ::close(fd);  // releases the lock
}

}  // namespace mqttpki::sqlite

// The ustar archive format, as much of it as a device batch writes and reads back: regular files and
// directories, names up to 100 characters with a 155-character prefix.
#ifndef MQTTPKI_PKI_TAR_H_
#define MQTTPKI_PKI_TAR_H_

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

namespace mqttpki::tar {

inline constexpr size_t kBlock = 512;

// Buffer is a growable byte buffer whose storage is aligned for direct I/O (O_DIRECT wants the memory aligned
// as well as the file offsets and lengths, which whole tar blocks are).
class Buffer {
 public:
  static constexpr size_t kAlign = 4096;
  const char* data() const { return p_.get(); }
  char* data() { return p_.get(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {p_.get(), size_}; }
  void clear() { size_ = 0; }
  void reserve(size_t n);
  // Grow adds |n| bytes at the end (zeroed) and returns where they start.
  char* Grow(size_t n);
  void append(std::string_view s);

 private:
  struct Free {
    void operator()(char* p) const { std::free(p); }
  };
  std::unique_ptr<char, Free> p_;
  size_t size_ = 0, cap_ = 0;
};

// AppendHeader appends the header of |path| (a file of |size| bytes, or a directory when |dir|).
// Paths longer than 100 characters are split at a '/' into prefix and name; false when that cannot be done.
bool AppendHeader(Buffer& out, std::string_view path, uint64_t size, unsigned mode, int64_t mtime, bool dir);
// AppendFile appends header, |data| (then |more|: a file in two pieces) and the padding to a whole block.
bool AppendFile(Buffer& out, std::string_view path, std::string_view data, unsigned mode, int64_t mtime,
                std::string_view more = {});
// AppendPadding pads |size| bytes of data to a whole block.
void AppendPadding(Buffer& out, uint64_t size);
// The archive ends with two zero blocks.
void AppendEnd(Buffer& out);

// Entry is one parsed header.
struct Entry {
  std::string path;
  uint64_t size = 0;
  bool dir = false;
};
// ParseHeader reads the header block |block| (kBlock bytes). It returns false for a zero block (the end), a
// block whose checksum is wrong, or one that is not ustar.
bool ParseHeader(std::string_view block, Entry& entry);
// PaddedSize is |size| rounded up to whole blocks.
inline uint64_t PaddedSize(uint64_t size) { return (size + kBlock - 1) / kBlock * kBlock; }

}  // namespace mqttpki::tar

#endif  // MQTTPKI_PKI_TAR_H_

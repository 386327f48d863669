// The ustar archive format, as much of it as a device batch writes and reads back: regular files and
// directories, names up to 100 characters with a 155-character prefix.
#ifndef MQTTPKI_PKI_TAR_H_
#define MQTTPKI_PKI_TAR_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace mqttpki::tar {

inline constexpr size_t kBlock = 512;

// AppendHeader appends the header of |path| (a file of |size| bytes, or a directory when |dir|).
// Paths longer than 100 characters are split at a '/' into prefix and name; false when that cannot be done.
bool AppendHeader(std::string& out, std::string_view path, uint64_t size, unsigned mode, int64_t mtime, bool dir);
// AppendFile appends header, |data| and the padding to a whole block.
bool AppendFile(std::string& out, std::string_view path, std::string_view data, unsigned mode, int64_t mtime);
// AppendPadding pads |size| bytes of data to a whole block.
void AppendPadding(std::string& out, uint64_t size);
// The archive ends with two zero blocks.
void AppendEnd(std::string& out);

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

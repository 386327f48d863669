#include "pki/tar.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <new>

namespace mqttpki::tar {

namespace {

// Octal writes |v| as a NUL-terminated octal field of |width| bytes.
void Octal(char* field, size_t width, uint64_t v) {
  field[width - 1] = '\0';
  for (size_t i = width - 1; i-- > 0;) {
    field[i] = static_cast<char>('0' + (v & 7));
    v >>= 3;
  }
}

uint64_t ParseOctal(const char* field, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width && field[i] != '\0' && field[i] != ' '; ++i) {
    if (field[i] < '0' || field[i] > '7') return UINT64_MAX;
    v = (v << 3) | static_cast<uint64_t>(field[i] - '0');
  }
  return v;
}

}  // namespace

void Buffer::reserve(size_t n) {
  if (n <= cap_) return;
  size_t cap = (std::max(n, 2 * cap_) + kAlign - 1) / kAlign * kAlign;
  void* p = nullptr;
  if (::posix_memalign(&p, kAlign, cap) != 0) throw std::bad_alloc();
  if (size_ > 0) memcpy(p, p_.get(), size_);
  p_.reset(static_cast<char*>(p));
  cap_ = cap;
}

char* Buffer::Grow(size_t n) {
  reserve(size_ + n);
  char* at = p_.get() + size_;
  memset(at, 0, n);
  size_ += n;
  return at;
}

void Buffer::append(std::string_view s) {
  if (s.empty()) return;
  reserve(size_ + s.size());
  memcpy(p_.get() + size_, s.data(), s.size());
  size_ += s.size();
}

bool AppendHeader(Buffer& out, std::string_view path, uint64_t size, unsigned mode, int64_t mtime, bool dir) {
  std::string_view prefix, name = path;
  if (name.size() > 100) {
    size_t cut = path.rfind('/', 155);
    if (cut == std::string_view::npos || path.size() - cut - 1 > 100 || cut == 0) return false;
    prefix = path.substr(0, cut);
    name = path.substr(cut + 1);
  }
  char* h = out.Grow(kBlock);
  memcpy(h, name.data(), name.size());
  Octal(h + 100, 8, mode & 07777);
  Octal(h + 108, 8, 0);  // uid
  Octal(h + 116, 8, 0);  // gid
  Octal(h + 124, 12, dir ? 0 : size);
  Octal(h + 136, 12, static_cast<uint64_t>(mtime < 0 ? 0 : mtime));
  memset(h + 148, ' ', 8);  // the checksum counts its own field as spaces
  h[156] = dir ? '5' : '0';
  memcpy(h + 257, "ustar\0" "00", 8);
  if (!prefix.empty()) memcpy(h + 345, prefix.data(), prefix.size());  // (an empty view's data() may be null)
  // The checksum sums every byte of the header; only the name, the fields 100-157, the magic and the prefix can
  // be other than zero.
  auto sum_of = [h](size_t from, size_t to) {
    unsigned sum = 0;
    for (size_t i = from; i < to; ++i) sum += static_cast<unsigned char>(h[i]);
    return sum;
  };
  unsigned sum = sum_of(0, name.size()) + sum_of(100, 157) + sum_of(257, 265) + sum_of(345, 345 + prefix.size());
  Octal(h + 148, 7, sum);
  h[155] = ' ';
  return true;
}

void AppendPadding(Buffer& out, uint64_t size) { out.Grow(static_cast<size_t>(PaddedSize(size) - size)); }

bool AppendFile(Buffer& out, std::string_view path, std::string_view data, unsigned mode, int64_t mtime,
                std::string_view more) {
  size_t size = data.size() + more.size();
  if (!AppendHeader(out, path, size, mode, mtime, false)) return false;
  out.append(data);
  out.append(more);
  AppendPadding(out, size);
  return true;
}

void AppendEnd(Buffer& out) { out.Grow(2 * kBlock); }

bool ParseHeader(std::string_view block, Entry& entry) {
  if (block.size() < kBlock) return false;
  const char* h = block.data();
  unsigned sum = 0;
  bool zero = true;
  for (size_t i = 0; i < kBlock; ++i) {
    unsigned char c = static_cast<unsigned char>(h[i]);
    if (c != 0) zero = false;
    sum += (i >= 148 && i < 156) ? ' ' : c;
  }
  if (zero || memcmp(h + 257, "ustar", 5) != 0) return false;
  if (ParseOctal(h + 148, 8) != sum) return false;
  entry.size = ParseOctal(h + 124, 12);
  if (entry.size == UINT64_MAX) return false;
  entry.dir = h[156] == '5';
  std::string name(h, strnlen(h, 100));
  std::string prefix(h + 345, strnlen(h + 345, 155));
  entry.path = prefix.empty() ? name : prefix + "/" + name;
  return true;
}

}  // namespace mqttpki::tar

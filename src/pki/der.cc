#include "pki/der.h"

#include <cstring>

namespace mqttpki::der {

void AppendExtension(std::string& out, std::string_view oid_der, std::string_view value, bool critical) {
  std::string ext(oid_der);
  if (critical) Append(ext, kBoolean, std::string_view("\xff", 1));
  Append(ext, kOctetString, value);
  Append(out, kSequence, ext);
}

bool Read(std::string_view& in, uint8_t& tag, std::string_view& content) {
  if (in.size() < 2) return false;
  size_t len = static_cast<uint8_t>(in[1]);
  size_t pos = 2;
  if (len & 0x80) {
    size_t n = len & 0x7f;
    if (n == 0 || n > 4 || in.size() < 2 + n) return false;  // indefinite, or more than we ever read
    len = 0;
    for (size_t i = 0; i < n; ++i) len = (len << 8) | static_cast<uint8_t>(in[2 + i]);
    if (len < 0x80 || LengthSize(len) != 1 + n) return false;  // DER: the shortest form only
    pos += n;
  }
  if (in.size() - pos < len) return false;
  tag = static_cast<uint8_t>(in[0]);
  content = in.substr(pos, len);
  in.remove_prefix(pos + len);
  return true;
}

bool SubjectPublicKeyBits(std::string_view spki, std::string_view& bits) {
  uint8_t tag = 0;
  std::string_view seq, alg, bit;
  if (!Read(spki, tag, seq) || tag != kSequence || !spki.empty()) return false;
  if (!Read(seq, tag, alg) || tag != kSequence) return false;
  if (!Read(seq, tag, bit) || tag != kBitString || bit.empty() || bit[0] != 0 || !seq.empty()) return false;
  bits = bit.substr(1);
  return true;
}

}  // namespace mqttpki::der

namespace mqttpki {

namespace {

using der::Put;

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

std::string PemEncode(std::string_view data, const char* label) {
  static constexpr std::string_view kBegin = "-----BEGIN ", kEnd = "-----END ", kDashes = "-----\n";
  size_t label_len = strlen(label);
  size_t n = data.size();
  size_t b64 = (n + 2) / 3 * 4;
  size_t lines = (b64 + 63) / 64;
  std::string out(kBegin.size() + kEnd.size() + 2 * (label_len + kDashes.size()) + b64 + lines, '\0');
  char* o = out.data();
  o = Put(o, kBegin);
  o = Put(o, {label, label_len});
  o = Put(o, kDashes);
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  auto quad = [&o](uint32_t v) {
    o[0] = kBase64[v >> 18];
    o[1] = kBase64[(v >> 12) & 63];
    o[2] = kBase64[(v >> 6) & 63];
    o[3] = kBase64[v & 63];
    o += 4;
  };
  size_t i = 0;
  for (; n - i >= 48; i += 48) {  // whole lines: 48 bytes, 64 characters
    for (size_t k = i; k < i + 48; k += 3) quad((uint32_t{p[k]} << 16) | (uint32_t{p[k + 1]} << 8) | p[k + 2]);
    *o++ = '\n';
  }
  if (i < n) {
    for (; n - i >= 3; i += 3) quad((uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8) | p[i + 2]);
    if (i < n) {
      uint32_t v = uint32_t{p[i]} << 16;
      if (i + 1 < n) v |= uint32_t{p[i + 1]} << 8;
      quad(v);
      o[-1] = '=';
      if (i + 1 == n) o[-2] = '=';
    }
    *o++ = '\n';
  }
  o = Put(o, kEnd);
  o = Put(o, {label, label_len});
  Put(o, kDashes);
  return out;
}

}  // namespace mqttpki

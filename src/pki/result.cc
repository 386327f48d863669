#include "mqttpki/result.h"

namespace mqttpki {

Error Error::Context(const std::string& what) const {
  Error e = *this;
  e.message = what + ": " + message;
  return e;
}

Error MakeError(ErrorCode code, std::string message) {
  Error e;
  e.code = code;
  e.message = std::move(message);
  return e;
}

std::string Printable(std::string_view text, bool escape_backslash) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    // A well-formed multi-byte UTF-8 sequence passes unchanged.
    size_t n = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 1;
    bool utf8 = n > 1 && i + n <= text.size();
    for (size_t k = 1; utf8 && k < n; ++k) utf8 = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
    // C1 controls (U+0080-U+009F; U+009B starts an escape sequence on some terminals) are escaped too.
    if (utf8 && c == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0) utf8 = false;
    if (utf8) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    if (c == '\\' && escape_backslash) {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
    ++i;
  }
  return out;
}

int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kRejected: return 1;
    case ErrorCode::kUsage: return 2;
    case ErrorCode::kInput:
    case ErrorCode::kExists:
    case ErrorCode::kIo:
    case ErrorCode::kInternal: return 3;
  }
  return 3;
}

}  // namespace mqttpki

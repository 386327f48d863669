#include "mqttpki/result.h"

namespace mqttpki {

Error Error::Context(const std::string& what) const {
  Error e = *this;
  e.message = what + ": " + message;
  return e;
}

namespace {

// A reference is kRefStart, a kind letter, the text, kRefEnd: control characters, which Printable escapes in
// any text a message quotes, so that quoted input cannot pass for a reference.
constexpr char kRefStart = '\x01';
constexpr char kRefEnd = '\x02';
constexpr char kArgKind = 'a';
constexpr char kOpKind = 'o';

std::string Ref(char kind, std::string_view text) {
  std::string out;
  out.reserve(text.size() + 3);
  out.push_back(kRefStart);
  out.push_back(kind);
  out.append(text);
  out.push_back(kRefEnd);
  return out;
}

}  // namespace

std::string Arg(std::string_view name) { return Ref(kArgKind, name); }
std::string Op(std::string_view command) { return Ref(kOpKind, command); }

Error Error::WithFile(std::string path) const {
  Error e = *this;
  e.file = std::move(path);
  return e;
}

Error Error::WithCertificate(std::string name_or_serial) const {
  Error e = *this;
  e.certificate = std::move(name_or_serial);
  return e;
}

std::string RenderReferences(std::string_view message, const std::function<std::string(std::string_view)>& arg,
                             const std::function<std::string(std::string_view)>& op) {
  std::string out;
  out.reserve(message.size());
  size_t i = 0;
  while (i < message.size()) {
    size_t start = message.find(kRefStart, i);
    size_t end = start == std::string::npos ? std::string::npos : message.find(kRefEnd, start);
    if (end == std::string::npos || end < start + 2) {
      out.append(message, i, std::string::npos);
      break;
    }
    out.append(message, i, start - i);
    std::string_view text = message.substr(start + 2, end - start - 2);
    char kind = message[start + 1];
    if (kind == kArgKind) {
      out += arg(text);
    } else if (kind == kOpKind) {
      out += op(text);
    } else {
      out.append(message, start, end + 1 - start);  // not a reference: left for the caller's escaping
    }
    i = end + 1;
  }
  return out;
}

Error MakeError(ErrorCode code, std::string message) {
  Error e;
  e.code = code;
  e.message = std::move(message);
  size_t start = e.message.find(std::string{kRefStart, kArgKind});
  size_t end = start == std::string::npos ? std::string::npos : e.message.find(kRefEnd, start);
  if (end != std::string::npos) e.argument = e.message.substr(start + 2, end - start - 2);
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

}  // namespace mqttpki

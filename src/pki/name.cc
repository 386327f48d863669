#include "mqttpki/name.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace mqttpki {

Status DistinguishedName::Validate() const {
  if (!country.empty()) {
    if (country.size() != 2 || !std::isalpha(static_cast<unsigned char>(country[0])) ||
        !std::isalpha(static_cast<unsigned char>(country[1]))) {
      return MakeError(ErrorCode::kUsage,
                       "invalid country '" + Printable(country) + "': use a two-letter code such as DE");
    }
  }
  struct Field {
    const char* name;
    const std::string* value;
  };
  for (const Field& f : {Field{"organization", &organization}, Field{"organizational unit", &org_unit},
                         Field{"common name", &common_name}}) {
    if (f.value->size() > 64) {
      return MakeError(ErrorCode::kUsage,
                       std::string(f.name) + " '" + Printable(*f.value) + "' is longer than 64 characters");
    }
    for (char c : *f.value) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        return MakeError(ErrorCode::kUsage, std::string(f.name) + " contains a control character");
      }
    }
  }
  return Status::Ok();
}

std::string DistinguishedName::ToString() const {
  std::string out;
  auto add = [&out](const char* key, const std::string& v) {
    if (v.empty()) return;
    if (!out.empty()) out += ", ";
    out += key;
    out += "=";
    out += v;
  };
  add("C", country);
  add("O", organization);
  add("OU", org_unit);
  add("CN", common_name);
  return out;
}

std::string SubjectAltName::ToString() const {
  std::string out;
  AppendTo(out);
  return out;
}

void SubjectAltName::AppendTo(std::string& out) const {
  out.append(kind == Kind::kDns ? "DNS:" : "IP:").append(value);
}

namespace {

bool ParseIp(std::string_view text, std::string* canonical) {
  // inet_pton reads a C string: a NUL would hide whatever follows it.
  if (text.find('\0') != std::string_view::npos) return false;
  std::string s(text);
  unsigned char buf[16];
  char out[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) {
    if (canonical != nullptr) *canonical = inet_ntop(AF_INET, buf, out, sizeof(out));
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) {
    if (canonical != nullptr) *canonical = inet_ntop(AF_INET6, buf, out, sizeof(out));
    return true;
  }
  return false;
}

Error BadSan(std::string_view text, const std::string& why) {
  return MakeError(ErrorCode::kUsage, "invalid " + Arg("san") + " '" + Printable(text) + "': " + why);
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

Result<SubjectAltName> ParseDns(std::string_view original, std::string_view name) {
  if (name.empty()) return BadSan(original, "empty name");
  if (name.size() > 253) return BadSan(original, "a DNS name is at most 253 characters");
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.back() == '.') return BadSan(original, "a DNS name must not end with a dot");
  std::string_view rest = lower;
  bool wildcard = false;
  if (rest.substr(0, 2) == "*.") {
    wildcard = true;
    rest.remove_prefix(2);
  }
  bool all_numeric = true;
  size_t labels = 0;
  size_t start = 0;
  while (start <= rest.size()) {
    size_t dot = rest.find('.', start);
    if (dot == std::string_view::npos) dot = rest.size();
    std::string_view label = rest.substr(start, dot - start);
    if (label.empty()) return BadSan(original, "empty label (two dots in a row, or a leading dot)");
    if (label.size() > 63) return BadSan(original, "a DNS label is at most 63 characters");
    for (char c : label) {
      if (c == ' ') return BadSan(original, "a DNS name cannot contain spaces");
      if (c == '*') return BadSan(original, "a wildcard is allowed only as the whole leftmost label (*.example.com)");
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) {
        return BadSan(original, "a DNS name cannot contain '" + Printable(std::string_view(&c, 1)) + "'");
      }
      if (!std::isdigit(static_cast<unsigned char>(c))) all_numeric = false;
    }
    if (label.front() == '-' || label.back() == '-') {
      return BadSan(original, "a DNS label cannot start or end with a hyphen");
    }
    ++labels;
    start = dot + 1;
  }
  if (all_numeric && !wildcard) {
    return BadSan(original, labels == 4 ? "not a valid IPv4 address (each part must be 0-255)"
                                        : "a name made only of digits is not a valid host name or IP address");
  }
  if (wildcard && labels < 2) return BadSan(original, "a wildcard needs at least two labels after it (*.example.com)");
  return SubjectAltName{SubjectAltName::Kind::kDns, lower};
}

}  // namespace

bool IsIpAddress(std::string_view text) { return ParseIp(text, nullptr); }

Result<SubjectAltName> ParseSan(std::string_view text) {
  if (StartsWithNoCase(text, "IP:")) {
    std::string canonical;
    if (!ParseIp(text.substr(3), &canonical)) return BadSan(text, "not a valid IPv4 or IPv6 address");
    return SubjectAltName{SubjectAltName::Kind::kIp, canonical};
  }
  if (StartsWithNoCase(text, "DNS:")) return ParseDns(text, text.substr(4));
  std::string canonical;
  if (ParseIp(text, &canonical)) return SubjectAltName{SubjectAltName::Kind::kIp, canonical};
  if (text.find(':') != std::string_view::npos) {
    return BadSan(text, "not a valid IPv6 address (use DNS: or IP: to say which it is)");
  }
  return ParseDns(text, text);
}

void AddUnique(std::vector<SubjectAltName>& sans, const SubjectAltName& san) {
  if (std::find(sans.begin(), sans.end(), san) == sans.end()) sans.push_back(san);
}

void AddCommonName(std::vector<SubjectAltName>& sans, const std::string& common_name) {
  Result<SubjectAltName> cn = ParseSan(common_name);
  if (cn.ok() && std::find(sans.begin(), sans.end(), *cn) == sans.end()) sans.insert(sans.begin(), *cn);
}

std::vector<SubjectAltName> CanonicalSans(const std::vector<SubjectAltName>& sans) {
  std::vector<SubjectAltName> out;
  out.reserve(sans.size());
  for (const SubjectAltName& s : sans) {
    Result<SubjectAltName> canonical = ParseSan(s.ToString());
    AddUnique(out, canonical.ok() ? *canonical : s);
  }
  return out;
}

LeafNames CanonicalLeafNames(const std::string& common_name, const std::vector<SubjectAltName>& sans,
                             const std::string& fallback) {
  LeafNames out;
  out.sans = CanonicalSans(sans);
  out.common_name = common_name;
  if (out.common_name.empty()) {
    out.common_name = fallback;
    for (const SubjectAltName& s : out.sans) {
      if (s.value.size() <= 64) {
        out.common_name = s.value;
        break;
      }
    }
  }
  AddCommonName(out.sans, out.common_name);
  return out;
}

}  // namespace mqttpki

// The DER module: a minimal writer and reader for the structures we encode in bulk (CRLs, device certificates,
// PKCS#8 keys), and their PEM armour. Appending tag-length-value triples to a std::string is an order of magnitude
// faster than building OpenSSL's ASN.1 objects and encoding them; OpenSSL still parses everything we write in the
// tests (der_test.cc), and the openssl CLI and certtool judge the files.
#ifndef MQTTPKI_PKI_DER_H_
#define MQTTPKI_PKI_DER_H_

#include <cstdint>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>

namespace mqttpki::der {

inline constexpr uint8_t kBoolean = 0x01;
inline constexpr uint8_t kInteger = 0x02;
inline constexpr uint8_t kBitString = 0x03;
inline constexpr uint8_t kOctetString = 0x04;
inline constexpr uint8_t kEnumerated = 0x0a;
inline constexpr uint8_t kUtcTime = 0x17;
inline constexpr uint8_t kGeneralizedTime = 0x18;
inline constexpr uint8_t kSequence = 0x30;

// LengthSize is the number of octets of the definite-length DER length |len|.
inline size_t LengthSize(size_t len) {
  size_t n = 1;
  if (len >= 0x80) {
    for (size_t v = len; v > 0; v >>= 8) ++n;
  }
  return n;
}

// TlvSize is the size of a TLV with |len| octets of content.
inline size_t TlvSize(size_t len) { return 1 + LengthSize(len) + len; }

// PutLength writes the DER length |len| at |p| (LengthSize(len) octets) and returns its end.
inline char* PutLength(char* p, size_t len) {
  size_t n = LengthSize(len);
  if (n == 1) {
    *p = static_cast<char>(len);
    return p + 1;
  }
  *p = static_cast<char>(0x80 | (n - 1));
  for (size_t i = n - 1; i >= 1; --i, len >>= 8) p[i] = static_cast<char>(len & 0xff);
  return p + n;
}

// PutHeader writes the tag and length of a TLV with |len| octets of content at |p| and returns its end: for
// encoders that compute every size first and write once into a buffer of the right size.
inline char* PutHeader(char* p, uint8_t tag, size_t len) {
  *p++ = static_cast<char>(tag);
  return PutLength(p, len);
}

// AppendLength appends a definite-length DER length.
inline void AppendLength(std::string& out, size_t len) {
  char buf[1 + sizeof(size_t)];
  out.append(buf, static_cast<size_t>(PutLength(buf, len) - buf));
}

// Append appends tag, length and |content|.
inline void Append(std::string& out, uint8_t tag, std::string_view content) {
  out.push_back(static_cast<char>(tag));
  AppendLength(out, content.size());
  out.append(content);
}

// Wrap returns |content| as one TLV.
inline std::string Wrap(uint8_t tag, std::string_view content) {
  std::string out;
  out.reserve(content.size() + 6);
  Append(out, tag, content);
  return out;
}

// Put copies |s| to |p| and returns its end (for PutHeader's encoders).
inline char* Put(char* p, std::string_view s) {
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

// AppendUnsigned appends a non-negative INTEGER (or ENUMERATED) whose big-endian magnitude is |bytes|.
inline void AppendUnsigned(std::string& out, uint8_t tag, std::string_view bytes) {
  while (bytes.size() > 1 && bytes[0] == 0) bytes.remove_prefix(1);
  bool pad = bytes.empty() || (static_cast<uint8_t>(bytes[0]) & 0x80) != 0;
  out.push_back(static_cast<char>(tag));
  AppendLength(out, bytes.size() + (pad ? 1 : 0));
  if (pad) out.push_back('\0');
  out.append(bytes);
}

inline void AppendUnsigned(std::string& out, uint8_t tag, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i, v >>= 8) buf[i] = static_cast<char>(v & 0xff);
  AppendUnsigned(out, tag, std::string_view(buf, 8));
}

// AppendTime appends |t| as UTCTime before 2050 and GeneralizedTime from then on (RFC 5280 4.1.2.5).
inline void AppendTime(std::string& out, int64_t t) {
  time_t tt = static_cast<time_t>(t);
  struct tm tm = {};
  gmtime_r(&tt, &tm);
  int year = tm.tm_year + 1900;
  char buf[16];
  int n = 0;
  auto two = [&buf, &n](int v) {
    buf[n++] = static_cast<char>('0' + v / 10 % 10);
    buf[n++] = static_cast<char>('0' + v % 10);
  };
  bool utc = year < 2050;
  if (!utc) two(year / 100);
  two(year % 100);
  two(tm.tm_mon + 1);
  two(tm.tm_mday);
  two(tm.tm_hour);
  two(tm.tm_min);
  two(tm.tm_sec);
  buf[n++] = 'Z';
  Append(out, utc ? kUtcTime : kGeneralizedTime, std::string_view(buf, static_cast<size_t>(n)));
}

// AppendExtension appends one X.509 extension: SEQUENCE { |oid_der|, [critical TRUE,] OCTET STRING { |value| } }.
void AppendExtension(std::string& out, std::string_view oid_der, std::string_view value, bool critical = false);

// Read takes the DER TLV at the start of |in|: its tag and contents, and moves |in| past it. False (|in|
// unchanged) when |in| does not start with one: too short, an indefinite or non-minimal length, or a length
// beyond the input. Single-octet tags only (all our structures use them).
bool Read(std::string_view& in, uint8_t& tag, std::string_view& content);

// SubjectPublicKeyBits is the subjectPublicKey BIT STRING's bytes (after the unused-bits octet, which must be 0)
// of a DER SubjectPublicKeyInfo.
bool SubjectPublicKeyBits(std::string_view spki, std::string_view& bits);

}  // namespace mqttpki::der

namespace mqttpki {

// PemEncode wraps |der| as PEM with 64-character lines under |label| ("CERTIFICATE", "PRIVATE KEY", "X509 CRL"),
// byte for byte as OpenSSL's PEM writer does.
std::string PemEncode(std::string_view der, const char* label);

}  // namespace mqttpki

#endif  // MQTTPKI_PKI_DER_H_

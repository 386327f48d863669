// Subject names and subject alternative names.
#ifndef MQTTPKI_NAME_H_
#define MQTTPKI_NAME_H_

#include <string>
#include <string_view>
#include <vector>

#include "mqttpki/result.h"

namespace mqttpki {

// DistinguishedName is the subject of a certificate we issue: C, O, OU, CN (each optional, written in that
// order, as the tutorial's "/C=DE/O=My IoT Cloud/OU=PKI/CN=My IoT Cloud Root CA").
struct DistinguishedName {
  std::string country;       // C: two letters
  std::string organization;  // O
  std::string org_unit;      // OU
  std::string common_name;   // CN

  // Validate checks lengths and the country code (kUsage error naming the field).
  Status Validate() const;
  // ToString is the one-line form "C=DE, O=My IoT Cloud, OU=PKI, CN=My IoT Cloud Root CA".
  std::string ToString() const;
};

// SubjectAltName is one DNS name or IP address.
struct SubjectAltName {
  enum class Kind { kDns, kIp };
  Kind kind = Kind::kDns;
  std::string value;  // DNS: lower-cased; IP: canonical text form

  std::string ToString() const;  // "DNS:mqtt.example.com", "IP:10.0.0.5"
  void AppendTo(std::string& out) const;  // appends ToString() (no temporary: a device batch's hot path)
  bool operator==(const SubjectAltName& other) const { return kind == other.kind && value == other.value; }
};

// ParseSan reads a --san value: "DNS:name", "IP:addr", or a bare name or address (an address when it parses as
// IPv4 or IPv6). DNS names: letters, digits, hyphens, underscores (seen in internal names) and dots, labels of 1-63 characters, at most 253 in all,
// a leading "*." wildcard allowed. A name made only of digits and dots is taken as an IPv4 address, so
// "300.1.1.1" is refused rather than accepted as a host name. Errors are kUsage and quote the value.
Result<SubjectAltName> ParseSan(std::string_view text);

// IsIpAddress says whether |text| is an IPv4 or IPv6 address.
bool IsIpAddress(std::string_view text);

// AddUnique appends |san| to |sans| unless it is already there.
void AddUnique(std::vector<SubjectAltName>& sans, const SubjectAltName& san);

// AddCommonName puts a CN that is itself a DNS name or an address among |sans|: first when missing, left where it
// is when listed, since TLS clients match SANs only (RFC 6125). Any other CN (a person, a device label) changes
// nothing.
void AddCommonName(std::vector<SubjectAltName>& sans, const std::string& common_name);

// CanonicalSans is |sans| in canonical form (DNS lower-cased, addresses in their text form), each once, in order.
std::vector<SubjectAltName> CanonicalSans(const std::vector<SubjectAltName>& sans);

// LeafNames is a leaf certificate's CN and SAN list, worked out once where the names enter (the command line, a
// CSR, a device list) and used as they are by everything after: the CSR written, the certificate, the inventory.
struct LeafNames {
  std::string common_name;
  std::vector<SubjectAltName> sans;
};
// CanonicalLeafNames: the SANs canonical and each once; the CN |common_name|, or when empty the first SAN that fits
// in a CN (64 characters), else |fallback| (the entity's name); and the CN among the SANs (AddCommonName).
LeafNames CanonicalLeafNames(const std::string& common_name, const std::vector<SubjectAltName>& sans,
                             const std::string& fallback);

}  // namespace mqttpki

#endif  // MQTTPKI_NAME_H_

// Chain verification as a device would do it, with a reason a person can act on when it fails.
#ifndef MQTTPKI_VERIFY_H_
#define MQTTPKI_VERIFY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "mqttpki/certificate.h"
#include "mqttpki/result.h"

namespace mqttpki {

enum class Purpose { kServer, kClient };

struct VerifyOptions {
  std::vector<Certificate> trusted;    // the bundle: trust anchors (and, with --with-intermediate, intermediates)
  std::vector<Certificate> untrusted;  // extra intermediates (as openssl verify -untrusted)
  std::string host;                    // DNS name or IP address to match; empty: no name check
  Purpose purpose = Purpose::kServer;
  int64_t now = 0;                     // seconds since the epoch
  std::string file_name = "the file";  // how to name the chain in reasons
  std::string bundle_name = "the bundle";
};

// VerifyReport is the verdict. |reason| starts with one of: "wrong order", "missing intermediate",
// "name mismatch", "expired", "not yet valid", "not a server certificate", "not a client certificate",
// "untrusted", "bad signature", "invalid".
struct VerifyReport {
  bool ok = false;
  std::string reason;
  std::vector<Certificate> path;  // the verified path, leaf first, anchor last (when ok)
};

// VerifyChain checks |chain| (leaf first, as a broker sends it) against |options| the way a strict TLS client
// does (RFC 5280 path validation with OpenSSL's X509_V_FLAG_X509_STRICT, purpose, host name), and also checks
// what OpenSSL forgives but devices do not: the order of the chain and a CA certificate used as a leaf.
// An Error is returned only when the check itself could not run.
Result<VerifyReport> VerifyChain(const std::vector<Certificate>& chain, const VerifyOptions& options);

}  // namespace mqttpki

#endif  // MQTTPKI_VERIFY_H_

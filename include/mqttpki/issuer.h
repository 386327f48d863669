// Issuing certificates under the profiles of DESIGN.md. Extensions are built directly (never from config text)
// and never copied from a CSR: the profile alone decides them.
#ifndef MQTTPKI_ISSUER_H_
#define MQTTPKI_ISSUER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mqttpki/certificate.h"
#include "mqttpki/key.h"
#include "mqttpki/name.h"
#include "mqttpki/result.h"
#include "mqttpki/signer.h"

namespace mqttpki {

// Profile is the role of a certificate.
//            basicConstraints        keyUsage (critical)                   EKU         validity
//   root     critical CA:TRUE        keyCertSign, cRLSign                  -           3650 d
//   inter.   critical CA:TRUE, pl:0  keyCertSign, cRLSign                  -           1825 d
//   server   CA:FALSE                digitalSignature (+keyEncipherment    serverAuth  365 d
//                                    for RSA keys)
//   client   CA:FALSE                digitalSignature                      clientAuth  365 d
// All carry a subjectKeyIdentifier (SHA-1 of the key); all but the root an authorityKeyIdentifier (keyid).
enum class Profile { kRoot, kIntermediate, kServer, kClient };

std::string ProfileName(Profile profile);
// ProfileOf classifies an existing certificate (adopted or imported): a self-signed CA is the root, another CA an
// intermediate, a leaf with only clientAuth a client, any other leaf (serverAuth, or no EKU at all) a server.
Profile ProfileOf(const Certificate& cert);
int DefaultDays(Profile profile);
// ValidityDays is |days| when it is positive (given), else the profile's default.
inline int ValidityDays(int days, Profile profile) { return days > 0 ? days : DefaultDays(profile); }
// CaIssuesFor says what a CA certificate is limited to by its extendedKeyUsage: kServer (serverAuth only),
// kClient (clientAuth only), or nothing (no EKU: any leaf).
std::optional<Profile> CaIssuesFor(const Certificate& ca);
// CheckCaMayIssue refuses a |leaf| profile that CA |ca|'s extendedKeyUsage does not allow.
Status CheckCaMayIssue(const Certificate& ca, Profile leaf);

// KeyUsage bits (RFC 5280 4.2.1.3), as ProfileExtensions lists them.
enum KeyUsageBit : unsigned { kDigitalSignature = 0, kKeyEncipherment = 2, kKeyCertSign = 5, kCrlSign = 6 };

// ProfileExtensions is what a profile (the table above) puts in basicConstraints, keyUsage and
// extendedKeyUsage: the one definition that Issue encodes through OpenSSL and the device batch in DER.
struct ProfileExtensions {
  bool ca = false;
  std::optional<int> path_len;              // an intermediate's 0; a root has none
  bool basic_constraints_critical = false;  // a CA's (RFC 5280 4.2.1.9); a leaf's is not, as the tutorial has it
  std::vector<unsigned> key_usage;          // KeyUsageBit values, ascending; keyUsage is always critical
  // serverAuth or clientAuth: a leaf's purpose, or what an intermediate is limited to. Never critical: small
  // device TLS stacks reject critical extensions they do not know.
  std::optional<Profile> eku;
};
// ExtensionsOf is the definition for |profile|; |ca_for| is an intermediate's limit, |rsa_key| whether the
// subject's key is RSA (a server's then also gets keyEncipherment, for TLS 1.2 RSA key transport; EC keys must
// not have it).
ProfileExtensions ExtensionsOf(Profile profile, std::optional<Profile> ca_for, bool rsa_key);
// ProfileExtensionsDer is the DER of those three extensions, in that order, byte for byte as Issue writes them.
std::string ProfileExtensionsDer(const ProfileExtensions& e);

// IssueOptions is what a new certificate says.
struct IssueOptions {
  Profile profile = Profile::kServer;
  DistinguishedName subject;
  // Subject alternative names, in order. For server and client leaves the CN, if it is a DNS name or an IP
  // address, is added when missing (modern clients check only SANs).
  std::vector<SubjectAltName> sans;
  int days = 365;           // validity from |now|
  int64_t now = 0;          // seconds since the epoch; the certificate is valid from now - kBackdateSeconds
  bool clamp_to_issuer = true;  // end no later than the issuer's notAfter (a warning says so)
  // Intermediates only: kServer or kClient limits the CA to issuing that kind of certificate (an
  // extendedKeyUsage of serverAuth or clientAuth on the CA, which verifiers apply to the whole chain).
  std::optional<Profile> ca_for;
};

// kBackdateSeconds tolerates devices whose clocks run a little behind.
inline constexpr int64_t kBackdateSeconds = 300;
// kSerialBytes is the length of our random, positive serial numbers.
inline constexpr int kSerialBytes = 20;

// IssueResult is the certificate plus anything the user should be told.
struct IssueResult {
  Certificate certificate;
  std::vector<std::string> warnings;
};

// Issue makes a certificate for |subject_key| (a public key; a private key works too) signed by |issuer|.
// With |issuer_cert| null it is self-signed (|issuer| must then sign with the subject's key) and the profile must
// be kRoot. The signature is the signer's: SHA-256, or SHA-384 when the issuer key is P-384. |issuer|'s key must
// be |issuer_cert|'s (kInput otherwise).
Result<IssueResult> Issue(const IssueOptions& options, evp_pkey_st* subject_key, const Certificate* issuer_cert,
                          Signer& issuer);

}  // namespace mqttpki

#endif  // MQTTPKI_ISSUER_H_

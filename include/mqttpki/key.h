// Private keys: generation, PKCS#8 PEM encoding (optionally encrypted), loading, and passphrases.
#ifndef MQTTPKI_KEY_H_
#define MQTTPKI_KEY_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mqttpki/result.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace mqttpki {

// KeyType is the algorithm and size of a key this tool generates.
enum class KeyType { kEcP256, kEcP384, kRsa2048, kRsa3072, kRsa4096 };

// ParseKeyType accepts "ec-p256", "ec-p384", "rsa-2048", "rsa-3072", "rsa-4096" (kUsage error otherwise).
Result<KeyType> ParseKeyType(std::string_view name);
std::string KeyTypeName(KeyType type);
bool IsRsa(KeyType type);
// KeyTypeFromDescription maps "EC P-256", "RSA 2048", ... (DescribeKey's words) back to a KeyType.
std::optional<KeyType> KeyTypeFromDescription(const std::string& description);

// Secret holds a passphrase or key material and wipes it when destroyed.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(const Secret& other) : value_(other.value_) {}
  Secret& operator=(const Secret& other);
  Secret(Secret&& other) noexcept;
  Secret& operator=(Secret&& other) noexcept;
  ~Secret();
  const std::string& str() const { return value_; }
  bool empty() const { return value_.empty(); }

 private:
  void Wipe();
  std::string value_;
};

// PrivateKey owns an OpenSSL key pair.
class PrivateKey {
 public:
  // Generate makes a fresh key of |type| from OpenSSL's default DRBG.
  static Result<PrivateKey> Generate(KeyType type);
  // FromPem reads a PEM private key: PKCS#8 (encrypted or not), or traditional "BEGIN EC/RSA PRIVATE KEY"
  // (including legacy encrypted PEM). An encrypted key needs |passphrase|; a wrong one is kInput
  // "wrong passphrase". |what| names the source in error messages.
  static Result<PrivateKey> FromPem(std::string_view pem, const Secret* passphrase, const std::string& what);
  // IsEncryptedPem says whether |pem| holds an encrypted private key (PKCS#8 or legacy).
  static bool IsEncryptedPem(std::string_view pem);

  PrivateKey();
  ~PrivateKey();
  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;

  // ToPem writes PKCS#8 PEM; with a passphrase, encrypted with AES-256-CBC under PBKDF2-HMAC-SHA256
  // (kPbkdf2Iterations rounds), which the openssl CLI reads with -passin.
  Result<Secret> ToPem(const Secret* passphrase) const;
  // ToLegacyEncryptedPem writes the traditional "BEGIN EC/RSA PRIVATE KEY" form encrypted with AES-256-CBC
  // (Proc-Type/DEK-Info headers): what Java PEM readers such as ThingsBoard's accept when PKCS#8 encryption is not.
  Result<Secret> ToLegacyEncryptedPem(const Secret& passphrase) const;
  // Description is "EC P-256", "RSA 2048", ...
  std::string Description() const;
  bool is_rsa() const;
  // Type returns the KeyType this key is, if it is one we generate.
  std::optional<KeyType> Type() const;
  // PublicKeyDer is the DER SubjectPublicKeyInfo.
  std::string PublicKeyDer() const;
  // PublicKeySha256 is the SHA-256 of PublicKeyDer, "AB:CD:..." (as a certificate's fingerprint is written).
  std::string PublicKeySha256() const;

  evp_pkey_st* get() const { return pkey_; }
  // Adopt takes ownership of |pkey|.
  static PrivateKey Adopt(evp_pkey_st* pkey);

 private:
  evp_pkey_st* pkey_ = nullptr;
};

inline constexpr int kPbkdf2Iterations = 100000;
// kMinPassphraseLength is enforced on passphrases for new keys (as the openssl CLI does, but stricter).
inline constexpr size_t kMinPassphraseLength = 8;

// InitCrypto sets up the crypto library for this process; a front end calls it once before anything else.
// The machine's openssl.cnf has no say in what we issue (and loading it costs start-up time), and random numbers
// come from HASH-DRBG over SHA-256 (NIST SP 800-90A, like the default CTR-DRBG), which reuses the digest every
// command loads anyway; CTR-DRBG would build the provider's cipher table first, about a millisecond per process.
void InitCrypto();

}  // namespace mqttpki

#endif  // MQTTPKI_KEY_H_

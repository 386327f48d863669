// EC keys are generated through the legacy EC_KEY API on purpose: OpenSSL 3.0 encodes a provider-native key's
// public half through OSSL_ENCODER, which re-scans every encoder on each call (X509_set_pubkey, CSR creation,
// PKCS#8 output); a legacy-backed EVP_PKEY takes the direct ASN.1 path and makes issuing several times faster.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "mqttpki/key.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <cstring>

#include "ossl/error.h"
#include "ossl/ptr.h"
#include "pki/internal.h"

namespace mqttpki {

Result<KeyType> ParseKeyType(std::string_view name) {
  if (name == "ec-p256") return KeyType::kEcP256;
  if (name == "ec-p384") return KeyType::kEcP384;
  if (name == "rsa-2048") return KeyType::kRsa2048;
  if (name == "rsa-3072") return KeyType::kRsa3072;
  if (name == "rsa-4096") return KeyType::kRsa4096;
  return MakeError(ErrorCode::kUsage, "unknown key type '" + std::string(name) +
                                          "': use ec-p256, ec-p384, rsa-2048, rsa-3072 or rsa-4096");
}

std::string KeyTypeName(KeyType type) {
  switch (type) {
    case KeyType::kEcP256: return "ec-p256";
    case KeyType::kEcP384: return "ec-p384";
    case KeyType::kRsa2048: return "rsa-2048";
    case KeyType::kRsa3072: return "rsa-3072";
    case KeyType::kRsa4096: return "rsa-4096";
  }
  return "unknown";
}

bool IsRsa(KeyType type) {
  return type == KeyType::kRsa2048 || type == KeyType::kRsa3072 || type == KeyType::kRsa4096;
}

Secret& Secret::operator=(const Secret& other) {
  if (this != &other) {
    Wipe();
    value_ = other.value_;
  }
  return *this;
}
// Moves copy and then wipe the source: moving a short std::string copies its bytes (small-string buffer) and
// would leave them behind in the moved-from object.
Secret::Secret(Secret&& other) noexcept : value_(other.value_) { other.Wipe(); }
Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    Wipe();
    value_ = other.value_;
    other.Wipe();
  }
  return *this;
}
Secret::~Secret() { Wipe(); }
void Secret::Wipe() {
  if (!value_.empty()) OPENSSL_cleanse(value_.data(), value_.size());
  value_.clear();
}

PrivateKey::PrivateKey() = default;
PrivateKey::~PrivateKey() { ossl::Deleter<EVP_PKEY>()(pkey_); }
PrivateKey::PrivateKey(PrivateKey&& other) noexcept : pkey_(other.pkey_) { other.pkey_ = nullptr; }
PrivateKey& PrivateKey::operator=(PrivateKey&& other) noexcept {
  if (this != &other) {
    ossl::Deleter<EVP_PKEY>()(pkey_);
    pkey_ = other.pkey_;
    other.pkey_ = nullptr;
  }
  return *this;
}

PrivateKey PrivateKey::Adopt(evp_pkey_st* pkey) {
  PrivateKey k;
  k.pkey_ = pkey;
  return k;
}

namespace {

// GenerateEc makes an EC key on |curve_nid| backed by a legacy EC_KEY (see the note at the top of this file).
EVP_PKEY* GenerateEc(int curve_nid) {
  auto ec = ossl::Wrap(EC_KEY_new_by_curve_name(curve_nid));
  if (!ec) return nullptr;
  EC_KEY_set_asn1_flag(ec.get(), OPENSSL_EC_NAMED_CURVE);
  auto pkey = ossl::Wrap(EVP_PKEY_new());
  if (!pkey || EC_KEY_generate_key(ec.get()) != 1 || EVP_PKEY_assign_EC_KEY(pkey.get(), ec.get()) != 1) {
    return nullptr;
  }
  ec.release();  // now the EVP_PKEY's
  return pkey.release();
}

}  // namespace

Result<PrivateKey> PrivateKey::Generate(KeyType type) {
  EVP_PKEY* pkey = nullptr;
  switch (type) {
    case KeyType::kEcP256: pkey = GenerateEc(NID_X9_62_prime256v1); break;
    case KeyType::kEcP384: pkey = GenerateEc(NID_secp384r1); break;
    case KeyType::kRsa2048: pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}); break;
    case KeyType::kRsa3072: pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{3072}); break;
    case KeyType::kRsa4096: pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{4096}); break;
  }
  if (pkey == nullptr) return ossl::OsslError(ErrorCode::kInternal, "key generation failed");
  return Adopt(pkey);
}

namespace {

// PassCallback hands OpenSSL the passphrase, or refuses when there is none (so OpenSSL never prompts itself).
int PassCallback(char* buf, int size, int /*rwflag*/, void* u) {
  const Secret* pass = static_cast<const Secret*>(u);
  if (pass == nullptr || pass->empty()) return -1;
  size_t n = pass->str().size();
  if (n > static_cast<size_t>(size)) return -1;
  std::memcpy(buf, pass->str().data(), n);
  return static_cast<int>(n);
}

}  // namespace

bool PrivateKey::IsEncryptedPem(std::string_view pem) {
  return pem.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string_view::npos ||
         pem.find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos;
}

namespace {

// kMaxKdfIterations bounds the work an encrypted key may ask for before its passphrase can be checked: a file
// could otherwise demand 2^31 PBKDF2 rounds (minutes of CPU) of every command that reads it.
constexpr int64_t kMaxKdfIterations = 2000000;
constexpr int64_t kMaxScryptN = int64_t{1} << 20;

// CheckKdfCost reads the key-derivation parameters of an encrypted PKCS#8 key (without decrypting it).
Status CheckKdfCost(std::string_view pem, const std::string& what) {
  if (pem.find("BEGIN ENCRYPTED PRIVATE KEY") == std::string_view::npos) return Status::Ok();
  auto bio = MemBio(pem);
  auto p8 = ossl::Wrap(bio ? PEM_read_bio_PKCS8(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!p8) return ossl::OsslError(ErrorCode::kInput, what + " holds an encrypted key that cannot be parsed");
  const X509_ALGOR* alg = nullptr;
  X509_SIG_get0(p8.get(), &alg, nullptr);
  int64_t iterations = 0;
  int nid = OBJ_obj2nid(alg->algorithm);
  if (nid == NID_pbes2) {
    auto pbe2 = ossl::Wrap(static_cast<PBE2PARAM*>(ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter)));
    if (!pbe2 || pbe2->keyfunc == nullptr) {
      return ossl::OsslError(ErrorCode::kInput, what + " holds an encrypted key with malformed parameters");
    }
    int kdf = OBJ_obj2nid(pbe2->keyfunc->algorithm);
    if (kdf == NID_id_pbkdf2) {
      auto p = ossl::Wrap(static_cast<PBKDF2PARAM*>(
          ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), pbe2->keyfunc->parameter)));
      if (!p || p->iter == nullptr) {
        return ossl::OsslError(ErrorCode::kInput, what + " holds an encrypted key with malformed parameters");
      }
      iterations = ASN1_INTEGER_get(p->iter);
    } else if (kdf == NID_id_scrypt) {
      auto p = ossl::Wrap(static_cast<SCRYPT_PARAMS*>(
          ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(SCRYPT_PARAMS), pbe2->keyfunc->parameter)));
      uint64_t n = 0;
      if (!p || ASN1_INTEGER_get_uint64(&n, p->costParameter) != 1) {
        return ossl::OsslError(ErrorCode::kInput, what + " holds an encrypted key with malformed parameters");
      }
      if (n > static_cast<uint64_t>(kMaxScryptN)) {
        return MakeError(ErrorCode::kInput, what + " is encrypted with scrypt N=" + std::to_string(n) +
                                                "; mqttpki refuses more than N=2^20");
      }
      return Status::Ok();
    }
  } else {
    // PKCS#5 v1.5 and PKCS#12 password-based encryption.
    auto p = ossl::Wrap(static_cast<PBEPARAM*>(ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBEPARAM), alg->parameter)));
    if (p && p->iter != nullptr) iterations = ASN1_INTEGER_get(p->iter);
  }
  if (iterations > kMaxKdfIterations || iterations < 0) {
    return MakeError(ErrorCode::kInput, what + " asks for " + std::to_string(iterations) +
                                            " key-derivation rounds; mqttpki refuses more than 2000000 (keys it "
                                            "writes use " + std::to_string(kPbkdf2Iterations) +
                                            "): re-encrypt it with 'openssl pkcs8 -topk8 -v2 aes-256-cbc'");
  }
  return Status::Ok();
}

}  // namespace

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem, const Secret* passphrase, const std::string& what) {
  bool encrypted = IsEncryptedPem(pem);
  if (pem.find("PRIVATE KEY-----") == std::string_view::npos) return WrongPem(pem, what, "a private key");
  if (encrypted && (passphrase == nullptr || passphrase->empty())) {
    return MakeError(ErrorCode::kInput, what + " is encrypted and no passphrase was given");
  }
  MQTTPKI_TRY(CheckKdfCost(pem, what));
  ossl::ClearErrors();
  auto bio = MemBio(pem);
  if (!bio) return ossl::OsslError(ErrorCode::kInternal, "out of memory");
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio.get(), nullptr, PassCallback, const_cast<Secret*>(passphrase));
  if (pkey == nullptr) {
    if (encrypted) return ossl::OsslError(ErrorCode::kInput, "wrong passphrase for " + what);
    return ossl::OsslError(ErrorCode::kInput, what + " holds a private key that cannot be parsed");
  }
  return Adopt(pkey);
}

Result<Secret> PrivateKey::ToPem(const Secret* passphrase) const {
  auto bio = ossl::Wrap(BIO_new(BIO_s_secmem()));
  if (!bio) return ossl::OsslError(ErrorCode::kInternal, "out of memory");
  if (passphrase == nullptr) {
    if (PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey_, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
      return ossl::OsslError(ErrorCode::kInternal, "cannot encode private key");
    }
  } else {
    auto p8inf = ossl::Wrap(EVP_PKEY2PKCS8(pkey_));
    if (!p8inf) return ossl::OsslError(ErrorCode::kInternal, "cannot encode private key");
    // pbe_nid -1 selects PBES2 with |cipher|; OpenSSL 3 pairs it with PBKDF2-HMAC-SHA256.
    auto p8 = ossl::Wrap(PKCS8_encrypt(-1, EVP_aes_256_cbc(), passphrase->str().data(),
                                       static_cast<int>(passphrase->str().size()), nullptr, 0,
                                       kPbkdf2Iterations, p8inf.get()));
    if (!p8) return ossl::OsslError(ErrorCode::kInternal, "cannot encrypt private key");
    if (PEM_write_bio_PKCS8(bio.get(), p8.get()) != 1) {
      return ossl::OsslError(ErrorCode::kInternal, "cannot encode private key");
    }
  }
  return Secret(BioToString(bio.get()));
}

Result<Secret> PrivateKey::ToLegacyEncryptedPem(const Secret& passphrase) const {
  auto bio = ossl::Wrap(BIO_new(BIO_s_secmem()));
  if (!bio) return ossl::OsslError(ErrorCode::kInternal, "out of memory");
  if (PEM_write_bio_PrivateKey_traditional(
          bio.get(), pkey_, EVP_aes_256_cbc(),
          reinterpret_cast<const unsigned char*>(passphrase.str().data()),
          static_cast<int>(passphrase.str().size()), nullptr, nullptr) != 1) {
    return ossl::OsslError(ErrorCode::kInternal, "cannot encode the private key in legacy PEM");
  }
  return Secret(BioToString(bio.get()));
}

std::string PrivateKey::Description() const { return DescribeKey(pkey_); }

bool PrivateKey::is_rsa() const { return EVP_PKEY_get_base_id(pkey_) == EVP_PKEY_RSA; }

std::optional<KeyType> PrivateKey::Type() const { return KeyTypeFromDescription(DescribeKey(pkey_)); }

std::optional<KeyType> KeyTypeFromDescription(const std::string& d) {
  if (d == "EC P-256") return KeyType::kEcP256;
  if (d == "EC P-384") return KeyType::kEcP384;
  if (d == "RSA 2048") return KeyType::kRsa2048;
  if (d == "RSA 3072") return KeyType::kRsa3072;
  if (d == "RSA 4096") return KeyType::kRsa4096;
  return std::nullopt;
}

std::string PrivateKey::PublicKeyDer() const { return PublicKeyDerOf(pkey_); }

std::string PrivateKey::PublicKeySha256() const {
  std::string der = PublicKeyDer();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (der.empty() || EVP_Digest(der.data(), der.size(), md, &len, EVP_sha256(), nullptr) != 1) return {};
  return Hex(md, len, ':');
}

void InitCrypto() {
  OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr);
  RAND_set_DRBG_type(nullptr, "HASH-DRBG", nullptr, nullptr, "SHA256");
}

// --- helpers shared inside the library (pki/internal.h) ---

std::string BioToString(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  if (len <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<size_t>(len));
}

std::string DescribeKey(const EVP_PKEY* pkey) {
  if (pkey == nullptr) return "none";
  switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_EC: {
      char group[64] = {0};
      size_t len = 0;
      if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &len) != 1) {
        return "EC";
      }
      std::string g = group;
      if (g == "prime256v1" || g == "P-256") return "EC P-256";
      if (g == "secp384r1" || g == "P-384") return "EC P-384";
      if (g == "secp521r1" || g == "P-521") return "EC P-521";
      return "EC " + g;
    }
    case EVP_PKEY_RSA: return "RSA " + std::to_string(EVP_PKEY_get_bits(pkey));
    case EVP_PKEY_RSA_PSS: return "RSA-PSS " + std::to_string(EVP_PKEY_get_bits(pkey));
    case EVP_PKEY_ED25519: return "Ed25519";
    case EVP_PKEY_ED448: return "Ed448";
    case EVP_PKEY_DSA: return "DSA " + std::to_string(EVP_PKEY_get_bits(pkey));
    default: return EVP_PKEY_get0_type_name(pkey) ? EVP_PKEY_get0_type_name(pkey) : "unknown";
  }
}

std::string PublicKeyDerOf(const EVP_PKEY* pkey) {
  // A key read from a file or a CSR is provider-native, and OpenSSL 3.0 encodes it through OSSL_ENCODER (a fresh
  // search of the encoders, over a million instructions). A legacy-backed copy takes the ASN.1 method instead:
  // the same SubjectPublicKeyInfo.
  ossl::UniquePtr<EVP_PKEY> legacy;
  if (pkey != nullptr && EVP_PKEY_get0_asn1(pkey) == nullptr) {
    int id = EVP_PKEY_get_base_id(pkey);
    legacy = ossl::Wrap(EVP_PKEY_new());
    bool copied = false;
    if (legacy && id == EVP_PKEY_EC) {
      const EC_KEY* ec = EVP_PKEY_get0_EC_KEY(pkey);
      copied = ec != nullptr && EVP_PKEY_set1_EC_KEY(legacy.get(), const_cast<EC_KEY*>(ec)) == 1;
    } else if (legacy && id == EVP_PKEY_RSA) {
      const RSA* rsa = EVP_PKEY_get0_RSA(pkey);
      copied = rsa != nullptr && EVP_PKEY_set1_RSA(legacy.get(), const_cast<RSA*>(rsa)) == 1;
    }
    ossl::ClearErrors();
    if (copied) pkey = legacy.get();
  }
  return ossl::I2d(i2d_PUBKEY, pkey);
}

}  // namespace mqttpki

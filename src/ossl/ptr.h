// RAII for OpenSSL handles. The only place that knows how each OpenSSL type is freed.
// Wrap every *_new / get1 / d2i / PEM_read result on the line it is created; leave get0 results raw (borrowed).
#ifndef MQTTPKI_OSSL_PTR_H_
#define MQTTPKI_OSSL_PTR_H_

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

namespace mqttpki::ossl {

template <typename T>
struct Deleter;

#define MQTTPKI_OSSL_DELETER(type, fn) \
  template <>                          \
  struct Deleter<type> {               \
    void operator()(type* p) const { fn(p); } \
  };

MQTTPKI_OSSL_DELETER(BIO, BIO_free_all)
MQTTPKI_OSSL_DELETER(BIGNUM, BN_free)
MQTTPKI_OSSL_DELETER(EVP_PKEY, EVP_PKEY_free)
MQTTPKI_OSSL_DELETER(EVP_PKEY_CTX, EVP_PKEY_CTX_free)
MQTTPKI_OSSL_DELETER(EVP_MD_CTX, EVP_MD_CTX_free)
MQTTPKI_OSSL_DELETER(X509, X509_free)
MQTTPKI_OSSL_DELETER(X509_REQ, X509_REQ_free)
MQTTPKI_OSSL_DELETER(X509_NAME, X509_NAME_free)
MQTTPKI_OSSL_DELETER(X509_EXTENSION, X509_EXTENSION_free)
MQTTPKI_OSSL_DELETER(X509_STORE, X509_STORE_free)
MQTTPKI_OSSL_DELETER(X509_STORE_CTX, X509_STORE_CTX_free)
MQTTPKI_OSSL_DELETER(X509_SIG, X509_SIG_free)
MQTTPKI_OSSL_DELETER(PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free)
// ASN1_INTEGER, ASN1_OCTET_STRING, ASN1_BIT_STRING and ASN1_TIME are all ASN1_STRING.
MQTTPKI_OSSL_DELETER(ASN1_STRING, ASN1_STRING_free)
MQTTPKI_OSSL_DELETER(BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free)
MQTTPKI_OSSL_DELETER(AUTHORITY_KEYID, AUTHORITY_KEYID_free)
MQTTPKI_OSSL_DELETER(GENERAL_NAME, GENERAL_NAME_free)
MQTTPKI_OSSL_DELETER(GENERAL_NAMES, GENERAL_NAMES_free)
MQTTPKI_OSSL_DELETER(EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free)
MQTTPKI_OSSL_DELETER(X509_ALGOR, X509_ALGOR_free)
MQTTPKI_OSSL_DELETER(PKCS12, PKCS12_free)
MQTTPKI_OSSL_DELETER(PBE2PARAM, PBE2PARAM_free)
MQTTPKI_OSSL_DELETER(PBKDF2PARAM, PBKDF2PARAM_free)
MQTTPKI_OSSL_DELETER(PBEPARAM, PBEPARAM_free)
MQTTPKI_OSSL_DELETER(SCRYPT_PARAMS, SCRYPT_PARAMS_free)
MQTTPKI_OSSL_DELETER(X509_CRL, X509_CRL_free)
MQTTPKI_OSSL_DELETER(BN_CTX, BN_CTX_free)
MQTTPKI_OSSL_DELETER(EC_POINT, EC_POINT_free)
MQTTPKI_OSSL_DELETER(ECDSA_SIG, ECDSA_SIG_free)
MQTTPKI_OSSL_DELETER(SSL_CTX, SSL_CTX_free)
MQTTPKI_OSSL_DELETER(SSL, SSL_free)
// EC_KEY is deprecated API; the device batch keeps it for the per-thread signing key (see fleet.cc).
template <>
struct Deleter<EC_KEY> {
  void operator()(EC_KEY* p) const {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    EC_KEY_free(p);
#pragma GCC diagnostic pop
  }
};

#undef MQTTPKI_OSSL_DELETER

template <typename T>
using UniquePtr = std::unique_ptr<T, Deleter<T>>;

// STACK_OF(X509) that owns its certificates.
struct X509StackDeleter {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
using X509Stack = std::unique_ptr<STACK_OF(X509), X509StackDeleter>;

// PushOwned appends |cert| to |stack|, which takes a reference of its own; false when out of memory.
inline bool PushOwned(STACK_OF(X509) * stack, X509* cert) {
  if (X509_up_ref(cert) != 1) return false;
  if (sk_X509_push(stack, cert) > 0) return true;
  X509_free(cert);
  return false;
}

// Stacks of PKCS#12 safe bags and of PKCS#7 safes (the PKCS#12 truststore's parts), owning their elements.
struct SafeBagStackDeleter {
  void operator()(STACK_OF(PKCS12_SAFEBAG) * s) const { sk_PKCS12_SAFEBAG_pop_free(s, PKCS12_SAFEBAG_free); }
};
using SafeBagStack = std::unique_ptr<STACK_OF(PKCS12_SAFEBAG), SafeBagStackDeleter>;
struct Pkcs7StackDeleter {
  void operator()(STACK_OF(PKCS7) * s) const { sk_PKCS7_pop_free(s, PKCS7_free); }
};
using Pkcs7Stack = std::unique_ptr<STACK_OF(PKCS7), Pkcs7StackDeleter>;

// A stack of X509 extensions that owns them.
struct ExtensionStackDeleter {
  void operator()(STACK_OF(X509_EXTENSION) * s) const { sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free); }
};
using ExtensionStack = std::unique_ptr<STACK_OF(X509_EXTENSION), ExtensionStackDeleter>;

// A BIGNUM that holds a secret: cleared before it is freed.
struct SecretBnDeleter {
  void operator()(BIGNUM* p) const { BN_clear_free(p); }
};
using SecretBn = std::unique_ptr<BIGNUM, SecretBnDeleter>;

// Wrap takes ownership of |p| (which may be null).
template <typename T>
UniquePtr<T> Wrap(T* p) {
  return UniquePtr<T>(p);
}

// OpenSslFree owns a buffer that OpenSSL allocated with OPENSSL_malloc.
struct OpenSslFree {
  void operator()(void* p) const { OPENSSL_free(p); }
};
template <typename T>
using OsslBuffer = std::unique_ptr<T, OpenSslFree>;

// I2d encodes |obj| with one of OpenSSL's i2d_* functions into a string (empty when encoding fails), freeing
// OpenSSL's buffer. |secret|: the buffer holds key material and is cleansed before it is freed.
template <typename T, typename F>
std::string I2d(F i2d, T* obj, bool secret = false) {
  unsigned char* buf = nullptr;
  int len = i2d(obj, &buf);
  if (len <= 0 || buf == nullptr) {
    OPENSSL_free(buf);
    return std::string();
  }
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(len));
  if (secret) {
    OPENSSL_clear_free(buf, static_cast<size_t>(len));
  } else {
    OPENSSL_free(buf);
  }
  return out;
}

}  // namespace mqttpki::ossl

#endif  // MQTTPKI_OSSL_PTR_H_

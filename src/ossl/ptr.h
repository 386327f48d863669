// RAII for OpenSSL handles. The only place that knows how each OpenSSL type is freed.
// Wrap every *_new / get1 / d2i / PEM_read result on the line it is created; leave get0 results raw (borrowed).
#ifndef MQTTPKI_OSSL_PTR_H_
#define MQTTPKI_OSSL_PTR_H_

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

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

#undef MQTTPKI_OSSL_DELETER

template <typename T>
using UniquePtr = std::unique_ptr<T, Deleter<T>>;

// STACK_OF(X509) that owns its certificates.
struct X509StackDeleter {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
using X509Stack = std::unique_ptr<STACK_OF(X509), X509StackDeleter>;

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

}  // namespace mqttpki::ossl

#endif  // MQTTPKI_OSSL_PTR_H_

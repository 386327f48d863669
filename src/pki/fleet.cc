// DeviceIssuer: device certificates encoded directly in DER. See fleet.h for why.
//
// The certificate is exactly what Issue() makes for the client profile (issuer_test checks byte equality):
//   TBSCertificate ::= SEQUENCE { [0] v3, serial (20 random bytes), signature algorithm, issuer, validity,
//     subject (C, O, OU of the PKI; CN = id), subjectPublicKeyInfo, [3] extensions: the client profile's
//     (ExtensionsOf: basicConstraints CA:FALSE, keyUsage digitalSignature, extKeyUsage clientAuth),
//     subjectKeyIdentifier, authorityKeyIdentifier, subjectAltName (the id when it is a DNS name, then the extra
//     SANs) }
#define OPENSSL_SUPPRESS_DEPRECATED  // EC_KEY, ECDSA_do_sign and SHA*_Init: the fast paths (see key.cc)

#include "mqttpki/fleet.h"

#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "mqttpki/issuer.h"
#include "ossl/error.h"
#include "ossl/ptr.h"
#include "pki/der.h"
#include "pki/internal.h"

namespace mqttpki {

namespace {

using der::Append;
using der::Put;
using der::PutHeader;
using der::TlvSize;

// DER of the constant parts.
constexpr unsigned char kVersion3[] = {0xa0, 0x03, 0x02, 0x01, 0x02};
constexpr unsigned char kP256SpkiPrefix[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
                                             0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                             0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};
constexpr unsigned char kOidSki[] = {0x06, 0x03, 0x55, 0x1d, 0x0e};
constexpr unsigned char kOidAki[] = {0x06, 0x03, 0x55, 0x1d, 0x23};
constexpr unsigned char kOidSan[] = {0x06, 0x03, 0x55, 0x1d, 0x11};
constexpr unsigned char kOidCn[] = {0x06, 0x03, 0x55, 0x04, 0x03};

std::string_view Bytes(const unsigned char* p, size_t n) { return {reinterpret_cast<const char*>(p), n}; }
template <size_t N>
std::string_view Bytes(const unsigned char (&a)[N]) {
  return Bytes(a, N);
}

void Sha256(const unsigned char* data, size_t len, unsigned char* md) {
  SHA256_CTX c;
  SHA256_Init(&c);
  SHA256_Update(&c, data, len);
  SHA256_Final(md, &c);
}

}  // namespace

std::string EncodeP256Pkcs8(const unsigned char priv[32], const unsigned char pub[65]) {
  // PrivateKeyInfo { 0, { id-ecPublicKey, prime256v1 }, OCTET STRING { ECPrivateKey { 1, priv, [1] pub } } }
  static constexpr unsigned char kHead[] = {0x30, 0x81, 0x87, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a,
                                            0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                            0xce, 0x3d, 0x03, 0x01, 0x07, 0x04, 0x6d, 0x30, 0x6b, 0x02, 0x01,
                                            0x01, 0x04, 0x20};
  static constexpr unsigned char kPub[] = {0xa1, 0x44, 0x03, 0x42, 0x00};
  std::string out;
  out.reserve(138);
  out.append(Bytes(kHead));
  out.append(Bytes(priv, 32));
  out.append(Bytes(kPub));
  out.append(Bytes(pub, 65));
  return out;
}

Status ValidateDeviceId(const std::string& id) { return PkiDir::ValidateName(id, "device id"); }

// ---- DeviceIssuer ----

struct DeviceIssuer::Template {
  std::string sig_alg;         // AlgorithmIdentifier DER
  std::string issuer;          // Name DER
  std::string validity;        // Validity DER
  std::string subject_prefix;  // the RDNs before the CN (contents of the Name SEQUENCE)
  std::string subject_text;    // "C=.., O=.., " (Certificate::Subject()'s form) before "CN=id"
  std::string issuer_text;
  std::string profile_exts;    // the client profile's basicConstraints, keyUsage and extKeyUsage DER
  std::string aki_ext;         // authorityKeyIdentifier extension DER
  std::string chain_pem;       // the CA chain a device sends after its certificate
  const Signer* signer = nullptr;  // the CaMaterial's, which outlives the issuer; each worker forks its own
  KeyType key = KeyType::kEcP256;
  int64_t not_before = 0, not_after = 0;
  int64_t now = 0;
};

DeviceIssuer::~DeviceIssuer() = default;

Result<std::unique_ptr<DeviceIssuer>> DeviceIssuer::Create(const CaMaterial& ca, const Options& o,
                                                           std::vector<std::string>& warnings) {
  if (!ca.cert.IsCa()) return MakeError(ErrorCode::kInput, "'" + ca.cert.Subject() + "' is not a CA certificate");
  if (ca.signer == nullptr || !ca.cert.MatchesPublicKey(ca.signer->PublicKeyDer())) {
    return MakeError(ErrorCode::kInput, "the private key of CA '" + ca.name + "' does not match its certificate");
  }
  MQTTPKI_TRY(CheckCaMayIssue(ca.cert, Profile::kClient));
  if (o.days <= 0) return MakeError(ErrorCode::kUsage, Arg("days") + " must be a positive number of days");
  if (ca.cert.NotAfter() <= o.now) {
    return MakeError(ErrorCode::kInput, "the issuer '" + ca.cert.Subject() + "' expired on " +
                                            FormatTime(ca.cert.NotAfter()));
  }
  auto t = std::make_unique<Template>();
  t->key = o.key;
  t->now = o.now;
  if (ca.signer == nullptr) return MakeError(ErrorCode::kInternal, "DeviceIssuer: CA '" + ca.name + "' has no signer");
  t->signer = ca.signer.get();
  t->sig_alg = ca.signer->Algorithm();
  t->issuer = ossl::I2d(i2d_X509_NAME, X509_get_subject_name(ca.cert.get()));
  if (t->issuer.empty()) return ossl::OsslError(ErrorCode::kInternal, "cannot encode the issuer name");
  t->issuer_text = ca.cert.Subject();

  // Validity, as Issue() sets it: backdated, and clamped to the CA's.
  t->not_before = std::max(o.now - kBackdateSeconds, ca.cert.NotBefore());
  t->not_after = o.now + static_cast<int64_t>(o.days) * 86400;
  if (t->not_after > ca.cert.NotAfter()) {
    t->not_after = ca.cert.NotAfter();
    warnings.push_back("the certificates would outlive their issuer '" + ca.cert.CommonName() +
                       "'; they end with it, on " + FormatTime(t->not_after));
  }
  std::string validity;
  der::AppendTime(validity, t->not_before);
  der::AppendTime(validity, t->not_after);
  t->validity = der::Wrap(der::kSequence, validity);

  // The subject's RDNs before the CN, encoded by OpenSSL exactly as for any other leaf.
  DistinguishedName base_dn = o.subject_base;
  base_dn.common_name.clear();
  MQTTPKI_ASSIGN_OR_RETURN(auto name, BuildName(base_dn));
  std::string name_der = ossl::I2d(i2d_X509_NAME, name.get());
  std::string_view name_view = name_der;
  uint8_t tag = 0;
  std::string_view rdns;
  if (name_der.empty() || !der::Read(name_view, tag, rdns)) return MakeError(ErrorCode::kInternal, "cannot encode the subject");
  t->subject_text = NameToString(name.get());
  t->subject_prefix = std::string(rdns);
  if (!t->subject_text.empty()) t->subject_text += ", ";

  t->profile_exts = ProfileExtensionsDer(ExtensionsOf(Profile::kClient, std::nullopt, IsRsa(o.key)));
  // authorityKeyIdentifier: the CA's subjectKeyIdentifier (as Issue() takes it).
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(ca.cert.get());
  std::string keyid;
  if (ski != nullptr) {
    keyid.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(ski)), static_cast<size_t>(ASN1_STRING_length(ski)));
  } else {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (X509_pubkey_digest(ca.cert.get(), EVP_sha1(), md, &mdlen) != 1) {
      return ossl::OsslError(ErrorCode::kInternal, "cannot hash the CA's public key");
    }
    keyid.assign(reinterpret_cast<char*>(md), mdlen);
  }
  std::string aki;
  Append(aki, 0x80, keyid);
  der::AppendExtension(t->aki_ext, Bytes(kOidAki), der::Wrap(der::kSequence, aki));

  auto issuer_obj = std::unique_ptr<DeviceIssuer>(new DeviceIssuer());
  for (const Certificate& c : ca.chain) {
    t->chain_pem += c.ToPem();
    issuer_obj->chain_der_bytes_ += c.ToDer().size();
    ++issuer_obj->chain_certs_;
  }
  issuer_obj->ca_name_ = ca.name;
  issuer_obj->not_after_ = t->not_after;
  issuer_obj->t_ = std::move(t);
  return issuer_obj;
}

struct DeviceIssuer::Worker::State {
  std::unique_ptr<Signer> signer;  // this thread's fork of the CA's signer
  ossl::UniquePtr<EC_KEY> p256;             // the curve, and the CSPRNG's range for private keys
  ossl::UniquePtr<BN_CTX> bn;
  // P-256 keys are made kKeyBatch at a time: scalar multiplications as usual, then one batched conversion of
  // the points to affine coordinates (one field inversion for the batch instead of one per key, which is a
  // fifth of a key generation).
  static constexpr size_t kKeyBatch = 64;
  unsigned char keys[kKeyBatch][32 + 65];
  unsigned char scalars[kKeyBatch * 32];
  std::string tbs, names, spki;  // Issue's buffers, reused
  std::vector<SubjectAltName> sans;
  size_t keys_left = 0;
  // Random bytes for serial numbers, drawn from the DRBG 4 KB at a time (one call per device costs more than
  // the bytes).
  unsigned char random[4096];
  size_t random_left = 0;
  ~State() {
    OPENSSL_cleanse(random, sizeof(random));
    OPENSSL_cleanse(keys, sizeof(keys));
    OPENSSL_cleanse(scalars, sizeof(scalars));
  }
  // Key gives the device its key: the CSR's public key (spec.spki_der), or a new key of |type| whose PKCS#8 goes
  // into |out|. |spki_view| (the SubjectPublicKeyInfo) and |pub_bits| (the key's bits, which the
  // subjectKeyIdentifier hashes) point into |spec| or into |spki|, until the next call.
  Status Key(KeyType type, const DeviceSpec& spec, DeviceCert& out, std::string_view& spki_view,
             std::string_view& pub_bits);
  // Record fills |out|'s inventory row from its certificate and what it was made of.
  static void Record(const Template& t, const std::string& ca_name, const DeviceSpec& spec,
                     const unsigned char (&serial)[kSerialBytes], const std::vector<SubjectAltName>& sans,
                     DeviceCert& out);
  // Serial makes a device's serial number (see fleet.h): positive and always 20 octets, the issuing time and
  // the device's ordinal in the batch, then random bits.
  Status Serial(unsigned char (&serial)[kSerialBytes], int64_t now, uint64_t ordinal) {
    uint64_t order = (static_cast<uint64_t>(now) & 0xffffffff) << 24 | (ordinal & 0xffffff);
    serial[0] = 0x40;
    for (int i = 7; i >= 1; --i, order >>= 8) serial[i] = static_cast<unsigned char>(order & 0xff);
    constexpr size_t kRandom = static_cast<size_t>(kSerialBytes) - 8;
    if (random_left < kRandom) {
      if (RAND_bytes(random, sizeof(random)) != 1) return ossl::OsslError(ErrorCode::kInternal, "RNG failure");
      random_left = sizeof(random);
    }
    memcpy(serial + 8, random + sizeof(random) - random_left, kRandom);
    OPENSSL_cleanse(random + sizeof(random) - random_left, kRandom);
    random_left -= kRandom;
    return Status::Ok();
  }

  // RefillKeys generates the next batch of P-256 key pairs into |keys|.
  //
  // The private keys are uniform in [1, n - 1] (n: the group order), as EC_KEY_generate_key makes them: 32 bytes
  // from the private DRBG, drawn again in the rare case (about 2^-32) that they are 0 or not below n; one DRBG call
  // serves the whole batch. The public points are computed as usual, converted to affine coordinates together (one
  // field inversion for the batch), and read out directly: EC_POINT_point2oct would invert each point's Z again,
  // which costs half as much as the scalar multiplication.
  Status RefillKeys() {
    const EC_GROUP* group = EC_KEY_get0_group(p256.get());
    const BIGNUM* order = EC_GROUP_get0_order(group);
    unsigned char order_bytes[32];
    if (BN_bn2binpad(order, order_bytes, 32) != 32) return MakeError(ErrorCode::kInternal, "unexpected P-256 order");
    ossl::UniquePtr<EC_POINT> point_owners[kKeyBatch];
    ossl::SecretBn priv[kKeyBatch];
    EC_POINT* points[kKeyBatch] = {};  // point_owners', as EC_POINTs_make_affine takes them
    Status st;
    if (RAND_priv_bytes(scalars, sizeof(scalars)) != 1) st = ossl::OsslError(ErrorCode::kInternal, "RNG failure");
    for (size_t i = 0; i < kKeyBatch && st.ok(); ++i) {
      unsigned char* d = scalars + 32 * i;
      static constexpr unsigned char kZero[32] = {};
      // Accept 0 < d < n (byte strings of equal length compare as big-endian numbers).
      while (st.ok() && (memcmp(d, order_bytes, 32) >= 0 || memcmp(d, kZero, 32) == 0)) {
        if (RAND_priv_bytes(d, 32) != 1) st = ossl::OsslError(ErrorCode::kInternal, "RNG failure");
      }
      priv[i].reset(BN_secure_new());
      point_owners[i].reset(EC_POINT_new(group));
      points[i] = point_owners[i].get();
      if (!st.ok()) break;
      if (priv[i] == nullptr || points[i] == nullptr) {
        st = ossl::OsslError(ErrorCode::kInternal, "out of memory");
        break;
      }
      BN_set_flags(priv[i].get(), BN_FLG_CONSTTIME);
      if (BN_bin2bn(d, 32, priv[i].get()) == nullptr ||
          EC_POINT_mul(group, points[i], priv[i].get(), nullptr, nullptr, bn.get()) != 1) {
        st = ossl::OsslError(ErrorCode::kInternal, "cannot generate a P-256 key");
      }
    }
    if (st.ok() && EC_POINTs_make_affine(group, kKeyBatch, points, bn.get()) != 1) {
      st = ossl::OsslError(ErrorCode::kInternal, "cannot generate a P-256 key");
    }
    BN_CTX_start(bn.get());
    BIGNUM* px = BN_CTX_get(bn.get());
    BIGNUM* py = BN_CTX_get(bn.get());
    BIGNUM* pz = BN_CTX_get(bn.get());
    if (pz == nullptr) st = ossl::OsslError(ErrorCode::kInternal, "out of memory");
    for (size_t i = 0; i < kKeyBatch && st.ok(); ++i) {
      memcpy(keys[i], scalars + 32 * i, 32);
      unsigned char* pub = keys[i] + 32;
      pub[0] = POINT_CONVERSION_UNCOMPRESSED;
      // Z is 1 after the conversion, so (X, Y) are the affine coordinates; else the general (slower) way.
      bool affine = EC_POINT_get_Jprojective_coordinates_GFp(group, points[i], px, py, pz, bn.get()) == 1 &&
                    BN_is_one(pz) && BN_bn2binpad(px, pub + 1, 32) == 32 && BN_bn2binpad(py, pub + 33, 32) == 32;
      if (!affine &&
          EC_POINT_point2oct(group, points[i], POINT_CONVERSION_UNCOMPRESSED, pub, 65, bn.get()) != 65) {
        st = ossl::OsslError(ErrorCode::kInternal, "cannot encode a P-256 key");
      }
    }
    BN_CTX_end(bn.get());
    OPENSSL_cleanse(scalars, sizeof(scalars));
    keys_left = st.ok() ? kKeyBatch : 0;
    return st;
  }
};

DeviceIssuer::Worker::Worker(const DeviceIssuer& issuer) : issuer_(issuer), state_(std::make_unique<State>()) {}
DeviceIssuer::Worker::~Worker() = default;

const std::string& DeviceIssuer::ca_chain_pem() const { return t_->chain_pem; }

Result<std::unique_ptr<DeviceIssuer::Worker>> DeviceIssuer::NewWorker() const {
  std::unique_ptr<Worker> w(new Worker(*this));
  Worker::State& s = *w->state_;
  MQTTPKI_ASSIGN_OR_RETURN(s.signer, t_->signer->Fork());
  if (t_->key == KeyType::kEcP256) {
    s.p256.reset(EC_KEY_new_by_curve_name(NID_X9_62_prime256v1));
    s.bn.reset(BN_CTX_new());
    if (s.p256 == nullptr || s.bn == nullptr) return ossl::OsslError(ErrorCode::kInternal, "out of memory");
  }
  return w;
}

Status DeviceIssuer::Worker::State::Key(KeyType type, const DeviceSpec& spec, DeviceCert& out,
                                        std::string_view& spki_view, std::string_view& pub_bits) {
  if (!spec.spki_der.empty()) {
    spki_view = spec.spki_der;
    if (!der::SubjectPublicKeyBits(spki_view, pub_bits)) {
      return MakeError(ErrorCode::kInput, "the public key of device '" + spec.id + "' is malformed");
    }
    return Status::Ok();
  }
  spki.clear();
  if (p256 != nullptr) {
    if (keys_left == 0) MQTTPKI_TRY(RefillKeys());
    unsigned char* pair = keys[--keys_left];
    unsigned char priv[32], point[65];
    memcpy(priv, pair, 32);
    memcpy(point, pair + 32, 65);
    OPENSSL_cleanse(pair, 32 + 65);
    out.key_der = Secret(EncodeP256Pkcs8(priv, point));
    OPENSSL_cleanse(priv, sizeof(priv));
    spki.reserve(sizeof(kP256SpkiPrefix) + sizeof(point));
    spki.append(Bytes(kP256SpkiPrefix));
    spki.append(Bytes(point));
    spki_view = spki;
    pub_bits = spki_view.substr(sizeof(kP256SpkiPrefix));
    return Status::Ok();
  }
  MQTTPKI_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::Generate(type));
  auto p8 = ossl::Wrap(EVP_PKEY2PKCS8(key.get()));
  out.key_der = Secret(p8 ? ossl::I2d(i2d_PKCS8_PRIV_KEY_INFO, p8.get(), /*secret=*/true) : std::string());
  if (out.key_der.empty()) return ossl::OsslError(ErrorCode::kInternal, "cannot encode the device key");
  spki = key.PublicKeyDer();
  spki_view = spki;
  if (!der::SubjectPublicKeyBits(spki_view, pub_bits)) return MakeError(ErrorCode::kInternal, "malformed public key");
  return Status::Ok();
}

void DeviceIssuer::Worker::State::Record(const Template& t, const std::string& ca_name, const DeviceSpec& spec,
                                         const unsigned char (&serial)[kSerialBytes],
                                         const std::vector<SubjectAltName>& sans, DeviceCert& out) {
  CertRecord& r = out.record;
  r.serial = Hex(serial, sizeof(serial), 0);
  r.subject.reserve(t.subject_text.size() + 3 + spec.id.size());
  r.subject.append(t.subject_text).append("CN=").append(spec.id);
  r.issuer = t.issuer_text;
  for (const SubjectAltName& san : sans) {
    if (!r.sans.empty()) r.sans.append(", ");
    san.AppendTo(r.sans);
  }
  r.not_before = t.not_before;
  r.not_after = t.not_after;
  unsigned char fp[SHA256_DIGEST_LENGTH];
  Sha256(reinterpret_cast<const unsigned char*>(out.cert_der.data()), out.cert_der.size(), fp);
  r.sha256 = Hex(fp, sizeof(fp), ':');
  r.name = spec.id;
  r.ca = ca_name;
  r.profile = ProfileName(Profile::kClient);
}

Result<DeviceCert> DeviceIssuer::Worker::Issue(const DeviceSpec& spec) {
  const Template& t = *issuer_.t_;
  State& s = *state_;
  DeviceCert out;
  out.id = spec.id;

  // The key: generated here (P-256 straight into PKCS#8; other types through OpenSSL's encoder), or the CSR's.
  std::string_view spki, pub_bits;
  MQTTPKI_TRY(s.Key(t.key, spec, out, spki, pub_bits));
  if (!out.key_der.empty()) out.key_pem = Secret(PemEncode(out.key_der.str(), "PRIVATE KEY"));

  // The SANs: the id first when it is a DNS name (as Issue() copies a CN), then the extra ones.
  std::vector<SubjectAltName>& sans = s.sans;
  sans.clear();
  if (Result<SubjectAltName> cn = ParseSan(spec.id); cn.ok()) sans.push_back(std::move(*cn));
  for (const SubjectAltName& san : spec.sans) AddUnique(sans, san);

  unsigned char serial[kSerialBytes];
  MQTTPKI_TRY(s.Serial(serial, t.now, spec.ordinal));

  // The TBSCertificate, written in one pass into this thread's buffer: every length is known beforehand.
  std::string& names = s.names;  // subjectAltName's GeneralNames
  names.clear();
  for (const SubjectAltName& san : sans) {
    if (san.kind == SubjectAltName::Kind::kDns) {
      Append(names, 0x82, san.value);
    } else {
      unsigned char ip[16];
      size_t n = inet_pton(AF_INET, san.value.c_str(), ip) == 1 ? 4
                 : inet_pton(AF_INET6, san.value.c_str(), ip) == 1 ? 16 : 0;
      if (n == 0) return MakeError(ErrorCode::kUsage, "invalid IP address '" + san.value + "'");
      Append(names, 0x87, Bytes(ip, n));
    }
  }
  unsigned char ski[SHA_DIGEST_LENGTH];
  SHA_CTX sha1;  // the low-level hashes: SHA1() and EVP_Digest fetch the algorithm on every call in 3.0
  SHA1_Init(&sha1);
  SHA1_Update(&sha1, pub_bits.data(), pub_bits.size());
  SHA1_Final(ski, &sha1);
  const size_t ski_content = sizeof(kOidSki) + TlvSize(TlvSize(sizeof(ski)));
  const size_t san_content = sizeof(kOidSan) + TlvSize(TlvSize(names.size()));
  const size_t ski_ext = TlvSize(ski_content);
  const size_t san_ext = sans.empty() ? 0 : TlvSize(san_content);
  const size_t exts = t.profile_exts.size() + ski_ext + t.aki_ext.size() + san_ext;
  const size_t cn_atv = sizeof(kOidCn) + TlvSize(spec.id.size());
  const size_t subject = t.subject_prefix.size() + TlvSize(TlvSize(cn_atv));
  const size_t body = sizeof(kVersion3) + TlvSize(sizeof(serial)) + t.sig_alg.size() + t.issuer.size() +
                      t.validity.size() + TlvSize(subject) + spki.size() + TlvSize(TlvSize(exts));
  std::string& tbs = s.tbs;
  tbs.resize(TlvSize(body));
  {
    char* p = tbs.data();
    p = PutHeader(p, der::kSequence, body);
    p = Put(p, Bytes(kVersion3));
    p = PutHeader(p, der::kInteger, sizeof(serial));
    p = Put(p, Bytes(serial));
    p = Put(p, t.sig_alg);
    p = Put(p, t.issuer);
    p = Put(p, t.validity);
    p = PutHeader(p, der::kSequence, subject);
    p = Put(p, t.subject_prefix);
    p = PutHeader(p, 0x31, TlvSize(cn_atv));  // SET { SEQUENCE { id-at-commonName, UTF8String } }, as OpenSSL
    p = PutHeader(p, der::kSequence, cn_atv);
    p = Put(p, Bytes(kOidCn));
    p = PutHeader(p, 0x0c, spec.id.size());
    p = Put(p, spec.id);
    p = Put(p, spki);
    p = PutHeader(p, 0xa3, TlvSize(exts));
    p = PutHeader(p, der::kSequence, exts);
    p = Put(p, t.profile_exts);
    p = PutHeader(p, der::kSequence, ski_content);
    p = Put(p, Bytes(kOidSki));
    p = PutHeader(p, der::kOctetString, TlvSize(sizeof(ski)));
    p = PutHeader(p, der::kOctetString, sizeof(ski));
    p = Put(p, Bytes(ski));
    p = Put(p, t.aki_ext);
    if (!sans.empty()) {
      p = PutHeader(p, der::kSequence, san_content);
      p = Put(p, Bytes(kOidSan));
      p = PutHeader(p, der::kOctetString, TlvSize(names.size()));
      p = PutHeader(p, der::kSequence, names.size());
      p = Put(p, names);
    }
    if (p != tbs.data() + tbs.size()) return MakeError(ErrorCode::kInternal, "device certificate encoding");
  }

  // The signature.
  MQTTPKI_ASSIGN_OR_RETURN(std::string sig, s.signer->Sign(tbs));
  // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING (no unused bits) }
  const size_t cert = tbs.size() + t.sig_alg.size() + TlvSize(1 + sig.size());
  out.cert_der.resize(TlvSize(cert));
  {
    char* p = out.cert_der.data();
    p = PutHeader(p, der::kSequence, cert);
    p = Put(p, tbs);
    p = Put(p, t.sig_alg);
    p = PutHeader(p, der::kBitString, 1 + sig.size());
    *p++ = '\0';
    Put(p, sig);
  }
  out.cert_pem = PemEncode(out.cert_der, "CERTIFICATE");

  State::Record(t, issuer_.ca_name_, spec, serial, sans, out);
  return out;
}

}  // namespace mqttpki

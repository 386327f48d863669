#include "mqttpki/issuer.h"
#include "mqttpki/signer.h"

#include <gtest/gtest.h>
#include <openssl/x509.h>

#include "ossl/ptr.h"

#include "pki/test_util.h"

namespace mqttpki {
namespace {

constexpr int64_t kNow = 1790000000;  // 2026-09-21, pinned

struct Ca {
  PrivateKey key;
  Certificate cert;
};

Ca MakeRoot(KeyType type = KeyType::kEcP256, int days = 3650) {
  Ca ca;
  ca.key = std::move(PrivateKey::Generate(type).value());
  IssueOptions o;
  o.profile = Profile::kRoot;
  o.subject = {"DE", "Test", "PKI", "Test Root CA"};
  o.days = days;
  o.now = kNow;
  ca.cert = Issue(o, ca.key.get(), nullptr, *KeySigner(ca.key).value()).value().certificate;
  return ca;
}

Ca MakeIntermediate(const Ca& root) {
  Ca ca;
  ca.key = std::move(PrivateKey::Generate(KeyType::kEcP256).value());
  IssueOptions o;
  o.profile = Profile::kIntermediate;
  o.subject = {"DE", "Test", "PKI", "Test Server CA"};
  o.days = 1825;
  o.now = kNow;
  ca.cert = Issue(o, ca.key.get(), &root.cert, *KeySigner(root.key).value()).value().certificate;
  return ca;
}

TEST(Issue, RootProfile) {
  Ca root = MakeRoot();
  EXPECT_TRUE(root.cert.IsCa());
  EXPECT_EQ(root.cert.PathLength(), -1);
  EXPECT_TRUE(root.cert.IsSelfIssued());
  EXPECT_EQ(root.cert.KeyUsage(), (std::vector<std::string>{"keyCertSign", "cRLSign"}));
  EXPECT_FALSE(root.cert.HasExtendedKeyUsage());
  EXPECT_EQ(root.cert.NotBefore(), kNow - kBackdateSeconds);
  EXPECT_EQ(root.cert.NotAfter(), kNow + 3650LL * 86400);
  EXPECT_EQ(root.cert.SignatureAlgorithm(), "ecdsa-with-SHA256");
}

TEST(Issue, SerialsArePositiveTwentyBytesAndUnique) {
  Ca root = MakeRoot();
  Ca a = MakeIntermediate(root);
  Ca b = MakeIntermediate(root);
  for (const Certificate* c : {&root.cert, &a.cert, &b.cert}) {
    EXPECT_EQ(c->SerialBytes(), kSerialBytes);
    EXPECT_NE(c->SerialHex().front(), '-');
  }
  EXPECT_NE(a.cert.SerialHex(), b.cert.SerialHex());
}

TEST(Issue, ServerProfileCopiesCnIntoSans) {
  Ca root = MakeRoot();
  Ca inter = MakeIntermediate(root);
  PrivateKey key = std::move(PrivateKey::Generate(KeyType::kEcP256).value());
  IssueOptions o;
  o.profile = Profile::kServer;
  o.subject.common_name = "10.0.0.5";
  o.sans = {ParseSan("mqtt.example.com").value()};
  o.now = kNow;
  Result<IssueResult> r = Issue(o, key.get(), &inter.cert, *KeySigner(inter.key).value());
  ASSERT_TRUE(r.ok()) << r.error().message;
  std::vector<SubjectAltName> sans = r->certificate.Sans();
  ASSERT_EQ(sans.size(), 2u);
  EXPECT_EQ(sans[0].ToString(), "IP:10.0.0.5");
  EXPECT_EQ(sans[1].ToString(), "DNS:mqtt.example.com");
  EXPECT_EQ(r->certificate.KeyUsage(), std::vector<std::string>{"digitalSignature"});
  EXPECT_EQ(r->certificate.ExtendedKeyUsage(), std::vector<std::string>{"serverAuth"});
  EXPECT_TRUE(r->certificate.IssuedBy(inter.cert));
  EXPECT_FALSE(r->certificate.IssuedBy(root.cert));
}

TEST(Issue, RsaServerGetsKeyEncipherment) {
  Ca root = MakeRoot();
  PrivateKey key = std::move(PrivateKey::Generate(KeyType::kRsa2048).value());
  IssueOptions o;
  o.profile = Profile::kServer;
  o.subject.common_name = "broker";
  o.now = kNow;
  Result<IssueResult> r = Issue(o, key.get(), &root.cert, *KeySigner(root.key).value());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->certificate.KeyUsage(), (std::vector<std::string>{"digitalSignature", "keyEncipherment"}));
}

// ProfileExtensionsIn is the DER of |cert|'s first |n| extensions, as OpenSSL encoded them.
std::string ProfileExtensionsIn(const Certificate& cert, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += ossl::I2d(i2d_X509_EXTENSION, X509_get_ext(cert.get(), i));
  return out;
}

// One definition, two encoders: what Issue writes through OpenSSL for every profile is, byte for byte, what
// ProfileExtensionsDer (the device batch's encoder) makes of the same definition.
TEST(Issue, EveryProfileIsEncodedAsItsDefinitionSays) {
  Ca root = MakeRoot();
  ProfileExtensions root_def = ExtensionsOf(Profile::kRoot, std::nullopt, false);
  EXPECT_TRUE(root_def.ca && root_def.basic_constraints_critical && !root_def.path_len && !root_def.eku);
  EXPECT_EQ(root_def.key_usage, (std::vector<unsigned>{kKeyCertSign, kCrlSign}));
  EXPECT_EQ(ProfileExtensionsIn(root.cert, 2), ProfileExtensionsDer(root_def));

  struct Case {
    Profile profile;
    std::optional<Profile> ca_for;
    KeyType key;
  };
  const Case cases[] = {
      {Profile::kIntermediate, std::nullopt, KeyType::kEcP256}, {Profile::kIntermediate, Profile::kServer, KeyType::kEcP256},
      {Profile::kIntermediate, Profile::kClient, KeyType::kRsa2048}, {Profile::kServer, std::nullopt, KeyType::kEcP256},
      {Profile::kServer, std::nullopt, KeyType::kRsa2048},      {Profile::kClient, std::nullopt, KeyType::kEcP384},
      {Profile::kClient, std::nullopt, KeyType::kRsa2048},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(ProfileName(c.profile) + " " + KeyTypeName(c.key));
    PrivateKey key = std::move(PrivateKey::Generate(c.key).value());
    IssueOptions o;
    o.profile = c.profile;
    o.ca_for = c.ca_for;
    o.subject.common_name = c.profile == Profile::kIntermediate ? "Sub CA" : "leaf.example.com";
    o.now = kNow;
    Result<IssueResult> r = Issue(o, key.get(), &root.cert, *KeySigner(root.key).value());
    ASSERT_TRUE(r.ok()) << r.error().message;
    ProfileExtensions def = ExtensionsOf(c.profile, c.ca_for, IsRsa(c.key));
    EXPECT_EQ(def.path_len, c.profile == Profile::kIntermediate ? std::optional<int>(0) : std::nullopt);
    EXPECT_EQ(def.eku, c.profile == Profile::kIntermediate ? c.ca_for : std::optional<Profile>(c.profile));
    EXPECT_EQ(ProfileExtensionsIn(r->certificate, def.eku ? 3 : 2), ProfileExtensionsDer(def));
  }
  // keyEncipherment for an RSA server only.
  EXPECT_EQ(ExtensionsOf(Profile::kServer, std::nullopt, true).key_usage,
            (std::vector<unsigned>{kDigitalSignature, kKeyEncipherment}));
  EXPECT_EQ(ExtensionsOf(Profile::kClient, std::nullopt, true).key_usage, std::vector<unsigned>{kDigitalSignature});
}

// The signature is set in the certificate object (as X509_sign does), not parsed back from the signed DER: what
// OpenSSL caches and compares of that object is still what the DER says.
TEST(Issue, TheSignedObjectIsWhatItsDerSays) {
  Ca root = MakeRoot();
  for (Profile profile : {Profile::kIntermediate, Profile::kServer, Profile::kClient}) {
    SCOPED_TRACE(ProfileName(profile));
    PrivateKey key = std::move(PrivateKey::Generate(KeyType::kEcP256).value());
    IssueOptions o;
    o.profile = profile;
    o.subject.common_name = profile == Profile::kIntermediate ? "Sub CA" : "leaf.example.com";
    o.now = kNow;
    Result<IssueResult> r = Issue(o, key.get(), &root.cert, *KeySigner(root.key).value());
    ASSERT_TRUE(r.ok()) << r.error().message;
    X509* issued = r->certificate.get();
    std::string der = ossl::I2d(i2d_X509, issued);
    const auto* in = reinterpret_cast<const unsigned char*>(der.data());
    ossl::UniquePtr<X509> parsed(d2i_X509(nullptr, &in, static_cast<long>(der.size())));
    ASSERT_TRUE(parsed);
    // X509_digest(SHA-1) and X509_cmp read the hash OpenSSL caches with the extensions.
    unsigned char a[EVP_MAX_MD_SIZE], b[EVP_MAX_MD_SIZE];
    unsigned int na = 0, nb = 0;
    ASSERT_EQ(X509_digest(issued, EVP_sha1(), a, &na), 1);
    ASSERT_EQ(X509_digest(parsed.get(), EVP_sha1(), b, &nb), 1);
    EXPECT_EQ(std::string(reinterpret_cast<char*>(a), na), std::string(reinterpret_cast<char*>(b), nb));
    EXPECT_EQ(X509_cmp(issued, parsed.get()), 0);
    EXPECT_EQ(X509_verify(issued, X509_get0_pubkey(root.cert.get())), 1);
    EXPECT_EQ(X509_get_extension_flags(issued), X509_get_extension_flags(parsed.get()));
  }
}

TEST(Issue, P384IssuerSignsWithSha384) {
  Ca root = MakeRoot(KeyType::kEcP384);
  Ca inter = MakeIntermediate(root);
  EXPECT_EQ(inter.cert.SignatureAlgorithm(), "ecdsa-with-SHA384");
}

TEST(Issue, LeafIsClampedToItsIssuer) {
  Ca root = MakeRoot(KeyType::kEcP256, 10);
  PrivateKey key = std::move(PrivateKey::Generate(KeyType::kEcP256).value());
  IssueOptions o;
  o.profile = Profile::kServer;
  o.subject.common_name = "broker";
  o.days = 365;
  o.now = kNow;
  Result<IssueResult> r = Issue(o, key.get(), &root.cert, *KeySigner(root.key).value());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->certificate.NotAfter(), root.cert.NotAfter());
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_NE(r->warnings[0].find("would outlive its issuer"), std::string::npos);
}

TEST(Issue, RefusesWhatPolicyForbids) {
  Ca root = MakeRoot();
  Ca inter = MakeIntermediate(root);
  PrivateKey key = std::move(PrivateKey::Generate(KeyType::kEcP256).value());
  IssueOptions o;
  o.profile = Profile::kIntermediate;
  o.subject.common_name = "Sub CA";
  o.now = kNow;
  Result<IssueResult> r = Issue(o, key.get(), &inter.cert, *KeySigner(inter.key).value());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "'C=DE, O=Test, OU=PKI, CN=Test Server CA' has pathlen 0 and cannot sign another CA");

  o.profile = Profile::kServer;
  o.subject.common_name = "broker";
  Result<IssueResult> wrong_key = Issue(o, key.get(), &inter.cert, *KeySigner(root.key).value());
  ASSERT_FALSE(wrong_key.ok());
  EXPECT_EQ(wrong_key.error().message, "the issuer's private key does not match its certificate");

  o.now = root.cert.NotAfter() + 1;
  Result<IssueResult> expired = Issue(o, key.get(), &root.cert, *KeySigner(root.key).value());
  ASSERT_FALSE(expired.ok());
  EXPECT_NE(expired.error().message.find("expired on"), std::string::npos);

  o.now = kNow;
  o.subject.common_name = "Not A Hostname";
  Result<IssueResult> no_san = Issue(o, key.get(), &root.cert, *KeySigner(root.key).value());
  ASSERT_FALSE(no_san.ok());
  EXPECT_EQ(testing::Worded(no_san.error()), "a server certificate needs at least one --san (DNS name or IP address)");
  EXPECT_EQ(no_san.error().argument, "san");
}

}  // namespace
}  // namespace mqttpki

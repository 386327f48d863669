#include "mqttpki/key.h"

#include <gtest/gtest.h>

namespace mqttpki {
namespace {

TEST(KeyType, ParseAndName) {
  for (const char* name : {"ec-p256", "ec-p384", "rsa-2048", "rsa-3072", "rsa-4096"}) {
    Result<KeyType> t = ParseKeyType(name);
    ASSERT_TRUE(t.ok()) << name;
    EXPECT_EQ(KeyTypeName(*t), name);
  }
  Result<KeyType> bad = ParseKeyType("rsa-1024");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kUsage);
  EXPECT_EQ(bad.error().message, "unknown key type 'rsa-1024': use ec-p256, ec-p384, rsa-2048, rsa-3072 or rsa-4096");
}

TEST(PrivateKey, GenerateDescribes) {
  EXPECT_EQ(PrivateKey::Generate(KeyType::kEcP256)->Description(), "EC P-256");
  EXPECT_EQ(PrivateKey::Generate(KeyType::kEcP384)->Description(), "EC P-384");
  Result<PrivateKey> rsa = PrivateKey::Generate(KeyType::kRsa2048);
  EXPECT_EQ(rsa->Description(), "RSA 2048");
  EXPECT_TRUE(rsa->is_rsa());
  EXPECT_EQ(rsa->Type(), KeyType::kRsa2048);
}

TEST(PrivateKey, PlainPemRoundTrip) {
  Result<PrivateKey> key = PrivateKey::Generate(KeyType::kEcP256);
  Result<Secret> pem = key->ToPem(nullptr);
  ASSERT_TRUE(pem.ok());
  EXPECT_NE(pem->str().find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  EXPECT_FALSE(PrivateKey::IsEncryptedPem(pem->str()));
  Result<PrivateKey> back = PrivateKey::FromPem(pem->str(), nullptr, "k.pem");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->PublicKeyDer(), key->PublicKeyDer());
}

TEST(PrivateKey, EncryptedPemNeedsTheRightPassphrase) {
  Result<PrivateKey> key = PrivateKey::Generate(KeyType::kEcP256);
  Secret pass("correct horse battery");
  Result<Secret> pem = key->ToPem(&pass);
  ASSERT_TRUE(pem.ok());
  EXPECT_NE(pem->str().find("-----BEGIN ENCRYPTED PRIVATE KEY-----"), std::string::npos);
  EXPECT_TRUE(PrivateKey::IsEncryptedPem(pem->str()));

  Result<PrivateKey> back = PrivateKey::FromPem(pem->str(), &pass, "k.pem");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->PublicKeyDer(), key->PublicKeyDer());

  Secret wrong("incorrect horse");
  Result<PrivateKey> bad = PrivateKey::FromPem(pem->str(), &wrong, "k.pem");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInput);
  EXPECT_EQ(bad.error().message, "wrong passphrase for k.pem");

  Result<PrivateKey> none = PrivateKey::FromPem(pem->str(), nullptr, "k.pem");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message, "k.pem is encrypted and no passphrase was given");
}

TEST(PrivateKey, NotAKey) {
  Result<PrivateKey> r = PrivateKey::FromPem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                                             nullptr, "c.pem");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "c.pem holds a certificate, not a private key");
  Result<PrivateKey> garbage = PrivateKey::FromPem(
      "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n", nullptr, "g.pem");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().message, "g.pem holds a private key that cannot be parsed");
}

TEST(Secret, MoveLeavesSourceEmpty) {
  Secret a("hunter22");
  Secret b(std::move(a));
  EXPECT_EQ(b.str(), "hunter22");
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move)
}

}  // namespace
}  // namespace mqttpki

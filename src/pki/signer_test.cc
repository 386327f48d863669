#include "mqttpki/signer.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <thread>

#include "mqttpki/key.h"
#include "ossl/ptr.h"

namespace mqttpki {
namespace {

// ExpectedAlgorithm is the AlgorithmIdentifier OpenSSL itself encodes for |key| signing with |md|.
std::string ExpectedAlgorithm(const PrivateKey& key, const EVP_MD* md) {
  int sig_nid = NID_undef;
  EXPECT_EQ(OBJ_find_sigid_by_algs(&sig_nid, EVP_MD_get_type(md), EVP_PKEY_get_base_id(key.get())), 1);
  auto alg = ossl::Wrap(X509_ALGOR_new());
  X509_ALGOR_set0(alg.get(), OBJ_nid2obj(sig_nid), key.is_rsa() ? V_ASN1_NULL : V_ASN1_UNDEF, nullptr);
  return ossl::I2d(i2d_X509_ALGOR, alg.get());
}

// Verifies says whether OpenSSL's own EVP verification accepts |sig| over |data| by |key|'s public key.
bool Verifies(const PrivateKey& key, const EVP_MD* md, const std::string& data, const std::string& sig) {
  std::string spki = key.PublicKeyDer();
  const auto* p = reinterpret_cast<const unsigned char*>(spki.data());
  auto pub = ossl::Wrap(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
  auto ctx = ossl::Wrap(EVP_MD_CTX_new());
  if (!pub || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, pub.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
}

struct Case {
  KeyType type;
  const EVP_MD* (*md)();
};

class KeySignerTest : public ::testing::TestWithParam<Case> {};

TEST_P(KeySignerTest, SignsWhatOpenSslVerifiesUnderTheAlgorithmItNames) {
  PrivateKey key = std::move(PrivateKey::Generate(GetParam().type).value());
  Result<std::unique_ptr<Signer>> signer = KeySigner(key);
  ASSERT_TRUE(signer.ok()) << signer.error().message;
  const EVP_MD* md = GetParam().md();
  EXPECT_EQ((*signer)->Algorithm(), ExpectedAlgorithm(key, md));
  EXPECT_EQ((*signer)->PublicKeyDer(), key.PublicKeyDer());
  EXPECT_EQ((*signer)->Description(), key.Description());

  const std::string data = "a TBSCertificate, or anything else";
  Result<std::string> sig = (*signer)->Sign(data);
  ASSERT_TRUE(sig.ok()) << sig.error().message;
  EXPECT_TRUE(Verifies(key, md, data, *sig));
  EXPECT_FALSE(Verifies(key, md, data + "!", *sig));
  // Empty input is signed too (its digest is well defined).
  Result<std::string> empty = (*signer)->Sign("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(Verifies(key, md, "", *empty));
}

INSTANTIATE_TEST_SUITE_P(Keys, KeySignerTest,
                         ::testing::Values(Case{KeyType::kEcP256, EVP_sha256}, Case{KeyType::kEcP384, EVP_sha384},
                                           Case{KeyType::kRsa2048, EVP_sha256}),
                         [](const ::testing::TestParamInfo<Case>& param) {
                           std::string name =
                               KeyTypeName(param.param.type);  // "ec-p256": a test name wants [A-Za-z0-9_]
                           for (char& c : name) c = c == '-' ? '_' : c;
                           return name;
                         });

TEST(KeySigner, ForksSignOnTheirOwnThreadsWithTheSameKey) {
  PrivateKey key = std::move(PrivateKey::Generate(KeyType::kEcP256).value());
  std::unique_ptr<Signer> signer = std::move(KeySigner(key).value());
  std::vector<std::unique_ptr<Signer>> forks;
  for (int i = 0; i < 2; ++i) forks.push_back(std::move(signer->Fork().value()));
  std::vector<std::string> sigs(forks.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < forks.size(); ++i) {
    threads.emplace_back([&, i] {
      for (int n = 0; n < 50; ++n) sigs[i] = forks[i]->Sign("device " + std::to_string(i)).value();
    });
  }
  for (std::thread& t : threads) t.join();
  for (size_t i = 0; i < forks.size(); ++i) {
    EXPECT_EQ(forks[i]->Algorithm(), signer->Algorithm());
    EXPECT_TRUE(Verifies(key, EVP_sha256(), "device " + std::to_string(i), sigs[i]));
  }
}

TEST(KeySigner, RefusesKeysThatCannotSignCertificates) {
  auto ctx = ossl::Wrap(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
  EVP_PKEY* raw = nullptr;
  ASSERT_TRUE(ctx && EVP_PKEY_keygen_init(ctx.get()) == 1 && EVP_PKEY_keygen(ctx.get(), &raw) == 1);
  PrivateKey ed = PrivateKey::Adopt(raw);
  Result<std::unique_ptr<Signer>> signer = KeySigner(ed);
  ASSERT_FALSE(signer.ok());
  EXPECT_EQ(signer.error().code, ErrorCode::kInput);
  EXPECT_EQ(signer.error().message, "a " + ed.Description() + " key cannot sign certificates: CA keys are EC or RSA");

  EXPECT_EQ(KeySigner(PrivateKey()).error().code, ErrorCode::kInternal);
}

}  // namespace
}  // namespace mqttpki

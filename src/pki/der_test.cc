#include "pki/der.h"

#include <gtest/gtest.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "mqttpki/key.h"
#include "ossl/ptr.h"

namespace mqttpki {
namespace {

TEST(DerTest, LengthsAreMinimalAndSizesAgree) {
  const std::vector<std::pair<size_t, std::string>> cases = {{0, std::string("\x00", 1)},
                                                             {127, "\x7f"},
                                                             {128, "\x81\x80"},
                                                             {255, "\x81\xff"},
                                                             {256, std::string("\x82\x01\x00", 3)},
                                                             {65535, "\x82\xff\xff"},
                                                             {65536, std::string("\x83\x01\x00\x00", 4)},
                                                             {16777216, std::string("\x84\x01\x00\x00\x00", 5)}};
  for (const auto& [len, want] : cases) {
    std::string got;
    der::AppendLength(got, len);
    EXPECT_EQ(got, want) << len;
    EXPECT_EQ(der::LengthSize(len), want.size()) << len;
    EXPECT_EQ(der::TlvSize(len), 1 + want.size() + len) << len;
    char buf[16];
    EXPECT_EQ(std::string(buf, der::PutHeader(buf, der::kSequence, len)), "\x30" + want) << len;
  }
}

TEST(PemTest, EncodesAsOpenSslDoesForEveryLength) {
  std::string data = "x";
  for (size_t len = 1; len <= 200; ++len) {
    auto bio = ossl::Wrap(BIO_new(BIO_s_mem()));
    ASSERT_NE(bio, nullptr);
    ASSERT_GT(PEM_write_bio(bio.get(), "CERTIFICATE", "", reinterpret_cast<const unsigned char*>(data.data()),
                            static_cast<long>(len)),
              0);
    char* p = nullptr;
    long n = BIO_get_mem_data(bio.get(), &p);
    EXPECT_EQ(PemEncode(data, "CERTIFICATE"), std::string(p, static_cast<size_t>(n))) << "length " << len;
    data.push_back(static_cast<char>(len * 37 + 11));
  }
}

TEST(DerTest, UnsignedIntegersAreWhatOpenSslReads) {
  const std::vector<std::pair<uint64_t, std::string>> cases = {
      {0, std::string("\x02\x01\x00", 3)},
      {1, "\x02\x01\x01"},
      {127, "\x02\x01\x7f"},
      {128, std::string("\x02\x02\x00\x80", 4)},  // a leading zero keeps it positive
      {256, std::string("\x02\x02\x01\x00", 4)},
      {0xffffffffffffffffull, std::string("\x02\x09\x00\xff\xff\xff\xff\xff\xff\xff\xff", 11)}};
  for (const auto& [v, want] : cases) {
    std::string got;
    der::AppendUnsigned(got, der::kInteger, v);
    EXPECT_EQ(got, want) << v;
    const auto* p = reinterpret_cast<const unsigned char*>(got.data());
    auto i = ossl::Wrap(d2i_ASN1_INTEGER(nullptr, &p, static_cast<long>(got.size())));
    ASSERT_NE(i, nullptr) << v;
    uint64_t back = 0;
    ASSERT_EQ(ASN1_INTEGER_get_uint64(&back, i.get()), 1) << v;
    EXPECT_EQ(back, v);
  }
  // Leading zero bytes of a magnitude are dropped; an empty magnitude is 0.
  std::string got;
  der::AppendUnsigned(got, der::kInteger, std::string_view("\x00\x00\x05", 3));
  EXPECT_EQ(got, "\x02\x01\x05");
  got.clear();
  der::AppendUnsigned(got, der::kInteger, std::string_view());
  EXPECT_EQ(got, std::string("\x02\x01\x00", 3));
}

TEST(DerTest, TimesAreUtcBefore2050AndGeneralizedFrom2050) {
  struct Case {
    int64_t t;
    std::string want;
  };
  const std::vector<Case> cases = {{0,
                                    "\x17\x0d"
                                    "700101000000Z"},
                                   {1790000000,
                                    "\x17\x0d"
                                    "260921141320Z"},
                                   {2524607999,
                                    "\x17\x0d"
                                    "491231235959Z"},
                                   {2524608000,
                                    "\x18\x0f"
                                    "20500101000000Z"}};
  for (const Case& c : cases) {
    std::string got;
    der::AppendTime(got, c.t);
    EXPECT_EQ(got, c.want) << c.t;
    const auto* p = reinterpret_cast<const unsigned char*>(got.data());
    auto parsed = ossl::Wrap(d2i_ASN1_TIME(nullptr, &p, static_cast<long>(got.size())));
    ASSERT_NE(parsed, nullptr) << c.t;
    int days = 0, secs = 0;
    auto expected = ossl::Wrap(ASN1_TIME_set(nullptr, static_cast<time_t>(c.t)));
    ASSERT_EQ(ASN1_TIME_diff(&days, &secs, parsed.get(), expected.get()), 1);
    EXPECT_EQ(days, 0);
    EXPECT_EQ(secs, 0);
  }
}

TEST(DerTest, ReadTakesOneTlvAndRefusesWhatIsNotDer) {
  std::string two = der::Wrap(der::kSequence, std::string(200, 'x')) + der::Wrap(der::kOctetString, "ab");
  std::string_view in = two;
  uint8_t tag = 0;
  std::string_view content;
  ASSERT_TRUE(der::Read(in, tag, content));
  EXPECT_EQ(tag, der::kSequence);
  EXPECT_EQ(content, std::string(200, 'x'));
  ASSERT_TRUE(der::Read(in, tag, content));
  EXPECT_EQ(tag, der::kOctetString);
  EXPECT_EQ(content, "ab");
  EXPECT_TRUE(in.empty());
  EXPECT_FALSE(der::Read(in, tag, content));  // nothing left

  for (std::string bad : {std::string("\x30"),  // no length
                          std::string("\x30\x05"
                                      "abc"),  // shorter than its length
                          std::string("\x30\x80"
                                      "ab\0\0",
                                      6),  // indefinite length (BER)
                          std::string("\x30\x81\x05"
                                      "abcde"),                                         // long form for a short length
                          std::string("\x30\x82\x00\x81", 4) + std::string(0x81, 'x'),  // a leading zero octet
                          std::string("\x30\x85\x01\x00\x00\x00\x00", 7)}) {            // beyond 4 octets
    std::string_view v = bad;
    EXPECT_FALSE(der::Read(v, tag, content)) << testing::PrintToString(bad);
    EXPECT_EQ(v.size(), bad.size()) << "input consumed on failure";
  }
}

TEST(DerTest, SubjectPublicKeyBitsIsThePointOpenSslEncoded) {
  PrivateKey key = std::move(PrivateKey::Generate(KeyType::kEcP256).value());
  std::string spki = key.PublicKeyDer();
  std::string_view bits;
  ASSERT_TRUE(der::SubjectPublicKeyBits(spki, bits));
  ASSERT_EQ(bits.size(), 65u);  // uncompressed P-256 point
  EXPECT_EQ(bits[0], '\x04');
  EXPECT_EQ(spki.substr(spki.size() - 65), bits);
  EXPECT_FALSE(der::SubjectPublicKeyBits(spki.substr(0, spki.size() - 1), bits));
  EXPECT_FALSE(der::SubjectPublicKeyBits(spki + "x", bits));  // trailing bytes
  EXPECT_FALSE(der::SubjectPublicKeyBits("", bits));
}

TEST(DerTest, ExtensionsAreWhatOpenSslParses) {
  std::string number;
  der::AppendUnsigned(number, der::kInteger, uint64_t{42});
  std::string ext;
  der::AppendExtension(ext, std::string_view("\x06\x03\x55\x1d\x14", 5), number);  // cRLNumber
  const auto* p = reinterpret_cast<const unsigned char*>(ext.data());
  auto parsed = ossl::Wrap(d2i_X509_EXTENSION(nullptr, &p, static_cast<long>(ext.size())));
  ASSERT_NE(parsed, nullptr);
  EXPECT_EQ(OBJ_obj2nid(X509_EXTENSION_get_object(parsed.get())), NID_crl_number);
  EXPECT_EQ(X509_EXTENSION_get_critical(parsed.get()), 0);
  const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(parsed.get());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                        static_cast<size_t>(ASN1_STRING_length(value))),
            number);
}

}  // namespace
}  // namespace mqttpki

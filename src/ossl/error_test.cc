// The OpenSSL error queue turned into Error values (error.cc).
#include "ossl/error.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <string>

#include "ossl/ptr.h"

namespace mqttpki {
namespace {

// FailToParse leaves OpenSSL's reasons for two failed parses in this thread's queue, oldest first.
void FailToParse() {
  const unsigned char garbage[] = {0x30, 0x03, 0x02, 0x01};
  const unsigned char* in = garbage;
  ossl::UniquePtr<X509> cert(d2i_X509(nullptr, &in, sizeof(garbage)));
  EXPECT_FALSE(cert);
  ossl::UniquePtr<BIO> bio(BIO_new_mem_buf("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", -1));
  ossl::UniquePtr<X509> pem(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  EXPECT_FALSE(pem);
}

TEST(OsslError, CarriesTheQueueAndLeavesItEmpty) {
  ossl::ClearErrors();
  FailToParse();
  ASSERT_NE(ERR_peek_error(), 0u);
  Error e = ossl::OsslError(ErrorCode::kInput, "leaf.pem holds a certificate that cannot be parsed");
  EXPECT_EQ(e.code, ErrorCode::kInput);
  EXPECT_EQ(e.message, "leaf.pem holds a certificate that cannot be parsed");
  ASSERT_GE(e.openssl_errors.size(), 2u);
  for (const std::string& line : e.openssl_errors) EXPECT_FALSE(line.empty());
  // Oldest first: the DER parse failed before the PEM one.
  EXPECT_NE(e.openssl_errors.front().find("asn1"), std::string::npos) << e.openssl_errors.front();
  EXPECT_EQ(ERR_peek_error(), 0u);  // drained: the next failure is not blamed on this one's reasons
  Error next = ossl::OsslError(ErrorCode::kInternal, "nothing failed in OpenSSL");
  EXPECT_TRUE(next.openssl_errors.empty());
}

TEST(OsslError, ClearErrorsForgetsWhatCameBefore) {
  FailToParse();
  ossl::ClearErrors();
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_TRUE(ossl::DrainErrors().empty());
}

}  // namespace
}  // namespace mqttpki

#include "mqttpki/crl.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <string>
#include <vector>

#include "mqttpki/signer.h"
#include "ossl/ptr.h"
#include "pki/internal.h"
#include "pki/test_util.h"

namespace mqttpki {
namespace {

using testing::IssueTest;
using testing::kTestNow;
using testing::MakeTestIntermediate;
using testing::MakeTestRoot;
using testing::RunCommand;
using testing::TempDir;
using testing::TestCa;
using testing::TestKey;
using testing::WriteTestFile;

constexpr int64_t kWeek = 7 * 86400;

CrlRequest Request(int64_t number = 7, int64_t this_update = kTestNow, int64_t next_update = kTestNow + kWeek) {
  CrlRequest r;
  r.number = number;
  r.this_update = this_update;
  r.next_update = next_update;
  return r;
}

// Decoded is the CRL as OpenSSL's own decoder reads it from the DER.
ossl::UniquePtr<X509_CRL> Decoded(const std::string& der) {
  const unsigned char* in = reinterpret_cast<const unsigned char*>(der.data());
  ossl::UniquePtr<X509_CRL> crl(d2i_X509_CRL(nullptr, &in, static_cast<long>(der.size())));
  EXPECT_TRUE(crl);
  EXPECT_EQ(in, reinterpret_cast<const unsigned char*>(der.data()) + der.size()) << "data after the CRL";
  return crl;
}

int64_t Unix(const ASN1_TIME* t) {
  int day = 0, sec = 0;
  ossl::UniquePtr<ASN1_STRING> epoch(ASN1_TIME_set(nullptr, 0));
  EXPECT_EQ(ASN1_TIME_diff(&day, &sec, epoch.get(), t), 1);
  return int64_t{day} * 86400 + sec;
}

std::string SerialOf(const X509_REVOKED* r) {
  ossl::UniquePtr<BIGNUM> bn(ASN1_INTEGER_to_BN(X509_REVOKED_get0_serialNumber(r), nullptr));
  ossl::OsslBuffer<char> hex(BN_bn2hex(bn.get()));
  return hex ? std::string(hex.get()) : std::string();
}

// ReasonOf is the entry's reasonCode, or -1 without one.
long ReasonOf(const X509_REVOKED* r) {
  int crit = 0;
  ossl::UniquePtr<ASN1_STRING> code(
      static_cast<ASN1_ENUMERATED*>(X509_REVOKED_get_ext_d2i(r, NID_crl_reason, &crit, nullptr)));
  return code ? ASN1_ENUMERATED_get(code.get()) : -1;
}

TEST(MakeCrl, OpenSslDecodesEveryField) {
  TestCa ca = MakeTestRoot();
  std::vector<RevokedEntry> revoked = {
      {"0A0B0C", kTestNow - 300, RevocationReason::kKeyCompromise},
      {"7", kTestNow - 200, RevocationReason::kUnspecified},
      {"ff01", kTestNow - 100, RevocationReason::kPrivilegeWithdrawn},  // lower case is read too
      {"00000102", kTestNow - 50, RevocationReason::kCertificateHold},  // leading zeros are not part of the number
  };
  Result<CrlFiles> files = MakeCrl(ca.cert, *KeySigner(ca.key).value(), revoked, Request());
  ASSERT_TRUE(files.ok()) << files.error().message;
  EXPECT_EQ(files->entries, 4u);
  ossl::UniquePtr<X509_CRL> crl = Decoded(files->der);
  ASSERT_TRUE(crl);
  EXPECT_EQ(X509_CRL_get_version(crl.get()), 1);  // v2
  EXPECT_EQ(X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(ca.cert.get())), 0);
  EXPECT_EQ(Unix(X509_CRL_get0_lastUpdate(crl.get())), kTestNow);
  EXPECT_EQ(Unix(X509_CRL_get0_nextUpdate(crl.get())), kTestNow + kWeek);
  EXPECT_EQ(X509_CRL_get_signature_nid(crl.get()), NID_ecdsa_with_SHA256);
  EXPECT_EQ(X509_CRL_verify(crl.get(), ca.cert.PublicKey()), 1);

  ossl::UniquePtr<ASN1_STRING> number(
      static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl.get(), NID_crl_number, nullptr, nullptr)));
  ASSERT_TRUE(number);
  EXPECT_EQ(ASN1_INTEGER_get(number.get()), 7);
  ossl::UniquePtr<AUTHORITY_KEYID> aki(
      static_cast<AUTHORITY_KEYID*>(X509_CRL_get_ext_d2i(crl.get(), NID_authority_key_identifier, nullptr, nullptr)));
  ASSERT_TRUE(aki);
  ASSERT_NE(aki->keyid, nullptr);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(aki->keyid, X509_get0_subject_key_id(ca.cert.get())), 0);
  EXPECT_EQ(aki->issuer, nullptr);

  // Entries in numeric order of their serials, each with its date and reason.
  STACK_OF(X509_REVOKED)* entries = X509_CRL_get_REVOKED(crl.get());
  ASSERT_EQ(sk_X509_REVOKED_num(entries), 4);
  const struct {
    const char* serial;
    int64_t when;
    long reason;
  } kWant[] = {{"07", kTestNow - 200, -1},
               {"0102", kTestNow - 50, 6},
               {"FF01", kTestNow - 100, 9},
               {"0A0B0C", kTestNow - 300, 1}};
  for (int i = 0; i < 4; ++i) {
    const X509_REVOKED* r = sk_X509_REVOKED_value(entries, i);
    EXPECT_EQ(SerialOf(r), kWant[i].serial) << i;
    EXPECT_EQ(Unix(X509_REVOKED_get0_revocationDate(r)), kWant[i].when) << i;
    EXPECT_EQ(ReasonOf(r), kWant[i].reason) << i;
  }

  // The PEM holds the same DER, in 64-character lines.
  ossl::UniquePtr<BIO> bio = MemBio(files->pem);
  ossl::UniquePtr<X509_CRL> from_pem(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  ASSERT_TRUE(from_pem);
  EXPECT_EQ(ossl::I2d(i2d_X509_CRL, from_pem.get()), files->der);
  EXPECT_EQ(files->pem.rfind("-----BEGIN X509 CRL-----\n", 0), 0u);
  size_t first_line = files->pem.find('\n') + 1;
  EXPECT_EQ(files->pem.find('\n', first_line) - first_line, 64u);
}

// A serial whose first byte has the high bit set stays positive (a 0 is prepended in DER).
TEST(MakeCrl, HighBitSerialStaysPositive) {
  TestCa ca = MakeTestRoot();
  Result<CrlFiles> files =
      MakeCrl(ca.cert, *KeySigner(ca.key).value(), {{"80", kTestNow, RevocationReason::kSuperseded}}, Request());
  ASSERT_TRUE(files.ok()) << files.error().message;
  ossl::UniquePtr<X509_CRL> crl = Decoded(files->der);
  ASSERT_TRUE(crl);
  const X509_REVOKED* r = sk_X509_REVOKED_value(X509_CRL_get_REVOKED(crl.get()), 0);
  EXPECT_EQ(ASN1_STRING_type(X509_REVOKED_get0_serialNumber(r)), V_ASN1_INTEGER);  // not V_ASN1_NEG_INTEGER
  EXPECT_EQ(SerialOf(r), "80");
  EXPECT_EQ(ReasonOf(r), 4);
}

TEST(MakeCrl, EmptyCrlHasNoEntriesField) {
  TestCa ca = MakeTestRoot();
  Result<CrlFiles> files = MakeCrl(ca.cert, *KeySigner(ca.key).value(), {}, Request(1));
  ASSERT_TRUE(files.ok()) << files.error().message;
  EXPECT_EQ(files->entries, 0u);
  ossl::UniquePtr<X509_CRL> crl = Decoded(files->der);
  ASSERT_TRUE(crl);
  EXPECT_EQ(X509_CRL_get_REVOKED(crl.get()), nullptr);  // no empty revokedCertificates SEQUENCE
  EXPECT_EQ(X509_CRL_verify(crl.get(), ca.cert.PublicKey()), 1);
  Result<CrlInfo> info = ReadCrl(files->pem, "crl.pem");
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->entries, 0u);
  EXPECT_EQ(info->number, 1);
}

// Times from 2050 on are GeneralizedTime, before it UTCTime (RFC 5280 4.1.2.5).
TEST(MakeCrl, TimesSwitchToGeneralizedTimeIn2050) {
  constexpr int64_t k2050 = 2524608000;  // 2050-01-01 00:00:00 UTC
  TestCa ca = MakeTestRoot();
  Result<CrlFiles> files = MakeCrl(ca.cert, *KeySigner(ca.key).value(),
                                   {{"01", k2050 - 1, RevocationReason::kUnspecified}}, Request(2, k2050 - 1, k2050));
  ASSERT_TRUE(files.ok()) << files.error().message;
  ossl::UniquePtr<X509_CRL> crl = Decoded(files->der);
  ASSERT_TRUE(crl);
  EXPECT_EQ(ASN1_STRING_type(X509_CRL_get0_lastUpdate(crl.get())), V_ASN1_UTCTIME);
  EXPECT_EQ(ASN1_STRING_type(X509_CRL_get0_nextUpdate(crl.get())), V_ASN1_GENERALIZEDTIME);
  EXPECT_EQ(Unix(X509_CRL_get0_nextUpdate(crl.get())), k2050);
  Result<CrlInfo> info = ReadCrl(files->der, "crl.der");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->this_update, k2050 - 1);
  EXPECT_EQ(info->next_update, k2050);
}

TEST(MakeCrl, SignsWithTheKeysAlgorithm) {
  TestCa p384 = MakeTestRoot(KeyType::kEcP384);
  TestCa inter = MakeTestIntermediate(p384);
  TestCa rsa = MakeTestRoot(KeyType::kRsa2048);
  const struct {
    const TestCa* ca;
    int nid;
  } kCases[] = {{&p384, NID_ecdsa_with_SHA384}, {&inter, NID_ecdsa_with_SHA256}, {&rsa, NID_sha256WithRSAEncryption}};
  for (const auto& c : kCases) {
    Result<CrlFiles> files = MakeCrl(c.ca->cert, *KeySigner(c.ca->key).value(),
                                     {{"01", kTestNow, RevocationReason::kUnspecified}}, Request());
    ASSERT_TRUE(files.ok()) << files.error().message;
    ossl::UniquePtr<X509_CRL> crl = Decoded(files->der);
    ASSERT_TRUE(crl);
    EXPECT_EQ(X509_CRL_get_signature_nid(crl.get()), c.nid);
    EXPECT_EQ(X509_CRL_verify(crl.get(), c.ca->cert.PublicKey()), 1) << OBJ_nid2sn(c.nid);
  }
}

// Many entries: all present, in numeric order, each once.
TEST(MakeCrl, ThousandsOfEntriesInOrder) {
  TestCa ca = MakeTestRoot();
  std::vector<RevokedEntry> revoked;
  for (int i = 5000; i > 0; --i) {
    char hex[16];
    std::snprintf(hex, sizeof(hex), "%X", i * 37);
    revoked.push_back({hex, kTestNow - i, RevocationReason::kKeyCompromise});
  }
  Result<CrlFiles> files = MakeCrl(ca.cert, *KeySigner(ca.key).value(), revoked, Request(99));
  ASSERT_TRUE(files.ok()) << files.error().message;
  EXPECT_EQ(files->entries, 5000u);
  ossl::UniquePtr<X509_CRL> crl = Decoded(files->der);
  ASSERT_TRUE(crl);
  STACK_OF(X509_REVOKED)* entries = X509_CRL_get_REVOKED(crl.get());
  ASSERT_EQ(sk_X509_REVOKED_num(entries), 5000);
  for (int i = 0; i < 5000; ++i) {
    ASSERT_EQ(ASN1_INTEGER_get(X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(entries, i))),
              static_cast<long>(i + 1) * 37)
        << i;
  }
  EXPECT_EQ(X509_CRL_verify(crl.get(), ca.cert.PublicKey()), 1);
}

TEST(MakeCrl, RefusesBadInput) {
  TestCa ca = MakeTestRoot();
  TestCa other = MakeTestRoot();
  Result<CrlFiles> wrong_key = MakeCrl(ca.cert, *KeySigner(other.key).value(), {}, Request());
  ASSERT_FALSE(wrong_key.ok());
  EXPECT_EQ(wrong_key.error().code, ErrorCode::kInput);
  EXPECT_EQ(wrong_key.error().message, "the CA key does not match its certificate");

  for (const std::string& serial : {std::string(), std::string("XYZ"), std::string("12 34"), std::string("-01"),
                                    std::string("0x10"), std::string(43, 'A')}) {
    Result<CrlFiles> r = MakeCrl(ca.cert, *KeySigner(ca.key).value(),
                                 {{"01", kTestNow, RevocationReason::kUnspecified}, {serial, kTestNow, {}}}, Request());
    ASSERT_FALSE(r.ok()) << serial;
    EXPECT_EQ(r.error().code, ErrorCode::kInput);
    EXPECT_EQ(r.error().message, "invalid serial '" + serial + "' in the inventory");
  }
  // The same certificate twice: refused, not listed twice.
  Result<CrlFiles> twice = MakeCrl(ca.cert, *KeySigner(ca.key).value(),
                                   {{"0A", kTestNow, {}}, {"01", kTestNow, {}}, {"0A", kTestNow, {}}}, Request());
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::kInput);
  EXPECT_EQ(twice.error().message, "serial 0A is revoked twice in the inventory: a CRL lists each certificate once");
  CrlRequest negative = Request();
  negative.number = -1;
  Result<CrlFiles> bad_number = MakeCrl(ca.cert, *KeySigner(ca.key).value(), {}, negative);
  ASSERT_FALSE(bad_number.ok());
  EXPECT_EQ(bad_number.error().message, "invalid crlNumber -1: it is 0 or more");
  CrlRequest backwards = Request();
  backwards.next_update = backwards.this_update;
  Result<CrlFiles> bad_times = MakeCrl(ca.cert, *KeySigner(ca.key).value(), {}, backwards);
  ASSERT_FALSE(bad_times.ok());
  EXPECT_EQ(bad_times.error().message, "a CRL's nextUpdate (" + FormatTime(backwards.next_update) +
                                           ") must come after its thisUpdate (" + FormatTime(backwards.this_update) + ")");
  // 42 hex digits (a 21-byte magnitude: a 20-byte serial with its sign byte) is the longest accepted.
  EXPECT_TRUE(MakeCrl(ca.cert, *KeySigner(ca.key).value(), {{std::string(42, 'A'), kTestNow, {}}}, Request()).ok());
}

// A CA certificate without a subjectKeyIdentifier (made by the openssl CLI) cannot give the CRL its AKI.
TEST(MakeCrl, CaWithoutSubjectKeyIdentifier) {
  TempDir dir;
  PrivateKey key = TestKey();
  WriteTestFile(dir / "k.pem", key.ToPem(nullptr)->str());
  testing::CommandResult r = RunCommand("openssl req -x509 -key '" + (dir / "k.pem") +
                                        "' -subj /CN=noski -addext subjectKeyIdentifier=none -days 30");
  ASSERT_EQ(r.status, 0) << r.output;
  Result<Certificate> cert = Certificate::FromPem(r.output, "noski.pem");
  ASSERT_TRUE(cert.ok()) << r.output;
  Result<CrlFiles> files = MakeCrl(*cert, *KeySigner(key).value(), {}, Request());
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.error().code, ErrorCode::kInput);
  EXPECT_EQ(files.error().message, "the CA certificate has no subjectKeyIdentifier");
}

// The openssl CLI reads the CRL, checks its signature, and refuses a revoked certificate with it.
TEST(MakeCrl, OpensslCliVerifiesAndApplies) {
  TestCa ca = MakeTestRoot();
  PrivateKey k1 = TestKey(), k2 = TestKey();
  Certificate revoked = IssueTest(Profile::kServer, "revoked.example.com", {}, k1, &ca);
  Certificate good = IssueTest(Profile::kServer, "good.example.com", {}, k2, &ca);
  Result<CrlFiles> files = MakeCrl(ca.cert, *KeySigner(ca.key).value(),
                                   {{revoked.SerialHex(), kTestNow, RevocationReason::kKeyCompromise}}, Request(42));
  ASSERT_TRUE(files.ok()) << files.error().message;
  TempDir dir;
  WriteTestFile(dir / "ca.pem", ca.cert.ToPem());
  WriteTestFile(dir / "crl.pem", files->pem);
  WriteTestFile(dir / "crl.der", files->der);
  WriteTestFile(dir / "revoked.pem", revoked.ToPem());
  WriteTestFile(dir / "good.pem", good.ToPem());

  testing::CommandResult text = RunCommand("openssl crl -inform DER -in '" + (dir / "crl.der") +
                                           "' -noout -text -CAfile '" + (dir / "ca.pem") + "'");
  ASSERT_EQ(text.status, 0) << text.output;
  EXPECT_NE(text.output.find("verify OK"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("Version 2 (0x1)"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("X509v3 CRL Number: \n                42"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("Serial Number: " + revoked.SerialHex()), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("Key Compromise"), std::string::npos) << text.output;

  TestCa other = MakeTestRoot();
  WriteTestFile(dir / "other.pem", other.cert.ToPem());
  testing::CommandResult wrong =
      RunCommand("openssl crl -in '" + (dir / "crl.pem") + "' -noout -CAfile '" + (dir / "other.pem") + "'");
  EXPECT_EQ(wrong.output.find("verify OK"), std::string::npos) << wrong.output;
  EXPECT_NE(wrong.output.find("verify failure"), std::string::npos) << wrong.output;

  std::string verify = "openssl verify -x509_strict -crl_check -attime " + std::to_string(kTestNow + 3600) +
                       " -CAfile '" + (dir / "ca.pem") + "' -CRLfile '" + (dir / "crl.pem") + "' ";
  testing::CommandResult ok = RunCommand(verify + "'" + (dir / "good.pem") + "'");
  EXPECT_EQ(ok.status, 0) << ok.output;
  testing::CommandResult bad = RunCommand(verify + "'" + (dir / "revoked.pem") + "'");
  EXPECT_NE(bad.status, 0) << bad.output;
  EXPECT_NE(bad.output.find("certificate revoked"), std::string::npos) << bad.output;
}

TEST(ReadCrl, PemAndDerSayTheSame) {
  TestCa root = MakeTestRoot();
  TestCa ca = MakeTestIntermediate(root);
  Result<CrlFiles> files = MakeCrl(
      ca.cert, *KeySigner(ca.key).value(),
      {{"01", kTestNow, RevocationReason::kUnspecified}, {"02", kTestNow, RevocationReason::kSuperseded}}, Request(12));
  ASSERT_TRUE(files.ok()) << files.error().message;
  for (const std::string* data : {&files->pem, &files->der}) {
    Result<CrlInfo> info = ReadCrl(*data, "crl");
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->issuer, "C=DE, O=Test, OU=PKI, CN=Test Server CA");
    EXPECT_EQ(info->number, 12);
    EXPECT_EQ(info->this_update, kTestNow);
    EXPECT_EQ(info->next_update, kTestNow + kWeek);
    EXPECT_EQ(info->entries, 2u);
  }
}

TEST(ReadCrl, CrlNumberRange) {
  TestCa ca = MakeTestRoot();
  for (int64_t number : {int64_t{0}, int64_t{127}, int64_t{128}, int64_t{9223372036854775807}}) {
    Result<CrlFiles> files = MakeCrl(ca.cert, *KeySigner(ca.key).value(), {}, Request(number));
    ASSERT_TRUE(files.ok()) << files.error().message;
    Result<CrlInfo> info = ReadCrl(files->der, "crl.der");
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->number, number);
  }
}

TEST(ReadCrl, WhatIsNotACrl) {
  TestCa ca = MakeTestRoot();
  Result<CrlFiles> files = MakeCrl(ca.cert, *KeySigner(ca.key).value(), {}, Request());
  ASSERT_TRUE(files.ok());
  for (const std::string& bad : {std::string(), std::string("garbage"), ca.cert.ToPem(), ca.cert.ToDer(),
                                 files->der.substr(0, files->der.size() / 2),
                                 std::string("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n")}) {
    Result<CrlInfo> r = ReadCrl(bad, "x.crl");
    ASSERT_FALSE(r.ok()) << bad.size();
    EXPECT_EQ(r.error().code, ErrorCode::kInput);
    EXPECT_EQ(r.error().message, "x.crl holds no CRL that can be parsed");
  }
}

}  // namespace
}  // namespace mqttpki

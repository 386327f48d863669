#include "net/mqtt.h"

#include <gtest/gtest.h>

namespace mqttpki::mqtt {
namespace {

TEST(Mqtt, Connect311IsByteExact) {
  ConnectOptions o;
  o.client_id = "ab";
  std::string p = EncodeConnect(o).value();
  // 0x10, remaining 14, "MQTT", level 4, flags clean session, keep alive 30, client id "ab".
  EXPECT_EQ(p, std::string("\x10\x0e\x00\x04MQTT\x04\x02\x00\x1e\x00\x02" "ab", 16));
}

TEST(Mqtt, Connect5HasPropertiesAndCredentials) {
  ConnectOptions o;
  o.version = Version::k5;
  o.client_id = "c";
  o.username = "u";
  o.password = "p";
  std::string p = EncodeConnect(o).value();
  EXPECT_EQ(p, std::string("\x10\x14\x00\x04MQTT\x05\xc2\x00\x1e\x00\x00\x01" "c\x00\x01u\x00\x01p", 22));
}

TEST(Mqtt, FieldsLongerThan65535BytesAreRefusedNotTruncated) {
  ConnectOptions o;
  o.client_id = std::string(65535, 'c');  // the most a two-byte length holds
  Result<std::string> fits = EncodeConnect(o);
  ASSERT_TRUE(fits.ok());
  Result<size_t> framed = PacketLength(*fits);
  ASSERT_TRUE(framed.ok());
  EXPECT_EQ(*framed, fits->size());

  o.client_id = std::string(65536, 'c');  // would have been written with length 0, then 65536 stray bytes
  Result<std::string> too_long = EncodeConnect(o);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, ErrorCode::kUsage);
  EXPECT_NE(too_long.error().message.find("client id"), std::string::npos) << too_long.error().message;
  EXPECT_NE(too_long.error().message.find("65536 bytes"), std::string::npos) << too_long.error().message;

  o.client_id = "c";
  o.username = std::string(70000, 'u');
  Result<std::string> user = EncodeConnect(o);
  ASSERT_FALSE(user.ok());
  EXPECT_NE(user.error().message.find("user name"), std::string::npos) << user.error().message;
  EXPECT_FALSE(CheckConnect(o).ok());

  o.username = "u";
  o.password = std::string(65536, 'p');
  Result<std::string> pass = EncodeConnect(o);
  ASSERT_FALSE(pass.ok());
  EXPECT_NE(pass.error().message.find("password"), std::string::npos) << pass.error().message;
  EXPECT_EQ(pass.error().message.find("ppp"), std::string::npos) << "the value is never in the message";
}

TEST(Mqtt, PacketLengthNeedsTheWholeFixedHeader) {
  EXPECT_EQ(PacketLength("").value(), 0u);
  EXPECT_EQ(PacketLength(std::string("\x20", 1)).value(), 0u);
  EXPECT_EQ(PacketLength(std::string("\x20\x02", 2)).value(), 4u);
  EXPECT_EQ(PacketLength(std::string("\x30\x80", 2)).value(), 0u);  // continuation byte pending
  EXPECT_EQ(PacketLength(std::string("\x30\x80\x01", 3)).value(), 3u + 128u);
  Result<size_t> bad = PacketLength(std::string("\x30\xff\xff\xff\xff\x01", 6));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "malformed MQTT packet: remaining length longer than 4 bytes");
}

TEST(Mqtt, DecodeConnack311) {
  Result<Connack> ok = DecodeConnack(std::string("\x20\x02\x00\x00", 4), Version::k311);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->accepted());
  Result<Connack> refused = DecodeConnack(std::string("\x20\x02\x01\x05", 4), Version::k311);
  ASSERT_TRUE(refused.ok());
  EXPECT_TRUE(refused->session_present);
  EXPECT_EQ(refused->code, 5);
  EXPECT_EQ(CodeMeaning(Version::k311, refused->code), "Connection Refused, not authorized");
}

TEST(Mqtt, DecodeConnack5WithReasonString) {
  // Reason 0x87, properties: 0x21 receive maximum (2 bytes), 0x1F reason string "no".
  std::string p("\x20\x0b\x00\x87\x08\x21\x00\x0a\x1f\x00\x02no", 13);
  Result<Connack> c = DecodeConnack(p, Version::k5);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->code, 0x87);
  EXPECT_EQ(c->reason, "no");
  EXPECT_EQ(CodeMeaning(Version::k5, c->code), "Not authorized");
}

TEST(Mqtt, DecodeConnackRejectsOtherPacketsAndTruncation) {
  Result<Connack> publish = DecodeConnack(std::string("\x30\x02\x00\x00", 4), Version::k311);
  ASSERT_FALSE(publish.ok());
  EXPECT_EQ(publish.error().message, "expected CONNACK, received MQTT packet type 3 (30 02 00 00)");
  EXPECT_FALSE(DecodeConnack(std::string("\x20\x01\x00", 3), Version::k311).ok());
  EXPECT_FALSE(DecodeConnack(std::string("\x20\x05\x00\x00\x05\x1f\x00", 7), Version::k5).ok());
}

}  // namespace
}  // namespace mqttpki::mqtt

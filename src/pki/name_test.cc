#include "mqttpki/name.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pki/test_util.h"

namespace mqttpki {
namespace {

TEST(ParseSan, GoodValues) {
  struct Case {
    const char* in;
    SubjectAltName::Kind kind;
    const char* value;
  } cases[] = {
      {"mqtt.example.com", SubjectAltName::Kind::kDns, "mqtt.example.com"},
      {"MQTT.Example.COM", SubjectAltName::Kind::kDns, "mqtt.example.com"},
      {"DNS:broker", SubjectAltName::Kind::kDns, "broker"},
      {"*.example.com", SubjectAltName::Kind::kDns, "*.example.com"},
      {"10.0.0.5", SubjectAltName::Kind::kIp, "10.0.0.5"},
      {"IP:192.168.1.10", SubjectAltName::Kind::kIp, "192.168.1.10"},
      {"::1", SubjectAltName::Kind::kIp, "::1"},
      {"IP:2001:DB8::0:1", SubjectAltName::Kind::kIp, "2001:db8::1"},
      {"1host.example", SubjectAltName::Kind::kDns, "1host.example"},
  };
  for (const Case& c : cases) {
    Result<SubjectAltName> r = ParseSan(c.in);
    ASSERT_TRUE(r.ok()) << c.in << ": " << r.error().message;
    EXPECT_EQ(r->kind, c.kind) << c.in;
    EXPECT_EQ(r->value, c.value) << c.in;
  }
}

TEST(ParseSan, BadValuesSayWhy) {
  struct Case {
    const char* in;
    const char* message;
  } cases[] = {
      {"exa mple.com", "invalid --san 'exa mple.com': a DNS name cannot contain spaces"},
      {"300.1.1.1", "invalid --san '300.1.1.1': not a valid IPv4 address (each part must be 0-255)"},
      {"IP:mqtt.example.com", "invalid --san 'IP:mqtt.example.com': not a valid IPv4 or IPv6 address"},
      {"", "invalid --san '': empty name"},
      {"a..b", "invalid --san 'a..b': empty label (two dots in a row, or a leading dot)"},
      {"-a.com", "invalid --san '-a.com': a DNS label cannot start or end with a hyphen"},
      {"foo.*.com", "invalid --san 'foo.*.com': a wildcard is allowed only as the whole leftmost label (*.example.com)"},
      {"*.com", "invalid --san '*.com': a wildcard needs at least two labels after it (*.example.com)"},
      {"a/b", "invalid --san 'a/b': a DNS name cannot contain '/'"},
      {"example.com.", "invalid --san 'example.com.': a DNS name must not end with a dot"},
      {"12345", "invalid --san '12345': a name made only of digits is not a valid host name or IP address"},
  };
  for (const Case& c : cases) {
    Result<SubjectAltName> r = ParseSan(c.in);
    ASSERT_FALSE(r.ok()) << c.in;
    EXPECT_EQ(r.error().code, ErrorCode::kUsage);
    EXPECT_EQ(testing::Worded(r.error()), c.message);
    EXPECT_EQ(r.error().argument, "san");
  }
  EXPECT_FALSE(ParseSan(std::string(64, 'a') + ".com").ok());
}

SubjectAltName Dns(const std::string& v) { return {SubjectAltName::Kind::kDns, v}; }
SubjectAltName Ip(const std::string& v) { return {SubjectAltName::Kind::kIp, v}; }

TEST(CanonicalSans, LowerCasedCanonicalAndEachOnce) {
  std::vector<SubjectAltName> in = {Dns("MQTT.Example.com"), Ip("2001:DB8:0:0::1"), Dns("mqtt.example.com"),
                                    Ip("2001:db8::1")};
  std::vector<SubjectAltName> want = {Dns("mqtt.example.com"), Ip("2001:db8::1")};
  EXPECT_EQ(CanonicalSans(in), want);
}

TEST(CanonicalLeafNames, EmptyCnIsTheFirstSanThatFits) {
  std::string long_name = std::string(60, 'a') + ".example.com";  // 72 characters: too long for a CN
  LeafNames n = CanonicalLeafNames("", {Dns(long_name), Dns("b.example.com")}, "broker");
  EXPECT_EQ(n.common_name, "b.example.com");
  std::vector<SubjectAltName> want = {Dns(long_name), Dns("b.example.com")};
  EXPECT_EQ(n.sans, want);
  // No SAN fits: the entity's name.
  EXPECT_EQ(CanonicalLeafNames("", {Dns(long_name)}, "broker").common_name, "broker");
  EXPECT_EQ(CanonicalLeafNames("", {}, "sensor-1").common_name, "sensor-1");
}

TEST(CanonicalLeafNames, CnThatIsANameIsAmongTheSans) {
  // Missing: added first (TLS clients match SANs only).
  LeafNames n = CanonicalLeafNames("10.0.0.5", {Dns("mqtt.example.com")}, "broker");
  EXPECT_EQ(n.common_name, "10.0.0.5");
  std::vector<SubjectAltName> want = {Ip("10.0.0.5"), Dns("mqtt.example.com")};
  EXPECT_EQ(n.sans, want);
  // Listed (in another case): left where it is, once.
  n = CanonicalLeafNames("mqtt.example.com", {Ip("10.0.0.5"), Dns("MQTT.example.com")}, "broker");
  want = {Ip("10.0.0.5"), Dns("mqtt.example.com")};
  EXPECT_EQ(n.sans, want);
  // A CN that is not a host name (a person, a device label) is not made a SAN.
  n = CanonicalLeafNames("Sensor Hall 3", {}, "sensor-3");
  EXPECT_EQ(n.common_name, "Sensor Hall 3");
  EXPECT_TRUE(n.sans.empty());
}

TEST(AddCommonName, TouchesOnlyTheCn) {
  // A renewal's list is kept as it was, duplicates and all (the tutorial lists mqtt.my-iot-cloud.com twice).
  std::vector<SubjectAltName> sans = {Dns("my-iot-cloud.com"), Dns("mqtt.my-iot-cloud.com"),
                                      Dns("mqtt.my-iot-cloud.com")};
  std::vector<SubjectAltName> want = sans;
  AddCommonName(sans, "my-iot-cloud.com");
  EXPECT_EQ(sans, want);
  AddCommonName(sans, "");
  EXPECT_EQ(sans, want);
  AddCommonName(sans, "IP:10.0.0.5");
  want.insert(want.begin(), Ip("10.0.0.5"));
  EXPECT_EQ(sans, want);
}

TEST(DistinguishedName, Validate) {
  EXPECT_TRUE((DistinguishedName{"DE", "My IoT Cloud", "PKI", "Root"}).Validate().ok());
  Status st = DistinguishedName{"Germany", "", "", ""}.Validate();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message, "invalid country 'Germany': use a two-letter code such as DE");
  EXPECT_EQ((DistinguishedName{"DE", "My IoT Cloud", "PKI", "Root"}).ToString(),
            "C=DE, O=My IoT Cloud, OU=PKI, CN=Root");
}

}  // namespace
}  // namespace mqttpki

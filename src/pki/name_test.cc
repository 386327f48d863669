#include "mqttpki/name.h"

#include <gtest/gtest.h>

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

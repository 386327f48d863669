#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "mqttpki/fleet.h"
#include "pki/test_util.h"

namespace mqttpki {
namespace {

TEST(DeviceCsvTest, ParsesIdsSansCommentsAndHeader) {
  DeviceSpec spec;
  EXPECT_FALSE(ParseDeviceCsvLine("id,san", true, spec).value());
  EXPECT_FALSE(ParseDeviceCsvLine("  # a comment", false, spec).value());
  EXPECT_FALSE(ParseDeviceCsvLine("   \r", false, spec).value());
  ASSERT_TRUE(ParseDeviceCsvLine(" dev-1 , dev-1.local ,10.0.0.1\r", false, spec).value());
  EXPECT_EQ(spec.id, "dev-1");
  ASSERT_EQ(spec.sans.size(), 2u);
  EXPECT_EQ(spec.sans[0].ToString(), "DNS:dev-1.local");
  EXPECT_EQ(spec.sans[1].ToString(), "IP:10.0.0.1");
  // "id" is a device only after the first line.
  EXPECT_TRUE(ParseDeviceCsvLine("id", false, spec).value());

  const std::vector<std::string> bad_lines = {"../x", "a/b", "dev\x01", ",", "dev-1,*.example.com",
                                              "dev-1,not a name", "-dev", std::string(65, 'a')};
  for (const std::string& bad : bad_lines) {
    Result<bool> r = ParseDeviceCsvLine(bad, false, spec);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInput) << bad;
  }
}

// Ids reads |source| to its end.
std::vector<std::string> Ids(DeviceSource& source) {
  std::vector<std::string> ids;
  DeviceSpec spec;
  for (;;) {
    Result<bool> next = source.Next(spec);
    EXPECT_TRUE(next.ok()) << next.error().message;
    if (!next.ok() || !*next) break;
    ids.push_back(spec.id);
  }
  return ids;
}

TEST(DeviceSourceTest, CountAndCsvYieldTheirDevicesInOrderAndRewind) {
  std::unique_ptr<DeviceSource> count = CountSource("s-", 7, 3);
  EXPECT_EQ(Ids(*count), (std::vector<std::string>{"s-000007", "s-000008", "s-000009"}));
  EXPECT_FALSE(count->MayRepeat());
  ASSERT_TRUE(count->Rewind().ok());
  EXPECT_EQ(Ids(*count).size(), 3u);

  testing::TempDir dir;
  std::string path = dir / "devices.csv";
  std::ofstream(path) << "id,san\ndev-1,dev-1.local\n# later\ndev-2\n";
  Result<std::unique_ptr<DeviceSource>> csv = CsvSource(path);
  ASSERT_TRUE(csv.ok()) << csv.error().message;
  EXPECT_EQ(Ids(**csv), (std::vector<std::string>{"dev-1", "dev-2"}));
  EXPECT_TRUE((*csv)->MayRepeat());
}

TEST(DeviceSourceTest, CsrDirThatHoldsNoCsrSaysSo) {
  testing::TempDir dir;
  std::ofstream(dir / "notes.txt") << "not a CSR\n";
  Result<std::unique_ptr<DeviceSource>> empty = CsrDirSource(dir.path());
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kInput);
  EXPECT_EQ(empty.error().message, dir.path() + " holds no CSR files (*.csr, *.csr.pem, *.req, *.pem)");
  Result<std::unique_ptr<DeviceSource>> missing = CsrDirSource(dir / "nowhere");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message.rfind("cannot read the CSR directory " + dir / "nowhere" + ": ", 0), 0u)
      << missing.error().message;
}

}  // namespace
}  // namespace mqttpki

#include "pki/tar.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "pki/test_util.h"

namespace mqttpki {
namespace {

constexpr int64_t kNow = 1790000000;  // 2026-09-21, pinned

TEST(TarTest, HeadersRoundTripAndLongNamesSplit) {
  tar::Buffer out;
  ASSERT_TRUE(tar::AppendFile(out, "dev-1/dev-1.cert.pem", "hello", 0644, kNow));
  std::string long_id(64, 'x');
  std::string long_path = long_id + "/" + long_id + ".chain.pem";
  ASSERT_TRUE(tar::AppendFile(out, long_path, std::string(600, 'y'), 0400, kNow));
  ASSERT_EQ(out.size() % tar::kBlock, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(out.data()) % tar::Buffer::kAlign, 0u);  // ready for O_DIRECT
  tar::Entry e;
  ASSERT_TRUE(tar::ParseHeader(out.view().substr(0, tar::kBlock), e));
  EXPECT_EQ(e.path, "dev-1/dev-1.cert.pem");
  EXPECT_EQ(e.size, 5u);
  ASSERT_TRUE(tar::ParseHeader(out.view().substr(2 * tar::kBlock, tar::kBlock), e));
  EXPECT_EQ(e.path, long_path);
  EXPECT_EQ(e.size, 600u);
  // A damaged header is not taken for one.
  std::string bad(out.view().substr(0, tar::kBlock));
  bad[10] ^= 1;
  EXPECT_FALSE(tar::ParseHeader(bad, e));
  EXPECT_FALSE(tar::ParseHeader(std::string(tar::kBlock, '\0'), e));
}

TEST(TarTest, NamesThatUstarCannotHoldAreRefused) {
  tar::Buffer out;
  EXPECT_FALSE(tar::AppendFile(out, std::string(101, 'n'), "x", 0644, kNow));            // no '/' to split at
  EXPECT_FALSE(tar::AppendFile(out, std::string(156, 'p') + "/name", "x", 0644, kNow));  // prefix over 155
  EXPECT_FALSE(tar::AppendFile(out, "dir/" + std::string(101, 'n'), "x", 0644, kNow));   // name over 100
  EXPECT_TRUE(tar::AppendFile(out, std::string(155, 'p') + "/" + std::string(100, 'n'), "x", 0644, kNow));
}

TEST(TarTest, GnuTarReadsWhatIsWritten) {
  // The archive is read by an independent reader: GNU tar lists the entries with their modes and sizes, and
  // extracts each file's bytes, the two-piece one joined.
  testing::TempDir dir;
  tar::Buffer out;
  std::string long_id(80, 'd');
  ASSERT_TRUE(tar::AppendHeader(out, "dev-1/", 0, 0755, kNow, /*dir=*/true));
  ASSERT_TRUE(tar::AppendFile(out, "dev-1/dev-1.key.pem", "secret key", 0400, kNow));
  ASSERT_TRUE(tar::AppendFile(out, long_id + "/" + long_id + ".chain.pem", "leaf\n", 0644, kNow, "intermediate\n"));
  ASSERT_TRUE(tar::AppendHeader(out, "manifest.csv", 3, 0644, kNow, false));
  out.append("a,b");
  tar::AppendPadding(out, 3);
  tar::AppendEnd(out);
  ASSERT_EQ(out.size() % tar::kBlock, 0u);
  testing::WriteTestFile(dir / "batch.tar", out.view());

  testing::CommandResult list = testing::RunCommand("tar -tvf '" + (dir / "batch.tar") + "'");
  ASSERT_EQ(list.status, 0) << list.output;
  EXPECT_NE(list.output.find("drwxr-xr-x"), std::string::npos) << list.output;
  std::string key_line;  // "-r-------- 0/0   10 2026-09-21 14:13 dev-1/dev-1.key.pem"
  for (size_t at = 0, end; at < list.output.size(); at = end + 1) {
    end = list.output.find('\n', at);
    if (end == std::string::npos) end = list.output.size();
    std::string line = list.output.substr(at, end - at);
    if (line.size() > 19 && line.compare(line.size() - 19, 19, "dev-1/dev-1.key.pem") == 0) key_line = line;
  }
  EXPECT_EQ(key_line.rfind("-r-------- ", 0), 0u) << list.output;
  EXPECT_NE(key_line.find(" 10 2026-09-2"), std::string::npos) << list.output;
  EXPECT_NE(list.output.find(long_id + "/" + long_id + ".chain.pem"), std::string::npos) << list.output;
  testing::CommandResult chain =
      testing::RunCommand("tar -xOf '" + (dir / "batch.tar") + "' '" + long_id + "/" + long_id + ".chain.pem'");
  ASSERT_EQ(chain.status, 0) << chain.output;
  EXPECT_EQ(chain.output, "leaf\nintermediate\n");
  testing::CommandResult manifest = testing::RunCommand("tar -xOf '" + (dir / "batch.tar") + "' manifest.csv");
  EXPECT_EQ(manifest.output, "a,b");

  tar::Entry e;
  ASSERT_TRUE(tar::ParseHeader(out.view().substr(0, tar::kBlock), e));
  EXPECT_TRUE(e.dir);
  EXPECT_EQ(e.path, "dev-1/");
  EXPECT_EQ(tar::PaddedSize(0), 0u);
  EXPECT_EQ(tar::PaddedSize(1), tar::kBlock);
  EXPECT_EQ(tar::PaddedSize(tar::kBlock), tar::kBlock);
}

}  // namespace
}  // namespace mqttpki

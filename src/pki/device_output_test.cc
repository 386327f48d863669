#include "pki/device_output.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "mqttpki/store.h"
#include "pki/test_util.h"

namespace mqttpki {
namespace {

TEST(DeviceOutputTest, RefNamesAFileInTheArchiveOrTheFolder) {
  DeviceOutput archive;
  archive.archive = true;
  archive.archive_rel = "fleet.tar";
  EXPECT_EQ(archive.CertRef("dev-1"), "fleet.tar:dev-1/dev-1.cert.pem");
  DeviceOutput folder;
  folder.dir_ref = "out";
  EXPECT_EQ(folder.Ref("dev-1", ".key.pem"), "out/dev-1/dev-1.key.pem");
}

// Json is CsvToJson of |csv| (manifest lines without the header), or the error's message.
std::string Json(const std::string& csv) {
  std::FILE* in = std::tmpfile();
  std::FILE* out = std::tmpfile();
  std::fputs(csv.c_str(), in);
  std::rewind(in);
  Status st = CsvToJson(in, out);
  std::string text;
  if (st.ok()) {
    std::rewind(out);
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), out)) > 0) text.append(buf, n);
  } else {
    text = st.error().message;
  }
  std::fclose(in);
  std::fclose(out);
  return text;
}

TEST(DeviceOutputTest, ManifestLinesAndTheirJson) {
  CertRecord r;
  r.name = "dev-1";
  r.serial = "4001";
  r.sha256 = "AB:CD";
  std::string csv;
  AppendManifestLine(csv, r, "2027-12-07T13:00:00Z");
  EXPECT_EQ(csv, "dev-1,4001,AB:CD,2027-12-07T13:00:00Z\n");
  EXPECT_EQ(Json(csv + "dev-2,4002,EF:01,2027-12-08T13:00:00Z\n"),
            "[\n  {\"id\": \"dev-1\", \"serial\": \"4001\", \"sha256\": \"AB:CD\", \"not_after\": "
            "\"2027-12-07T13:00:00Z\"},\n  {\"id\": \"dev-2\", \"serial\": \"4002\", \"sha256\": \"EF:01\", "
            "\"not_after\": \"2027-12-08T13:00:00Z\"}\n]\n");
  EXPECT_EQ(Json(""), "[]\n");
  EXPECT_EQ(Json("dev-1,4001\n"), "the manifest is damaged");
}

}  // namespace
}  // namespace mqttpki

#include "mqttpki/deploy.h"

#include <gtest/gtest.h>

#include <string>

namespace mqttpki {
namespace {

TEST(CheckTargetDir, AcceptsPlainPaths) {
  for (const char* ok : {"/etc/mosquitto/certs", "/opt/emqx/etc/certs", "certs", "/srv/my certs/été", "/a.b_c-d"}) {
    EXPECT_TRUE(CheckTargetDir(ok, "--target-dir").ok()) << ok;
  }
}

TEST(CheckTargetDir, RefusesWhatASnippetCannotCarry) {
  // Each of these would end a quoted string (emqx, nanomq, thingsboard), start a comment (vernemq), add
  // configuration lines (mosquitto, vernemq), or break the XML (hivemq).
  const std::string bad[] = {
      "/etc/mosquitto/certs\nlistener 1883\nallow_anonymous true",
      "/opt/emqx/etc/certs\"x",
      "/opt/x'y",
      "/opt/x`y",
      "/opt/x\\y",
      "/opt/x#y",
      "/opt/${HOME}",
      "/opt/<x>",
      "/opt/a&b",
      std::string("/opt/a\0b", 8),
      "/opt/a\rb",
      "/opt/a\tb",
      "/opt/a\x7f" "b",
      "/opt/a\xc2\x85" "b",      // U+0085 NEXT LINE
      "/opt/a\xe2\x80\xa8" "b",  // U+2028 LINE SEPARATOR
      "/opt/a\xff" "b",          // not UTF-8
      "/opt/a\xc0\xaf" "b",      // overlong '/'
      " /opt/certs",
      "",
  };
  for (const std::string& dir : bad) {
    Status st = CheckTargetDir(dir, "--target-dir");
    ASSERT_FALSE(st.ok()) << Printable(dir);
    EXPECT_EQ(st.error().code, ErrorCode::kUsage) << Printable(dir);
    EXPECT_NE(st.error().message.find("--target-dir"), std::string::npos) << st.error().message;
    // The message shows the value escaped: no raw control character reaches the terminal.
    EXPECT_EQ(st.error().message.find('\n'), std::string::npos) << st.error().message;
  }
  EXPECT_NE(CheckTargetDir("/a\nb", "--target-dir").error().message.find("'/a\\nb': it contains a line break"),
            std::string::npos);
}

}  // namespace
}  // namespace mqttpki

// Helpers for the unit tests: temporary directories and a filesystem that fails on demand.
#ifndef MQTTPKI_PKI_TEST_UTIL_H_
#define MQTTPKI_PKI_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "mqttpki/fs.h"
#include "mqttpki/result.h"

namespace mqttpki::testing {

// Worded is a message or warning as the CLI words it: an argument as its flag, an operation as the command.
inline std::string Worded(std::string_view text) {
  return RenderReferences(
      text, [](std::string_view a) { return "--" + std::string(a); },
      [](std::string_view o) { return "'mqttpki " + std::string(o) + "'"; });
}
inline std::string Worded(const Error& e) { return Worded(e.message); }

// TempDir is a fresh directory removed at the end of the test.
class TempDir {
 public:
  TempDir() : TempDir(std::filesystem::temp_directory_path().string()) {}
  // A temporary directory inside |parent|.
  explicit TempDir(const std::string& parent) {
    std::string tmpl = (std::filesystem::path(parent) / "mqttpki-test-XXXXXX").string();
    char* p = ::mkdtemp(tmpl.data());
    EXPECT_NE(p, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

// Listing is every entry under |dir| (relative path, type, mode, size): equal listings mean nothing changed.
inline std::vector<std::string> Listing(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    auto st = e.symlink_status();
    std::string rel = std::filesystem::relative(e.path(), dir).string();
    out.push_back(rel + " " + std::to_string(static_cast<int>(st.type())) + " " +
                  std::to_string(static_cast<unsigned>(st.permissions())) + " " +
                  (e.is_regular_file() ? std::to_string(e.file_size()) : "-"));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// FaultyFileSystem forwards to the real one but fails the |fail_at|-th mutating call (1-based; 0: never), as a
// full disk or a failed rename would. With |crash|, that call ends the process instead (exit code kCrashed), as
// SIGKILL or a power cut would, and removals count as mutating calls too: run it in a child process.
class FaultyFileSystem final : public FileSystem {
 public:
  static constexpr int kCrashed = 42;
  explicit FaultyFileSystem(int fail_at, bool crash = false) : fail_at_(fail_at), crash_(crash) {}
  int calls() const { return calls_; }

  Status WriteNewFile(const std::string& path, std::string_view data, mode_t mode) override {
    if (Fail()) return MakeError(ErrorCode::kIo, "cannot write " + path + ": No space left on device");
    return RealFileSystem().WriteNewFile(path, data, mode);
  }
  Status Sync(const std::vector<std::string>& paths) override {
    if (Fail()) return MakeError(ErrorCode::kIo, "cannot sync: Input/output error");
    return RealFileSystem().Sync(paths);
  }
  Status Rename(const std::string& from, const std::string& to, bool replace) override {
    if (Fail()) return MakeError(ErrorCode::kIo, "cannot rename to " + to + ": injected");
    return RealFileSystem().Rename(from, to, replace);
  }
  Status Link(const std::string& from, const std::string& to) override {
    if (Fail()) return MakeError(ErrorCode::kIo, "cannot link " + to + ": injected");
    return RealFileSystem().Link(from, to);
  }
  Status Unlink(const std::string& path) override {
    if (crash_) (void)Fail();
    return RealFileSystem().Unlink(path);
  }
  Status MakeDir(const std::string& path, mode_t mode) override {
    if (Fail()) return MakeError(ErrorCode::kIo, "cannot create directory " + path + ": injected");
    return RealFileSystem().MakeDir(path, mode);
  }
  Status RemoveDir(const std::string& path) override {
    if (crash_) (void)Fail();
    return RealFileSystem().RemoveDir(path);
  }
  Result<bool> Exists(const std::string& path) override { return RealFileSystem().Exists(path); }
  Result<std::string> ReadFile(const std::string& path, size_t max_bytes) override {
    return RealFileSystem().ReadFile(path, max_bytes);
  }

 private:
  bool Fail() {
    if (++calls_ != fail_at_) return false;
    if (crash_) ::_exit(kCrashed);
    return true;
  }
  int fail_at_;
  bool crash_;
  int calls_ = 0;
};

}  // namespace mqttpki::testing

#endif  // MQTTPKI_PKI_TEST_UTIL_H_

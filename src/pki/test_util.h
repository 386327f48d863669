// Helpers for the unit tests: temporary directories, a filesystem that fails on demand, small PKIs made in
// memory, and running an independent tool (the openssl CLI) on what the library wrote.
#ifndef MQTTPKI_PKI_TEST_UTIL_H_
#define MQTTPKI_PKI_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "mqttpki/certificate.h"
#include "mqttpki/fleet.h"
#include "mqttpki/fs.h"
#include "mqttpki/inventory.h"
#include "mqttpki/issuer.h"
#include "mqttpki/key.h"
#include "mqttpki/passphrase.h"
#include "mqttpki/pki_dir.h"
#include "mqttpki/result.h"
#include "mqttpki/signer.h"

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

// TestCas are the root and the intermediate that MakeTestCas made.
struct TestCas {
  CaMaterial root, ca;
};
// MakeTestCas commits, with their inventory rows, root-ca (made with |root|) and intermediate |name| (made with
// |ca|) in |pki|. Encrypted keys take the passphrase that it writes to |pass_file| first.
inline TestCas MakeTestCas(const PkiDir& pki, const std::string& pass_file, int64_t now, const std::string& name,
                           const CaOptions& ca = {}, const CaOptions& root = {}) {
  std::ofstream(pass_file) << "correct horse battery\n";
  PassphraseProvider pass(RealFileSystem(), pass_file);
  FileTransaction tx(RealFileSystem(), false);
  Report report;
  TestCas cas;
  Result<CaMaterial> r = pki.CreateRoot(root, now, pass, tx, report);
  EXPECT_TRUE(r.ok()) << r.error().message;
  if (!r.ok()) return cas;
  cas.root = std::move(r).value();
  Result<CaMaterial> i = pki.CreateIntermediate(name, ca, cas.root, now, pass, tx, report);
  EXPECT_TRUE(i.ok()) << i.error().message;
  if (!i.ok()) return cas;
  cas.ca = std::move(i).value();
  Status st = CommitWithInventory(pki, tx, report.inventory, now);
  EXPECT_TRUE(st.ok()) << st.error().message;
  return cas;
}

// DevicePki is a PKI in DIR/pki with root-ca and device-ca (--for client), both unencrypted.
struct DevicePki {
  std::unique_ptr<PkiDir> pki;
  CaMaterial root, ca;
};
inline DevicePki MakeDevicePki(const TempDir& dir, int64_t now) {
  DevicePki d;
  d.pki = std::make_unique<PkiDir>(dir / "pki");
  CaOptions plain;
  plain.protection.encrypt = false;
  CaOptions devices = plain;
  devices.issues_for = Profile::kClient;
  TestCas cas = MakeTestCas(*d.pki, dir / "pass", now, kDefaultDeviceCaName, devices, plain);
  d.root = std::move(cas.root);
  d.ca = std::move(cas.ca);
  return d;
}

// DevicePkiTest is a fixture with a DevicePki (at kTestNow, defined below) and the options of a DeviceIssuer for
// its device-ca.
class DevicePkiTest : public ::testing::Test {
 protected:
  void SetUp() override;

  TempDir dir_;
  std::unique_ptr<PkiDir> pki_;
  CaMaterial root_, ca_;
  DeviceIssuer::Options options_;
};

// SqliteReader is another process that has the SQLite database at |path| open, as far as the locks say: it holds
// the read lock every connection to a WAL database holds (SHARED: bytes [PENDING_BYTE + 2, + 510)) until it is
// destroyed. holding() says whether it got the lock.
class SqliteReader {
 public:
  explicit SqliteReader(const std::string& path) {
    if (::pipe(ready_) != 0 || ::pipe(done_) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(path.c_str(), O_RDONLY);
      struct flock fl = {};
      fl.l_type = F_RDLCK;
      fl.l_whence = SEEK_SET;
      fl.l_start = 0x40000000 + 2;
      fl.l_len = 510;
      char c = fd >= 0 && ::fcntl(fd, F_SETLK, &fl) == 0 ? 'y' : 'n';
      (void)!::write(ready_[1], &c, 1);
      (void)!::read(done_[0], &c, 1);  // until the parent is done
      ::_exit(0);
    }
    char c = 0;
    holding_ = pid_ > 0 && ::read(ready_[0], &c, 1) == 1 && c == 'y';
  }
  ~SqliteReader() {
    if (pid_ > 0) {
      (void)!::write(done_[1], "x", 1);
      ::waitpid(pid_, nullptr, 0);
    }
    for (int fd : {ready_[0], ready_[1], done_[0], done_[1]}) {
      if (fd >= 0) ::close(fd);
    }
  }
  SqliteReader(const SqliteReader&) = delete;
  SqliteReader& operator=(const SqliteReader&) = delete;
  bool holding() const { return holding_; }

 private:
  int ready_[2] = {-1, -1}, done_[2] = {-1, -1};
  pid_t pid_ = -1;
  bool holding_ = false;
};

// ScopedEnv sets environment variable |name| for the test (null |value|: unsets it) and restores it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* v = std::getenv(name)) old_ = v;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
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

// kTestNow is the pinned "now" of tests that make certificates: 2026-09-21.
inline constexpr int64_t kTestNow = 1790000000;

inline void DevicePkiTest::SetUp() {
  DevicePki d = MakeDevicePki(dir_, kTestNow);
  pki_ = std::move(d.pki);
  root_ = std::move(d.root);
  ca_ = std::move(d.ca);
  options_.now = kTestNow;
  options_.subject_base.organization = "mqttpki";
}

// TestCa is a CA made in memory (no files): its key and its certificate.
struct TestCa {
  PrivateKey key;
  Certificate cert;
};

// TestKey generates a fresh key of |type|.
inline PrivateKey TestKey(KeyType type = KeyType::kEcP256) {
  Result<PrivateKey> key = PrivateKey::Generate(type);
  EXPECT_TRUE(key.ok());
  return std::move(key).value();
}

// IssueTest issues a |profile| certificate for |subject_key| with CN |cn| and |sans| (ParseSan words), signed by
// |issuer| (null: self-signed with |subject_key|), valid |days| from |now|.
inline Certificate IssueTest(Profile profile, const std::string& cn, const std::vector<std::string>& sans,
                             const PrivateKey& subject_key, const TestCa* issuer, int days = 365,
                             int64_t now = kTestNow) {
  IssueOptions o;
  o.profile = profile;
  o.subject = {"DE", "Test", profile == Profile::kRoot || profile == Profile::kIntermediate ? "PKI" : "", cn};
  for (const std::string& s : sans) o.sans.push_back(ParseSan(s).value());
  o.days = days;
  o.now = now;
  Result<IssueResult> r = issuer == nullptr ? Issue(o, subject_key.get(), nullptr, *KeySigner(subject_key).value())
                                            : Issue(o, subject_key.get(), &issuer->cert, *KeySigner(issuer->key).value());
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? r->certificate : Certificate();
}

// MakeTestRoot is a self-signed root "Test Root CA" (or |cn|).
inline TestCa MakeTestRoot(KeyType type = KeyType::kEcP256, int days = 3650, int64_t now = kTestNow,
                           const std::string& cn = "Test Root CA") {
  TestCa ca;
  ca.key = TestKey(type);
  ca.cert = IssueTest(Profile::kRoot, cn, {}, ca.key, nullptr, days, now);
  return ca;
}

// MakeTestIntermediate is an intermediate "Test Server CA" (or |cn|) under |root|.
inline TestCa MakeTestIntermediate(const TestCa& root, int days = 1825, int64_t now = kTestNow,
                                   const std::string& cn = "Test Server CA") {
  TestCa ca;
  ca.key = TestKey();
  ca.cert = IssueTest(Profile::kIntermediate, cn, {}, ca.key, &root, days, now);
  return ca;
}

// WriteTestFile writes |data| to |path| (created or truncated), for tools and code that read files.
inline void WriteTestFile(const std::string& path, std::string_view data) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  EXPECT_TRUE(out.good()) << path;
}

// ReadTestFile returns all of |path| (empty when it cannot be read).
inline std::string ReadTestFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// CommandResult is what a shell command printed (stdout and stderr together) and its exit status.
struct CommandResult {
  int status = -1;  // the exit code; -1 when it did not exit normally
  std::string output;
};

// RunCommand runs |command| with /bin/sh, its stderr merged into its stdout: for independent checks by the
// openssl CLI ("openssl verify ...") of what the library wrote.
inline CommandResult RunCommand(const std::string& command) {
  CommandResult r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) r.output.append(buf, n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
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
  Result<std::vector<DirEntry>> ListDir(const std::string& dir) override { return RealFileSystem().ListDir(dir); }
  Result<std::unique_ptr<FileLock>> Lock(const std::string& path, const std::function<void()>& on_wait) override {
    return RealFileSystem().Lock(path, on_wait);
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

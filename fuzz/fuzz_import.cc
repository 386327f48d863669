// `mqttpki import DIR`: a hand-built PKI directory (the tutorial's layout) read, checked and staged in a PKI.
// Input: files, each introduced by a line "@@@@ relative/path" (the path: up to 3 components of letters, digits,
// '.', '_' and '-', none of them "." or ".."; other headers are skipped), e.g.
//   @@@@ root-ca/certs/root-ca.cert.pem
//   -----BEGIN CERTIFICATE----- ...
//   @@@@ root-ca/private/root-ca.key.pem
//   ...
// The files are written into a fresh source directory, imported into a fresh destination (committed with a file
// system whose Sync is a no-op, as the CLI commits but without waiting for the disk), and both are removed.
// Encrypted keys are opened with kPassphrase from a --passphrase-file.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz_util.h"
#include "mqttpki/fs.h"
#include "mqttpki/import.h"
#include "mqttpki/passphrase.h"
#include "mqttpki/pki_dir.h"

using namespace mqttpki;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kHeader = "@@@@ ";
constexpr size_t kMaxFiles = 16;

// NoSyncFileSystem is the real file system without fsync/syncfs: durability is not what is tested here, and
// syncfs per run would make the target crawl.
class NoSyncFileSystem final : public FileSystem {
 public:
  Status WriteNewFile(const std::string& path, std::string_view data, mode_t mode) override {
    return real_.WriteNewFile(path, data, mode);
  }
  Status Sync(const std::vector<std::string>&) override { return Status::Ok(); }
  Status Rename(const std::string& from, const std::string& to, bool replace) override {
    return real_.Rename(from, to, replace);
  }
  Status Link(const std::string& from, const std::string& to) override { return real_.Link(from, to); }
  Status Unlink(const std::string& path) override { return real_.Unlink(path); }
  Status MakeDir(const std::string& path, mode_t mode) override { return real_.MakeDir(path, mode); }
  Status RemoveDir(const std::string& path) override { return real_.RemoveDir(path); }
  Result<bool> Exists(const std::string& path) override { return real_.Exists(path); }
  Result<std::string> ReadFile(const std::string& path, size_t max_bytes) override {
    return real_.ReadFile(path, max_bytes);
  }
  Result<std::vector<DirEntry>> ListDir(const std::string& dir) override { return real_.ListDir(dir); }
  Result<std::unique_ptr<FileLock>> Lock(const std::string& path, const std::function<void()>& on_wait) override {
    return real_.Lock(path, on_wait);
  }

 private:
  FileSystem& real_ = RealFileSystem();
};

struct Dirs {
  fs::path base, source, dest, pass_file;
};

const Dirs& TheDirs() {
  static const Dirs* dirs = [] {
    // /dev/shm when there is one: a few dozen files are made and removed per run.
    std::error_code shm_ec;
    fs::path tmp = ::access("/dev/shm", W_OK) == 0 && fs::is_directory("/dev/shm", shm_ec) ? fs::path("/dev/shm")
                                                                                          : fs::temp_directory_path();
    std::string tmpl = (tmp / "mqttpki-fuzz-import-XXXXXX").string();
    fuzz::Require(::mkdtemp(tmpl.data()) != nullptr, "mkdtemp");
    auto* d = new Dirs{tmpl, fs::path(tmpl) / "src", fs::path(tmpl) / "pki", fs::path(tmpl) / "pass.txt"};
    std::ofstream(d->pass_file) << fuzz::kPassphrase << "\n";
    // Removed at exit; a crash leaves it behind in the temporary directory, with the files that crashed.
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(TheDirs().base, ec);
    });
    return d;
  }();
  return *dirs;
}

bool ValidComponent(std::string_view c) {
  if (c.empty() || c == "." || c == ".." || c.size() > 64) return false;
  for (char ch : c) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
              ch == '_' || ch == '-';
    if (!ok) return false;
  }
  return true;
}

// SafePath accepts "a", "a/b" or "a/b/c" made of valid components: nothing can land outside the source.
bool SafePath(std::string_view p) {
  int parts = 0;
  size_t start = 0;
  for (;;) {
    size_t slash = p.find('/', start);
    std::string_view c = p.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!ValidComponent(c) || ++parts > 3) return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

void WriteTree(std::string_view input, const fs::path& root) {
  fs::create_directories(root);
  size_t files = 0;
  size_t pos = input.substr(0, kHeader.size()) == kHeader ? 0 : input.find("\n@@@@ ");
  if (pos != 0 && pos != std::string_view::npos) ++pos;  // at the header, after its newline
  while (pos != std::string_view::npos && files < kMaxFiles) {
    size_t eol = input.find('\n', pos);
    std::string_view path = input.substr(pos + kHeader.size(), eol == std::string_view::npos
                                                                   ? std::string_view::npos
                                                                   : eol - pos - kHeader.size());
    size_t body = eol == std::string_view::npos ? input.size() : eol + 1;
    size_t next = input.find("\n@@@@ ", eol == std::string_view::npos ? input.size() : eol);
    size_t end = next == std::string_view::npos ? input.size() : next + 1;  // the body keeps its last newline
    if (SafePath(path)) {
      fs::path file = root / std::string(path);
      std::error_code ec;
      fs::create_directories(file.parent_path(), ec);
      std::ofstream out(file, std::ios::binary | std::ios::trunc);
      out.write(input.data() + body, static_cast<std::streamsize>(end - body));
      ++files;
    }
    pos = next == std::string_view::npos ? next : next + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::UseDeterministicRandom();
  (void)TheDirs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 128 * 1024) return -1;
  fuzz::ResetRandom();
  const Dirs& d = TheDirs();
  std::error_code ec;
  fs::remove_all(d.source, ec);
  fs::remove_all(d.dest, ec);
  WriteTree(fuzz::Text(data, size), d.source);

  NoSyncFileSystem nosync;
  PkiDir pki(d.dest.string(), nosync);
  {
    FileTransaction tx(nosync, /*force=*/false);
    PassphraseProvider pass(nosync, d.pass_file.string());
    Report report;
    Status st = ImportTutorialPki(d.source.string(), pki, fuzz::kNow, pass, tx, report);
    fuzz::Note(st.ok() ? "imported " + std::to_string(report.inventory.inserts.size()) + " certificate(s), " +
                             std::to_string(report.warnings.size()) + " warning(s)"
                       : st.error().message);
    if (st.ok()) {
      fuzz::Require(!report.inventory.inserts.empty(), "an import records what it imported");
      Status committed = tx.Commit();
      fuzz::Require(committed.ok(), "an import's files can be written to an empty directory");
      // What import wrote is a PKI mqttpki can use: the root loads, and so does every chain file it wrote.
      Result<Certificate> root = pki.LoadCertificate(kRootName);
      fuzz::Require(root.ok() && root->IsCa(), "the imported root-ca is a CA certificate");
      for (const Report::File& f : report.files) {
        if (f.kind != "chain" && f.kind != "bundle" && f.kind != "certificate") continue;
        Result<std::string> text = nosync.ReadFile(f.path, kMaxInputBytes);
        fuzz::Require(text.ok(), "an imported file reads back");
        fuzz::Require(Certificate::AllFromPem(*text, f.path).ok(), "an imported certificate file parses");
      }
    }
  }
  fs::remove_all(d.source, ec);
  fs::remove_all(d.dest, ec);
  fuzz::EndRun();
  return 0;
}

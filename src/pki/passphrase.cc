#include "mqttpki/passphrase.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace mqttpki {
namespace {

// Tty is the controlling terminal, opened for a prompt; echo is restored when it is closed.
class Tty {
 public:
  Tty() : fd_(::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) {}
  ~Tty() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

  // ReadHidden prints |prompt| and reads one line with echo off.
  Result<Secret> ReadHidden(const std::string& prompt) {
    struct termios old_tio;
    bool have_tio = ::tcgetattr(fd_, &old_tio) == 0;
    if (have_tio) {
      struct termios tio = old_tio;
      tio.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      tio.c_lflag |= ECHONL;
      ::tcsetattr(fd_, TCSAFLUSH, &tio);
    }
    (void)!::write(fd_, prompt.data(), prompt.size());
    std::string line;
    line.reserve(1024);  // no reallocation leaves copies of the passphrase behind
    char c = 0;
    bool got_any = false;
    for (;;) {
      ssize_t n = ::read(fd_, &c, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got_any = true;
      if (c == '\n' || c == '\r') break;
      line.push_back(c);
    }
    if (have_tio) ::tcsetattr(fd_, TCSAFLUSH, &old_tio);
    c = 0;
    Secret s(std::move(line));
    if (!got_any) return MakeError(ErrorCode::kInput, "no passphrase was entered");
    return s;
  }

 private:
  int fd_;
};

}  // namespace

PassphraseProvider::PassphraseProvider(FileSystem& fs, std::string file, const char* env)
    : fs_(fs), file_(std::move(file)), env_(env) {}

Result<Secret> PassphraseProvider::Find(const std::string& what, bool confirm) {
  if (cached_) return *cached_;
  if (!file_.empty()) {
    MQTTPKI_ASSIGN_OR_RETURN(Secret pass, ReadSecretLine(fs_, file_, "passphrase file"));
    cached_ = pass;
    return pass;
  }
  if (const char* env = std::getenv(env_); env != nullptr && *env != '\0') {
    cached_ = Secret(env);
    return *cached_;
  }
  Tty tty;
  if (!tty.ok()) {
    bool leaf_key = std::string(env_) == kKeyPassphraseEnv;
    std::string flag = leaf_key ? "--key-passphrase-file" : "--passphrase-file";
    // --no-passphrase belongs to the commands that create CA keys; a server or device key is encrypted only when
    // asked for (--encrypt-key), and those commands have no such flag.
    return MakeError(ErrorCode::kInput, what + " needs a passphrase: give " + flag + " FILE, set " + env_ +
                                            ", or run on a terminal to be asked" +
                                            (confirm && !leaf_key ? " (or --no-passphrase to write the key unencrypted)"
                                                                  : ""));
  }
  MQTTPKI_ASSIGN_OR_RETURN(Secret first, tty.ReadHidden("Passphrase for " + what + ": "));
  if (confirm) {
    MQTTPKI_ASSIGN_OR_RETURN(Secret second, tty.ReadHidden("Repeat the passphrase: "));
    if (first.str() != second.str()) return MakeError(ErrorCode::kInput, "the passphrases do not match");
  }
  cached_ = first;
  return first;
}

Result<Secret> PassphraseProvider::ForReading(const std::string& what) { return Find(what, false); }

Result<Secret> PassphraseProvider::ForNewKey(const std::string& what) {
  MQTTPKI_ASSIGN_OR_RETURN(Secret pass, Find(what, true));
  if (pass.str().size() < kMinPassphraseLength) {
    cached_.reset();
    return MakeError(ErrorCode::kInput, "the passphrase for " + what + " is too short: use at least " +
                                            std::to_string(kMinPassphraseLength) + " characters");
  }
  return pass;
}

Result<Secret> ReadSecretLine(FileSystem& fs, const std::string& path, const std::string& what) {
  Result<std::string> content = fs.ReadFile(path, 64 * 1024);
  if (!content.ok()) return content.error().Context("reading the " + what);
  Secret raw(std::move(*content));
  const std::string& s = raw.str();
  Secret line(s.substr(0, s.find_first_of("\r\n")));
  if (line.empty()) return MakeError(ErrorCode::kInput, "the " + what + " " + path + " is empty");
  return line;
}

Result<LoadedKey> ReadPrivateKey(FileSystem& fs, const std::string& path, PassphraseProvider& pass) {
  LoadedKey out;
  MQTTPKI_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(path, kMaxInputBytes));
  out.pem = Secret(std::move(text));
  out.encrypted = PrivateKey::IsEncryptedPem(out.pem.str());
  if (out.encrypted) {
    MQTTPKI_ASSIGN_OR_RETURN(out.passphrase, pass.ForReading(path));
    MQTTPKI_ASSIGN_OR_RETURN(out.key, PrivateKey::FromPem(out.pem.str(), &out.passphrase, path));
  } else {
    MQTTPKI_ASSIGN_OR_RETURN(out.key, PrivateKey::FromPem(out.pem.str(), nullptr, path));
  }
  return out;
}

}  // namespace mqttpki

// The CLI's passphrase source: --passphrase-file, else the environment variable, else a no-echo prompt on the
// terminal.
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "context.h"

namespace mqttpki::cli {
namespace {

// Tty is the controlling terminal, opened for a prompt; echo is restored when it is closed.
class Tty {
 public:
  Tty() : fd_(::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) {}
  ~Tty() {
    if (fd_ >= 0) ::close(fd_);
  }
  Tty(const Tty&) = delete;
  Tty& operator=(const Tty&) = delete;
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

class CliPassphrase : public PassphraseSource {
 public:
  CliPassphrase(std::string file, KeyOwner owner) : file_(std::move(file)), owner_(owner) {}

  Result<Secret> Get(const std::string& what, bool confirm) override {
    bool leaf_key = owner_ == KeyOwner::kLeaf;
    if (!file_.empty()) return ReadSecretLine(RealFileSystem(), file_, "passphrase file");
    const char* env_name = leaf_key ? kKeyPassphraseEnv : kPassphraseEnv;
    if (const char* env = std::getenv(env_name); env != nullptr && *env != '\0') return Secret(env);
    Tty tty;
    if (!tty.ok()) {
      std::string flag = leaf_key ? "--key-passphrase-file" : "--passphrase-file";
      // --no-passphrase belongs to the commands that create CA keys; a server or device key is encrypted only
      // when asked for (--encrypt-key), and those commands have no such flag.
      return MakeError(ErrorCode::kInput,
                       what + " needs a passphrase: give " + flag + " FILE, set " + env_name +
                           ", or run on a terminal to be asked" +
                           (confirm && !leaf_key ? " (or --no-passphrase to write the key unencrypted)" : ""));
    }
    MQTTPKI_ASSIGN_OR_RETURN(Secret first, tty.ReadHidden("Passphrase for " + what + ": "));
    if (confirm) {
      MQTTPKI_ASSIGN_OR_RETURN(Secret second, tty.ReadHidden("Repeat the passphrase: "));
      if (first.str() != second.str()) return MakeError(ErrorCode::kInput, "the passphrases do not match");
    }
    return first;
  }

 private:
  std::string file_;
  KeyOwner owner_;
};

}  // namespace

PassphraseProvider Passphrases(const std::string& file, KeyOwner owner) {
  return PassphraseProvider(std::make_unique<CliPassphrase>(file, owner));
}

}  // namespace mqttpki::cli

// Where passphrases come from: a file, $MQTTPKI_PASSPHRASE, or a no-echo prompt on the terminal. Never argv.
#ifndef MQTTPKI_PASSPHRASE_H_
#define MQTTPKI_PASSPHRASE_H_

#include <optional>
#include <string>

#include "mqttpki/fs.h"
#include "mqttpki/key.h"
#include "mqttpki/result.h"

namespace mqttpki {

inline constexpr const char* kPassphraseEnv = "MQTTPKI_PASSPHRASE";
// The passphrase of an encrypted server or device key is never the CA's: it comes from its own file or variable.
inline constexpr const char* kKeyPassphraseEnv = "MQTTPKI_KEY_PASSPHRASE";

// PassphraseProvider finds the passphrase the first time one is needed and keeps it for the rest of the command
// (the CA keys of one command share one passphrase). Order: the file, else the environment variable, else a
// prompt on /dev/tty when there is a terminal.
class PassphraseProvider {
 public:
  // |file| is --passphrase-file (empty: none); |env| the environment variable to fall back on.
  PassphraseProvider(FileSystem& fs, std::string file, const char* env = kPassphraseEnv);

  // ForReading returns the passphrase to read |what| (an existing encrypted key).
  Result<Secret> ForReading(const std::string& what);
  // ForNewKey returns the passphrase to encrypt a new key |what|; a prompt asks twice. It must be at least
  // kMinPassphraseLength characters.
  Result<Secret> ForNewKey(const std::string& what);

 private:
  Result<Secret> Find(const std::string& what, bool confirm);

  FileSystem& fs_;
  std::string file_;
  const char* env_;
  std::optional<Secret> cached_;
};

// ReadSecretLine reads the first line of |path| (a passphrase or password file), without its line ending; an
// empty one is kInput, naming |what|.
Result<Secret> ReadSecretLine(FileSystem& fs, const std::string& path, const std::string& what);

// LoadedKey is a private key read from a file, with how it was stored there.
struct LoadedKey {
  PrivateKey key;
  bool encrypted = false;
  Secret passphrase;  // when encrypted
  Secret pem;         // the file's bytes
};

// ReadPrivateKey reads the key at |path| (PKCS#8 or traditional PEM), asking |pass| for the passphrase only when
// the key is encrypted. Errors name |path| ("wrong passphrase for ...").
Result<LoadedKey> ReadPrivateKey(FileSystem& fs, const std::string& path, PassphraseProvider& pass);

}  // namespace mqttpki

#endif  // MQTTPKI_PASSPHRASE_H_

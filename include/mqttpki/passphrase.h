// Where passphrases come from: a PassphraseSource that each front end chooses (a file, a secret it holds; the
// CLI adds its environment variables and a no-echo prompt), behind a PassphraseProvider that the operations ask.
// Never argv.
#ifndef MQTTPKI_PASSPHRASE_H_
#define MQTTPKI_PASSPHRASE_H_

#include <memory>
#include <optional>
#include <string>

#include "mqttpki/fs.h"
#include "mqttpki/key.h"
#include "mqttpki/result.h"

namespace mqttpki {

// PassphraseSource is one way of getting a passphrase.
class PassphraseSource {
 public:
  virtual ~PassphraseSource() = default;
  // Get returns the passphrase for |what| (a key file, or a key being made). |confirm| is set for the passphrase
  // of a new key: a source that asks a person asks twice.
  virtual Result<Secret> Get(const std::string& what, bool confirm) = 0;
};

// FilePassphrase reads the first line of |file| (ReadSecretLine). With no file it has no passphrase, and says
// which argument gives one (|argument|, an Arg name: "passphrase-file", "key-passphrase-file").
class FilePassphrase : public PassphraseSource {
 public:
  FilePassphrase(FileSystem& fs, std::string file, std::string argument = "passphrase-file");
  Result<Secret> Get(const std::string& what, bool confirm) override;

 private:
  FileSystem& fs_;
  std::string file_;
  std::string argument_;
};

// PassphraseProvider asks its source the first time a passphrase is needed and keeps it for the rest of the
// operation (the CA keys of one command share one passphrase).
class PassphraseProvider {
 public:
  explicit PassphraseProvider(std::unique_ptr<PassphraseSource> source);
  // A FilePassphrase of |file| (empty: none).
  PassphraseProvider(FileSystem& fs, std::string file);

  // ForReading returns the passphrase to read |what| (an existing encrypted key).
  Result<Secret> ForReading(const std::string& what);
  // ForNewKey returns the passphrase to encrypt a new key |what|. It must be at least kMinPassphraseLength
  // characters.
  Result<Secret> ForNewKey(const std::string& what);

 private:
  Result<Secret> Find(const std::string& what, bool confirm);

  std::unique_ptr<PassphraseSource> source_;
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

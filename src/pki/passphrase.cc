#include "mqttpki/passphrase.h"

namespace mqttpki {

FilePassphrase::FilePassphrase(FileSystem& fs, std::string file, std::string argument)
    : fs_(fs), file_(std::move(file)), argument_(std::move(argument)) {}

Result<Secret> FilePassphrase::Get(const std::string& what, bool /*confirm*/) {
  if (file_.empty()) {
    return MakeError(ErrorCode::kInput, what + " needs a passphrase: give " + Arg(argument_) + " FILE");
  }
  return ReadSecretLine(fs_, file_, "passphrase file");
}

PassphraseProvider::PassphraseProvider(std::unique_ptr<PassphraseSource> source) : source_(std::move(source)) {}

PassphraseProvider::PassphraseProvider(FileSystem& fs, std::string file)
    : source_(std::make_unique<FilePassphrase>(fs, std::move(file))) {}

Result<Secret> PassphraseProvider::Find(const std::string& what, bool confirm) {
  if (cached_) return *cached_;
  MQTTPKI_ASSIGN_OR_RETURN(Secret pass, source_->Get(what, confirm));
  cached_ = pass;
  return pass;
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

// Private keys from outside: `inspect KEY`, `import` and every command that loads a CA key (ReadPrivateKey).
// Input: one mode byte, then the key file's bytes (PEM).
//   mode % 4 == 0: as ReadPrivateKey: IsEncryptedPem decides whether the passphrase is given
//   mode % 4 == 1: always with the passphrase (kPassphrase, the one the encrypted seeds use)
//   mode % 4 == 2: never with a passphrase
//   mode % 4 == 3: with a wrong passphrase
// Encrypted keys cost 100,000 PBKDF2 rounds (or what the file asks for): slow, expected.
#include <cstddef>
#include <cstdint>

#include "fuzz_util.h"
#include "mqttpki/certificate.h"
#include "mqttpki/key.h"

using namespace mqttpki;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::UseDeterministicRandom();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 16 * 1024) return -1;  // an RSA-4096 PEM key is about 3.3 KiB
  fuzz::ResetRandom();
  const uint8_t mode = data[0] % 4;
  std::string_view pem = fuzz::Text(data + 1, size - 1);
  const Secret right(fuzz::kPassphrase);
  const Secret wrong("not-the-fuzz-corpus-passphrase");

  bool encrypted = PrivateKey::IsEncryptedPem(pem);
  const Secret* pass = nullptr;
  switch (mode) {
    case 0: pass = encrypted ? &right : nullptr; break;
    case 1: pass = &right; break;
    case 2: pass = nullptr; break;
    default: pass = &wrong; break;
  }
  Result<PrivateKey> key = PrivateKey::FromPem(pem, pass, "fuzz.key.pem");
  fuzz::Note("mode " + std::to_string(mode) + ": " + (key.ok() ? key->Description() : key.error().message));
  if (!key.ok()) {
    fuzz::EndRun();
    return 0;
  }
  // inspect: the type and the public key's fingerprint; import and the CA commands: is it the certificate's key.
  std::string description = key->Description();
  (void)key->is_rsa();
  if (std::optional<KeyType> type = key->Type()) {
    fuzz::Require(KeyTypeFromDescription(description) == type, "Type() and Description() name the same key type");
  }
  (void)key->PublicKeyDer();
  // Re-encoding (what renew and rotate do with a loaded key), without encryption: PBKDF2 again would be slow.
  Result<Secret> plain = key->ToPem(nullptr);
  if (plain.ok()) {
    Result<PrivateKey> back = PrivateKey::FromPem(plain->str(), nullptr, "re-encoded");
    fuzz::Require(back.ok(), "a key we encode reads back");
    fuzz::Require(back->PublicKeyDer() == key->PublicKeyDer(), "a key we encode reads back as the same key");
  }
  fuzz::EndRun();
  return 0;
}

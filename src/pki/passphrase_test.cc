#include "mqttpki/passphrase.h"

#include <gtest/gtest.h>

#include <vector>

#include "pki/test_util.h"

namespace mqttpki {
namespace {

using testing::TempDir;
using testing::WriteTestFile;

// Scripted is a source that hands out its answers in turn and notes every question.
class Scripted : public PassphraseSource {
 public:
  explicit Scripted(std::vector<std::string> answers) : answers_(std::move(answers)) {}
  Result<Secret> Get(const std::string& what, bool confirm) override {
    asked.push_back(what + (confirm ? " (new)" : ""));
    if (asked.size() > answers_.size()) return MakeError(ErrorCode::kInput, "no more answers");
    return Secret(answers_[asked.size() - 1]);
  }
  std::vector<std::string> asked;

 private:
  std::vector<std::string> answers_;
};

TEST(Passphrase, NoSourceNamesTheArgumentThatGivesOne) {
  // Front ends give their own sources (the CLI: a file, its variables, a prompt); the library's file source
  // without a file says which argument gives the passphrase.
  PassphraseProvider none(RealFileSystem(), "");
  Result<Secret> r = none.ForNewKey("root-ca.key.pem");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInput);
  EXPECT_EQ(r.error().argument, "passphrase-file");
  EXPECT_EQ(testing::Worded(r.error()), "root-ca.key.pem needs a passphrase: give --passphrase-file FILE");
  PassphraseProvider leaf(std::make_unique<FilePassphrase>(RealFileSystem(), "", "key-passphrase-file"));
  r = leaf.ForReading("s1.key.pem");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().argument, "key-passphrase-file");
}

TEST(Passphrase, OneOperationAsksOnceAndNewKeysAskToConfirm) {
  auto source = std::make_unique<Scripted>(std::vector<std::string>{"correct horse"});
  Scripted& s = *source;
  PassphraseProvider pass(std::move(source));
  EXPECT_EQ(pass.ForNewKey("root-ca.key.pem").value().str(), "correct horse");
  EXPECT_EQ(pass.ForNewKey("server-ca.key.pem").value().str(), "correct horse");
  EXPECT_EQ(pass.ForReading("root-ca.key.pem").value().str(), "correct horse");
  EXPECT_EQ(s.asked, std::vector<std::string>{"root-ca.key.pem (new)"});
}

TEST(Passphrase, ATooShortPassphraseIsRefusedAndForgotten) {
  auto source = std::make_unique<Scripted>(std::vector<std::string>{"short", "long enough"});
  Scripted& s = *source;
  PassphraseProvider pass(std::move(source));
  Result<Secret> r = pass.ForNewKey("root-ca.key.pem");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInput);
  EXPECT_EQ(r.error().message, "the passphrase for root-ca.key.pem is too short: use at least 8 characters");
  // Asked again, the source is asked again (a prompt gets a second try), not handed the refused one.
  EXPECT_EQ(pass.ForNewKey("root-ca.key.pem").value().str(), "long enough");
  EXPECT_EQ(s.asked.size(), 2u);
}

TEST(Passphrase, FileGivesItsFirstLineWithoutTheLineEnding) {
  TempDir dir;
  WriteTestFile(dir / "unix", "first line\nsecond\n");
  WriteTestFile(dir / "dos", "dos line\r\nsecond\r\n");
  WriteTestFile(dir / "bare", "no newline");
  WriteTestFile(dir / "empty", "\nsecond\n");
  EXPECT_EQ(ReadSecretLine(RealFileSystem(), dir / "unix", "passphrase file").value().str(), "first line");
  EXPECT_EQ(ReadSecretLine(RealFileSystem(), dir / "dos", "passphrase file").value().str(), "dos line");
  EXPECT_EQ(ReadSecretLine(RealFileSystem(), dir / "bare", "passphrase file").value().str(), "no newline");
  Result<Secret> empty = ReadSecretLine(RealFileSystem(), dir / "empty", "password file");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().message, "the password file " + (dir / "empty") + " is empty");
  Result<Secret> missing = FilePassphrase(RealFileSystem(), dir / "missing").Get("root-ca.key.pem", false);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kInput);
  EXPECT_EQ(missing.error().message.rfind("reading the passphrase file: ", 0), 0u) << missing.error().message;
}

TEST(Passphrase, APlainKeyIsReadWithoutAskingAndAnEncryptedOneWithTheRightPassphrase) {
  TempDir dir;
  PrivateKey key = testing::TestKey();
  Secret good("the right passphrase");
  WriteTestFile(dir / "plain.key.pem", key.ToPem(nullptr).value().str());
  WriteTestFile(dir / "locked.key.pem", key.ToPem(&good).value().str());

  auto source = std::make_unique<Scripted>(std::vector<std::string>{});
  Scripted& s = *source;
  PassphraseProvider never(std::move(source));
  Result<LoadedKey> plain = ReadPrivateKey(RealFileSystem(), dir / "plain.key.pem", never);
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_FALSE(plain->encrypted);
  EXPECT_TRUE(s.asked.empty());

  PassphraseProvider right(std::make_unique<Scripted>(std::vector<std::string>{"the right passphrase"}));
  Result<LoadedKey> locked = ReadPrivateKey(RealFileSystem(), dir / "locked.key.pem", right);
  ASSERT_TRUE(locked.ok()) << locked.error().message;
  EXPECT_TRUE(locked->encrypted);
  EXPECT_EQ(locked->passphrase.str(), "the right passphrase");
  EXPECT_EQ(locked->key.ToPem(nullptr).value().str(), key.ToPem(nullptr).value().str());

  PassphraseProvider wrong(std::make_unique<Scripted>(std::vector<std::string>{"not the passphrase"}));
  Result<LoadedKey> refused = ReadPrivateKey(RealFileSystem(), dir / "locked.key.pem", wrong);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInput);
  EXPECT_EQ(refused.error().message, "wrong passphrase for " + (dir / "locked.key.pem"));
}

}  // namespace
}  // namespace mqttpki

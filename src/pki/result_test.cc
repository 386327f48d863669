#include "mqttpki/result.h"

#include <gtest/gtest.h>

#include <string>

namespace mqttpki {
namespace {

std::string Flags(std::string_view a) { return "--" + std::string(a); }
std::string Quoted(std::string_view o) { return "'mqttpki " + std::string(o) + "'"; }
std::string Http(std::string_view a) { return "field '" + std::string(a) + "'"; }
std::string Endpoint(std::string_view o) { return "POST /" + std::string(o); }

TEST(Error, ReferencesAreWordedByEachFrontEnd) {
  Error e = MakeError(ErrorCode::kUsage, "invalid " + Arg("san") + " 'a b': run " + Op("server issue NAME") + " again");
  EXPECT_EQ(e.code, ErrorCode::kUsage);
  EXPECT_EQ(e.argument, "san");  // the first argument the message names
  EXPECT_EQ(e.Render(Flags, Quoted), "invalid --san 'a b': run 'mqttpki server issue NAME' again");
  EXPECT_EQ(e.Render(Http, Endpoint), "invalid field 'san' 'a b': run POST /server issue NAME again");
}

TEST(Error, ArgumentIsTheFirstReferenceAndOnlyAnArgument) {
  EXPECT_EQ(MakeError(ErrorCode::kUsage, Arg("days") + " and " + Arg("not-after") + " do not go together").argument,
            "days");
  EXPECT_EQ(MakeError(ErrorCode::kInput, "no root CA: run " + Op("root create")).argument, "");
  EXPECT_EQ(MakeError(ErrorCode::kInput, "plain words").argument, "");
}

TEST(Error, ContextAndFieldsKeepTheRest) {
  Error e = MakeError(ErrorCode::kInput, "wrong passphrase for " + Arg("passphrase-file"));
  e.openssl_errors = {"bad decrypt"};
  Error c = e.Context("reading root-ca.key.pem").WithFile("root-ca/private/root-ca.key.pem").WithCertificate("root-ca");
  EXPECT_EQ(c.Render(Flags, Quoted), "reading root-ca.key.pem: wrong passphrase for --passphrase-file");
  EXPECT_EQ(c.code, ErrorCode::kInput);
  EXPECT_EQ(c.argument, "passphrase-file");
  EXPECT_EQ(c.file, "root-ca/private/root-ca.key.pem");
  EXPECT_EQ(c.certificate, "root-ca");
  EXPECT_EQ(c.openssl_errors, std::vector<std::string>{"bad decrypt"});
  EXPECT_EQ(e.file, "");  // a copy: the original is as it was
}

TEST(Printable, EscapesWhatCouldGarbleOrForgeOutput) {
  EXPECT_EQ(Printable("broker.example.com"), "broker.example.com");
  EXPECT_EQ(Printable("a\nb\tc\rd"), "a\\nb\\tc\\rd");
  EXPECT_EQ(Printable("\x1b[31mred"), "\\x1b[31mred");
  EXPECT_EQ(Printable("back\\slash"), "back\\\\slash");
  EXPECT_EQ(Printable("back\\slash", /*escape_backslash=*/false), "back\\slash");
  EXPECT_EQ(Printable("Gr\xc3\xbc\xc3\x9f"
                      "e \xe2\x9c\x93"),
            "Gr\xc3\xbc\xc3\x9f"
            "e \xe2\x9c\x93");  // UTF-8 passes
  EXPECT_EQ(Printable("\xc2\x9b"
                      "2J"),
            "\\xc2\\x9b2J");                       // C1 control (CSI): escaped
  EXPECT_EQ(Printable("\xff\xc3"), "\\xff\\xc3");  // not UTF-8; truncated sequence
  EXPECT_EQ(Printable(std::string("nul\0byte", 8)), "nul\\x00byte");
}

TEST(Printable, QuotedInputCannotPassForAReference) {
  // A name from a CSR that holds the bytes of an Arg reference stays text after Printable: rendering a message
  // that quotes it words only the message's own references.
  std::string forged = Arg("force");
  std::string message = "the CSR asks for '" + Printable(forged) + "'; see " + Arg("san");
  Error e = MakeError(ErrorCode::kInput, message);
  EXPECT_EQ(e.argument, "san");
  EXPECT_EQ(e.Render(Flags, Quoted), "the CSR asks for '\\x01aforce\\x02'; see --san");
}

TEST(RenderReferences, UnfinishedOrUnknownReferencesAreLeftAsTheyAre) {
  std::string unknown = std::string("x \x01zwhat\x02 y");
  EXPECT_EQ(RenderReferences(unknown, Flags, Quoted), unknown);
  std::string open = std::string(
      "x \x01"
      "aopen");
  EXPECT_EQ(RenderReferences(open, Flags, Quoted), open);
  EXPECT_EQ(RenderReferences("", Flags, Quoted), "");
  EXPECT_EQ(RenderReferences(Arg("a") + Arg("b"), Flags, Quoted), "--a--b");
}

}  // namespace
}  // namespace mqttpki

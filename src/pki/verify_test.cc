#include "mqttpki/verify.h"

#include <gtest/gtest.h>

#include "mqttpki/issuer.h"
#include "mqttpki/signer.h"

namespace mqttpki {
namespace {

constexpr int64_t kNow = 1790000000;

struct Pki {
  PrivateKey root_key, inter_key, leaf_key;
  Certificate root, inter, leaf;
};

Certificate Make(Profile p, const std::string& cn, std::vector<std::string> sans, const PrivateKey& subject,
                 const Certificate* issuer, const PrivateKey& issuer_key, int days = 365) {
  IssueOptions o;
  o.profile = p;
  o.subject.common_name = cn;
  for (const auto& s : sans) o.sans.push_back(ParseSan(s).value());
  o.days = days;
  o.now = kNow;
  return Issue(o, subject.get(), issuer, *KeySigner(issuer_key).value()).value().certificate;
}

Pki MakePki(Profile leaf_profile = Profile::kServer) {
  Pki p;
  p.root_key = std::move(PrivateKey::Generate(KeyType::kEcP256).value());
  p.inter_key = std::move(PrivateKey::Generate(KeyType::kEcP256).value());
  p.leaf_key = std::move(PrivateKey::Generate(KeyType::kEcP256).value());
  p.root = Make(Profile::kRoot, "Root", {}, p.root_key, nullptr, p.root_key, 3650);
  p.inter = Make(Profile::kIntermediate, "Server CA", {}, p.inter_key, &p.root, p.root_key, 1825);
  p.leaf = Make(leaf_profile, "mqtt.example.com", {"10.0.0.5"}, p.leaf_key, &p.inter, p.inter_key);
  return p;
}

VerifyReport Check(const std::vector<Certificate>& chain, const Certificate& anchor, const std::string& host,
                   int64_t now = kNow) {
  VerifyOptions o;
  o.trusted = {anchor};
  o.host = host;
  o.now = now;
  o.file_name = "chain.pem";
  o.bundle_name = "ca-bundle.pem";
  return VerifyChain(chain, o).value();
}

TEST(VerifyChain, GoodChainForEveryName) {
  Pki p = MakePki();
  for (const char* host : {"mqtt.example.com", "10.0.0.5", ""}) {
    VerifyReport r = Check({p.leaf, p.inter}, p.root, host);
    EXPECT_TRUE(r.ok) << host << ": " << r.reason;
    EXPECT_EQ(r.path.size(), 3u);
  }
}

TEST(VerifyChain, Reasons) {
  Pki p = MakePki();
  EXPECT_EQ(Check({p.leaf, p.inter}, p.root, "wrong.example.com").reason,
            "name mismatch: 'mqtt.example.com' is for mqtt.example.com, 10.0.0.5, not for wrong.example.com");
  EXPECT_EQ(Check({p.inter, p.leaf}, p.root, "").reason,
            "wrong order: certificate 1 in chain.pem ('Server CA') is a CA but certificate 2 ('mqtt.example.com') "
            "is the leaf; the leaf must come first");
  EXPECT_EQ(Check({p.leaf}, p.root, "").reason.rfind("missing intermediate: the issuer of 'mqtt.example.com'", 0), 0u);
  EXPECT_EQ(Check({p.leaf, p.inter}, p.root, "", p.leaf.NotAfter() + 86400 * 3).reason,
            "expired: 'mqtt.example.com' expired on " + FormatTime(p.leaf.NotAfter()) + " (3 days ago)");
  EXPECT_EQ(Check({p.leaf, p.inter}, p.root, "", kNow - 86400).reason.rfind("not yet valid: ", 0), 0u);
  Pki other = MakePki();
  EXPECT_EQ(Check({p.leaf, p.inter}, other.root, "").reason.rfind("untrusted: the chain ends at 'Server CA'", 0), 0u);
  EXPECT_EQ(Check({p.inter}, p.root, "").reason, "not a server certificate: 'Server CA' is a CA certificate");
}

TEST(VerifyChain, ClientCertificateIsNotAServerCertificate) {
  Pki p = MakePki(Profile::kClient);
  VerifyReport r = Check({p.leaf, p.inter}, p.root, "");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.reason.rfind("not a server certificate: 'mqtt.example.com'", 0), 0u) << r.reason;
  VerifyOptions o;
  o.trusted = {p.root};
  o.purpose = Purpose::kClient;
  o.now = kNow;
  EXPECT_TRUE(VerifyChain({p.leaf, p.inter}, o)->ok);
}

}  // namespace
}  // namespace mqttpki

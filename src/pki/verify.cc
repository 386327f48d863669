#include <algorithm>
#include "mqttpki/verify.h"

#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "ossl/error.h"
#include "ossl/ptr.h"
#include "pki/internal.h"

namespace mqttpki {
namespace {

std::string Quote(const Certificate& c) {
  std::string cn = c.CommonName();
  return "'" + (cn.empty() ? c.Subject() : cn) + "'";
}

std::string NamesOf(const Certificate& c) {
  std::string out;
  for (const SubjectAltName& s : c.Sans()) {
    if (!out.empty()) out += ", ";
    out += s.value;
  }
  return out.empty() ? "no subjectAltName at all" : out;
}

int64_t DaysBetween(int64_t from, int64_t to) { return (to - from) / 86400; }

// OrderProblem explains why a chain file is not leaf first with each certificate followed by its issuer.
std::string OrderProblem(const std::vector<Certificate>& chain, const std::string& file) {
  if (chain.size() < 2) return {};
  if (chain[0].IsCa()) {
    for (size_t i = 1; i < chain.size(); ++i) {
      if (!chain[i].IsCa()) {
        return "wrong order: certificate 1 in " + file + " (" + Quote(chain[0]) + ") is a CA but certificate " +
               std::to_string(i + 1) + " (" + Quote(chain[i]) + ") is the leaf; the leaf must come first";
      }
    }
  }
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    if (!chain[i].NamesIssuer(chain[i + 1])) {
      for (size_t j = 0; j < chain.size(); ++j) {
        if (j != i && j != i + 1 && chain[i].NamesIssuer(chain[j])) {
          return "wrong order: certificate " + std::to_string(i + 1) + " in " + file + " (" + Quote(chain[i]) +
                 ") is followed by " + Quote(chain[i + 1]) + ", not by its issuer " + Quote(chain[j]);
        }
      }
      return "wrong order: certificate " + std::to_string(i + 2) + " in " + file + " (" + Quote(chain[i + 1]) +
             ") did not issue certificate " + std::to_string(i + 1) + " (" + Quote(chain[i]) +
             "); each certificate must be followed by its issuer";
    }
  }
  return {};
}

std::string Explain(X509_STORE_CTX* ctx, const std::vector<Certificate>& chain, const VerifyOptions& o) {
  int err = X509_STORE_CTX_get_error(ctx);
  X509* bad = X509_STORE_CTX_get_current_cert(ctx);
  if (bad == nullptr) bad = chain.front().get();
  X509_up_ref(bad);
  Certificate c = Certificate::Adopt(bad);
  switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return "expired: " + Quote(c) + " expired on " + FormatTime(c.NotAfter()) + " (" +
             std::to_string(DaysBetween(c.NotAfter(), o.now)) + " days ago)";
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "not yet valid: " + Quote(c) + " is valid from " + FormatTime(c.NotBefore()) +
             " (check the clock of this machine and of the CA)";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return "name mismatch: " + Quote(chain.front()) + " is for " + NamesOf(chain.front()) + ", not for " + o.host;
    case X509_V_ERR_INVALID_PURPOSE:
      return std::string(o.purpose == Purpose::kServer ? "not a server certificate: " : "not a client certificate: ") +
             Quote(c) + " does not allow " + (o.purpose == Purpose::kServer ? "serverAuth" : "clientAuth");
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      if (!c.IsCa()) {
        return "missing intermediate: the issuer of " + Quote(c) + " ('" + c.Issuer() + "') is neither in " +
               o.file_name + " nor in " + o.bundle_name +
               "; give the chain file (leaf first, then the intermediate) or " + Arg("untrusted");
      }
      return "untrusted: the chain ends at " + Quote(c) + ", whose issuer ('" + c.Issuer() + "') is not in " +
             o.bundle_name;
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      return "untrusted: the chain ends at the self-signed " + Quote(c) + ", which is not in " + o.bundle_name;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      return "bad signature: the signature on " + Quote(c) + " does not verify with its issuer's key";
    case X509_V_ERR_INVALID_CA:
      return "invalid: " + Quote(c) + " is used as a CA but is not a CA certificate";
    case X509_V_ERR_CA_CERT_MISSING_KEY_USAGE:
      return "invalid: the CA certificate " + Quote(c) + " has no keyUsage extension, which strict clients "
             "(RFC 5280, OpenSSL's -x509_strict) require; 'openssl req -x509' with the default config makes such "
             "roots. Issue a new root (" + Op("root create") + "; devices then need the new bundle)";
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
      return "invalid: the path is longer than a CA's pathlen allows (at " + Quote(c) + ")";
    default:
      return "invalid: " + Quote(c) + ": " + X509_verify_cert_error_string(err);
  }
}

}  // namespace

Result<VerifyReport> VerifyChain(const std::vector<Certificate>& chain, const VerifyOptions& o) {
  VerifyReport report;
  if (chain.empty()) return MakeError(ErrorCode::kInput, o.file_name + " holds no certificate");
  if (o.trusted.empty()) return MakeError(ErrorCode::kInput, o.bundle_name + " holds no certificate");

  report.reason = OrderProblem(chain, o.file_name);
  if (!report.reason.empty()) return report;

  const Certificate& leaf = chain.front();
  if (leaf.IsCa()) {
    report.reason = std::string(o.purpose == Purpose::kServer ? "not a server certificate: "
                                                              : "not a client certificate: ") +
                    Quote(leaf) + " is a CA certificate";
    return report;
  }

  ossl::ClearErrors();
  auto store = ossl::Wrap(X509_STORE_new());
  auto untrusted = ossl::X509Stack(sk_X509_new_null());
  auto ctx = ossl::Wrap(X509_STORE_CTX_new());
  if (!store || !untrusted || !ctx) return ossl::OsslError(ErrorCode::kInternal, "out of memory");
  for (const Certificate& c : o.trusted) {
    if (X509_STORE_add_cert(store.get(), c.get()) != 1) {
      return ossl::OsslError(ErrorCode::kInternal, "cannot load the bundle");
    }
  }
  auto push = [&untrusted](const Certificate& c) { return ossl::PushOwned(untrusted.get(), c.get()); };
  for (size_t i = 1; i < chain.size(); ++i) {
    if (!push(chain[i])) return ossl::OsslError(ErrorCode::kInternal, "out of memory");
  }
  for (const Certificate& c : o.untrusted) {
    if (!push(c)) return ossl::OsslError(ErrorCode::kInternal, "out of memory");
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get()) != 1) {
    return ossl::OsslError(ErrorCode::kInternal, "X509_STORE_CTX_init");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT | X509_V_FLAG_USE_CHECK_TIME);
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(o.now));
  X509_VERIFY_PARAM_set_purpose(param, o.purpose == Purpose::kServer ? X509_PURPOSE_SSL_SERVER
                                                                     : X509_PURPOSE_SSL_CLIENT);
  if (!o.host.empty()) {
    int ok = IsIpAddress(o.host) ? X509_VERIFY_PARAM_set1_ip_asc(param, o.host.c_str())
                                 : X509_VERIFY_PARAM_set1_host(param, o.host.c_str(), o.host.size());
    if (ok != 1) return MakeError(ErrorCode::kUsage, "invalid " + Arg("host") + " '" + Printable(o.host) + "'");
  }
  int rc = X509_verify_cert(ctx.get());
  if (rc != 1) {
    report.reason = Explain(ctx.get(), chain, o);
    ossl::ClearErrors();
    return report;
  }
  // A strict client also wants the EKU, not just "no EKU means any purpose".
  const char* want = o.purpose == Purpose::kServer ? "serverAuth" : "clientAuth";
  std::vector<std::string> eku = leaf.ExtendedKeyUsage();
  if (std::find(eku.begin(), eku.end(), want) == eku.end()) {
    report.reason = std::string(o.purpose == Purpose::kServer ? "not a server certificate: "
                                                              : "not a client certificate: ") +
                    Quote(leaf) + " has no " + want + " extended key usage";
    return report;
  }
  STACK_OF(X509)* path = X509_STORE_CTX_get0_chain(ctx.get());
  for (int i = 0; i < sk_X509_num(path); ++i) {
    X509* x = sk_X509_value(path, i);
    X509_up_ref(x);
    report.path.push_back(Certificate::Adopt(x));
  }
  report.ok = true;
  return report;
}

}  // namespace mqttpki

#include "mqttpki/probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "net/mqtt.h"
#include "ossl/error.h"
#include "ossl/ptr.h"
#include "pki/internal.h"

namespace mqttpki {
namespace {

// SigpipeBlocked keeps SIGPIPE away from this thread while in scope. A broker that resets the connection (one at
// its connection limit, a balancer without backends) makes OpenSSL's next write raise SIGPIPE, which would end the
// process without a word; blocked, the write fails with EPIPE and the probe reports it. A library does not set the
// process's signal disposition, so the signal is blocked for the thread alone, and one raised meanwhile is taken
// before the old mask comes back (unless one was already pending: that one is not ours to swallow).
class SigpipeBlocked {
 public:
  SigpipeBlocked() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    was_pending_ = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeBlocked() {
    if (!was_pending_) {
      const struct timespec zero = {0, 0};
      while (sigtimedwait(&pipe_, nullptr, &zero) == SIGPIPE) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlocked(const SigpipeBlocked&) = delete;
  SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

 private:
  sigset_t pipe_, old_;
  bool was_pending_ = false;
};

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

using SslCtxPtr = ossl::UniquePtr<SSL_CTX>;
using SslPtr = ossl::UniquePtr<SSL>;

// Socket owns a file descriptor.
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(Socket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Socket& operator=(Socket&& o) noexcept {
    if (this != &o) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = o.fd_;
      o.fd_ = -1;
    }
    return *this;
  }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

std::string AddressText(const sockaddr* sa) {
  char host[INET6_ADDRSTRLEN] = "?";
  uint16_t port = 0;
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
    port = ntohs(in->sin_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
  inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
  port = ntohs(in6->sin6_port);
  return "[" + std::string(host) + "]:" + std::to_string(port);
}

// Connect opens a TCP connection to the first address of |host| that answers within |timeout_ms|. On failure
// |reason| says why in words (refused, timed out, unreachable, cannot resolve).
Socket Connect(const std::string& host, uint16_t port, int timeout_ms, std::string* address, std::string* reason) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port_text = std::to_string(port);
  int rc = ::getaddrinfo(host.c_str(), port_text.c_str(), &hints, &res);
  if (rc != 0) {
    *reason = "cannot resolve " + host + ": " + gai_strerror(rc);
    return Socket();
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(res, freeaddrinfo);
  *reason = "no address for " + host;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    *address = AddressText(ai->ai_addr);
    Socket s(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol));
    if (s.fd() < 0) {
      *reason = std::string("socket: ") + std::strerror(errno);
      continue;
    }
    if (::connect(s.fd(), ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
      *reason = "connection to " + *address + " failed: " + std::strerror(errno);
      continue;
    }
    pollfd pfd{s.fd(), POLLOUT, 0};
    int n = ::poll(&pfd, 1, timeout_ms);
    if (n == 0) {
      *reason = "connection to " + *address + " timed out after " + std::to_string(timeout_ms) +
                " ms (firewall, wrong host, or nothing listening)";
      continue;
    }
    int err = 0;
    socklen_t len = sizeof(err);
    ::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (n < 0 || err != 0) {
      int e = n < 0 ? errno : err;
      *reason = "connection to " + *address +
                (e == ECONNREFUSED ? " refused (nothing listening on that port?)"
                                   : std::string(" failed: ") + std::strerror(e));
      continue;
    }
    // The socket stays non-blocking: every TLS call runs against a deadline (WithDeadline).
    int one = 1;
    ::setsockopt(s.fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    reason->clear();
    return s;
  }
  return Socket();
}

// TlsFailure turns a failed SSL call into words; |during| is "handshake" or "MQTT exchange".
std::string TlsFailure(SSL* ssl, int rc, const char* during, int timeout_ms) {
  int sys_errno = errno;
  int err = SSL_get_error(ssl, rc);
  std::vector<std::string> queue = ossl::DrainErrors();
  std::string detail;
  for (const std::string& q : queue) {
    // "error:0A000410:SSL routines::sslv3 alert handshake failure" -> the part after the last "::" or ":".
    size_t p = q.rfind(':');
    std::string tail = p == std::string::npos ? q : q.substr(p + 1);
    if (!detail.empty()) detail += "; ";
    detail += tail;
  }
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
    return std::string("the broker did not answer during the ") + during + " within " + std::to_string(timeout_ms) +
           " ms";
  }
  // Closed: a clean close, an end of file mid-record (OpenSSL 3 reports it as an SSL error), or a reset that
  // failed our write (EPIPE, ECONNRESET).
  bool closed = err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && detail.empty()) ||
                (err == SSL_ERROR_SYSCALL && (sys_errno == EPIPE || sys_errno == ECONNRESET)) ||
                (err == SSL_ERROR_SSL && detail == "unexpected eof while reading");
  if (closed) {
    return std::string("the broker closed the connection during the ") + during +
           (std::strcmp(during, "handshake") == 0 ? " (is this a TLS port? does it need a client certificate?)" : "");
  }
  if (detail.find("certificate required") != std::string::npos) {
    return "the broker requires a client certificate (" + detail + "); give " + Arg("cert") + " and " + Arg("key");
  }
  if (detail.find("alert bad certificate") != std::string::npos ||
      detail.find("alert unknown ca") != std::string::npos ||
      detail.find("alert certificate revoked") != std::string::npos ||
      detail.find("alert certificate expired") != std::string::npos) {
    return "the broker rejected our client certificate (" + detail + ")";
  }
  if (detail.find("protocol version") != std::string::npos ||
      detail.find("unsupported protocol") != std::string::npos) {
    return "no TLS version in common with the broker (" + detail + ")";
  }
  if (detail.find("wrong version number") != std::string::npos ||
      detail.find("packet length too long") != std::string::npos) {
    return std::string("the other side does not speak TLS (") + detail + "); is this the plain MQTT port (1883)?";
  }
  return std::string("TLS ") + during + " failed" + (detail.empty() ? "" : ": " + detail);
}

// WithDeadline runs the OpenSSL call |op| until it completes, waiting for the socket between tries for no longer
// than |deadline| in all: a broker that trickles bytes cannot hold a stage open longer than its timeout. On
// timeout it returns |op|'s last result and sets |timed_out|.
template <typename Op>
int WithDeadline(SSL* ssl, Clock::time_point deadline, bool* timed_out, Op op) {
  for (;;) {
    int rc = op();
    if (rc > 0) return rc;
    int err = SSL_get_error(ssl, rc);
    short events = err == SSL_ERROR_WANT_READ ? POLLIN : err == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
    if (events == 0) return rc;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd pfd{SSL_get_fd(ssl), events, 0};
    if (left <= 0 || ::poll(&pfd, 1, static_cast<int>(left)) == 0) {
      *timed_out = true;
      return rc;
    }
  }
}

Clock::time_point DeadlineIn(int ms) { return Clock::now() + std::chrono::milliseconds(ms); }

struct TlsSession {
  Socket socket;
  SslPtr ssl;
};

// CertRequested notes, per connection, that the broker asked for a client certificate (mutual TLS).
int NoteCertRequest(SSL* /*ssl*/, void* arg) {
  *static_cast<bool*>(arg) = true;
  return 1;
}

Result<SslCtxPtr> MakeContext(const ProbeOptions& o) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return ossl::OsslError(ErrorCode::kInternal, "SSL_CTX_new");
  // We verify the presented chain ourselves (VerifyChain), to say exactly what is wrong with it.
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  int min = TLS1_2_VERSION;
  int max = TLS1_3_VERSION;
  if (o.tls == TlsVersion::k12) max = TLS1_2_VERSION;
  if (o.tls == TlsVersion::k13) min = TLS1_3_VERSION;
  SSL_CTX_set_min_proto_version(ctx.get(), min);
  SSL_CTX_set_max_proto_version(ctx.get(), max);
  if (!o.client_chain.empty()) {
    if (o.client_key == nullptr) return MakeError(ErrorCode::kUsage, Arg("cert") + " needs " + Arg("key"));
    if (SSL_CTX_use_certificate(ctx.get(), o.client_chain.front().get()) != 1 ||
        SSL_CTX_use_PrivateKey(ctx.get(), o.client_key->get()) != 1 || SSL_CTX_check_private_key(ctx.get()) != 1) {
      return ossl::OsslError(ErrorCode::kInput, "the client key does not match the client certificate");
    }
    for (size_t i = 1; i < o.client_chain.size(); ++i) {
      if (SSL_CTX_add1_chain_cert(ctx.get(), o.client_chain[i].get()) != 1) {
        return ossl::OsslError(ErrorCode::kInternal, "cannot add the client chain");
      }
    }
  }
  return ctx;
}

// Handshake connects and runs the TLS handshake; on failure it fills |report| (stage, reason) and returns nullopt.
std::optional<TlsSession> Handshake(SSL_CTX* ctx, const ProbeOptions& o, const std::string& name, ProbeReport& report,
                                    bool* cert_requested) {
  auto start = Clock::now();
  std::string address, why;
  Socket s = Connect(o.host, o.port, o.timeout_ms, &address, &why);
  report.address = address;
  if (s.fd() < 0) {
    report.stage = ProbeStage::kTcp;
    report.reason = why;
    return std::nullopt;
  }
  report.tcp_ms = MsSince(start);
  start = Clock::now();
  SslPtr ssl(SSL_new(ctx));
  if (!ssl || SSL_set_fd(ssl.get(), s.fd()) != 1) {
    report.stage = ProbeStage::kTls;
    report.reason = "cannot set up TLS";
    return std::nullopt;
  }
  if (!IsIpAddress(name)) SSL_set_tlsext_host_name(ssl.get(), name.c_str());
  *cert_requested = false;
  SSL_set_cert_cb(ssl.get(), NoteCertRequest, cert_requested);
  ossl::ClearErrors();
  bool timed_out = false;
  SSL* raw = ssl.get();
  int rc = WithDeadline(raw, DeadlineIn(o.timeout_ms), &timed_out, [raw] { return SSL_connect(raw); });
  if (rc != 1) {
    report.stage = ProbeStage::kTls;
    report.reason =
        *cert_requested && o.client_chain.empty()
            ? "the broker requires a client certificate (mutual TLS); give " + Arg("cert") + " and " + Arg("key")
            : TlsFailure(ssl.get(), rc, "handshake", o.timeout_ms);
    return std::nullopt;
  }
  report.tls_ms = MsSince(start);
  report.tls_version = SSL_get_version(ssl.get());
  report.cipher = SSL_get_cipher_name(ssl.get());
  return TlsSession{std::move(s), std::move(ssl)};
}

// ExchangeConnect sends CONNECT and reads the CONNACK. TLS-level failures here (a broker that wants a client
// certificate says so only now, in TLS 1.3) are reported in |tls_failure|.
MqttAttempt ExchangeConnect(SSL* ssl, const ProbeOptions& o, int version, std::string* tls_failure) {
  MqttAttempt a;
  a.version = version;
  auto start = Clock::now();
  mqtt::ConnectOptions co;
  co.version = version == 5 ? mqtt::Version::k5 : mqtt::Version::k311;
  co.client_id = o.client_id;
  co.username = o.username;
  if (o.password) co.password = o.password->str();
  Result<std::string> encoded = mqtt::EncodeConnect(co);  // Probe checked the options (CheckConnect)
  if (!encoded.ok()) {
    a.error = encoded.error().message;
    return a;
  }
  std::string packet = std::move(encoded).value();
  ossl::ClearErrors();
  Clock::time_point deadline = DeadlineIn(o.timeout_ms);  // for the whole exchange, CONNECT to CONNACK
  bool timed_out = false;
  int rc = WithDeadline(ssl, deadline, &timed_out,
                        [&] { return SSL_write(ssl, packet.data(), static_cast<int>(packet.size())); });
  OPENSSL_cleanse(packet.data(), packet.size());
  if (rc <= 0) {
    *tls_failure = TlsFailure(ssl, rc, "MQTT exchange", o.timeout_ms);
    a.error = *tls_failure;
    return a;
  }
  std::string buf;
  char chunk[4096];
  for (;;) {
    Result<size_t> need = mqtt::PacketLength(buf);
    if (!need.ok()) {
      a.error = need.error().message;
      return a;
    }
    if (*need > 0 && buf.size() >= *need) {
      Result<mqtt::Connack> ack = mqtt::DecodeConnack(std::string_view(buf).substr(0, *need), co.version);
      if (!ack.ok()) {
        a.error = ack.error().message;
        return a;
      }
      a.connack = true;
      a.code = ack->code;
      a.meaning = mqtt::CodeMeaning(co.version, ack->code);
      a.reason = ack->reason;
      a.ms = MsSince(start);
      if (ack->accepted()) {
        std::string bye = mqtt::EncodeDisconnect(co.version);
        bool late = false;
        WithDeadline(ssl, DeadlineIn(o.timeout_ms), &late,
                     [&] { return SSL_write(ssl, bye.data(), static_cast<int>(bye.size())); });
      }
      return a;
    }
    if (buf.size() > 65536) {
      a.error = "the broker sent more than 64 KiB without a complete CONNACK";
      return a;
    }
    ossl::ClearErrors();
    int n = WithDeadline(ssl, deadline, &timed_out, [&] { return SSL_read(ssl, chunk, sizeof(chunk)); });
    if (n <= 0) {
      int err = SSL_get_error(ssl, n);
      if (timed_out) {
        a.error = "no CONNACK within " + std::to_string(o.timeout_ms) + " ms";
        ossl::ClearErrors();
      } else if (err == SSL_ERROR_SSL) {
        *tls_failure = TlsFailure(ssl, n, "MQTT exchange", o.timeout_ms);
        a.error = *tls_failure;
      } else if (err == SSL_ERROR_WANT_READ) {
        a.error = "no CONNACK within " + std::to_string(o.timeout_ms) + " ms";
        ossl::ClearErrors();
      } else {
        a.error = "the broker closed the connection without a CONNACK (it may not accept MQTT " +
                  mqtt::VersionName(co.version) + ", or refused the client)";
        ossl::ClearErrors();
      }
      return a;
    }
    buf.append(chunk, static_cast<size_t>(n));
  }
}

std::string RandomClientId() { return "mqttpki-probe-" + RandomHex(4); }

}  // namespace

std::string ProbeStageName(ProbeStage stage) {
  switch (stage) {
    case ProbeStage::kTcp:
      return "tcp";
    case ProbeStage::kTls:
      return "tls";
    case ProbeStage::kVerify:
      return "verify";
    case ProbeStage::kMqtt:
      return "mqtt";
    case ProbeStage::kDone:
      return "done";
  }
  return "?";
}

Result<ProbeReport> Probe(const ProbeOptions& options) {
  SigpipeBlocked no_sigpipe;
  ProbeOptions o = options;
  if (o.host.empty()) return MakeError(ErrorCode::kUsage, "probe needs a host");
  if (o.name.empty()) o.name = o.host;
  if (o.client_id.empty()) o.client_id = RandomClientId();
  // Fields an MQTT CONNECT cannot carry are refused before anything is sent.
  MQTTPKI_TRY(mqtt::CheckString(o.client_id.size(), "the MQTT client id (" + Arg("client-id") + ")"));
  if (o.username) MQTTPKI_TRY(mqtt::CheckString(o.username->size(), "the MQTT user name (" + Arg("username") + ")"));
  if (o.password) {
    MQTTPKI_TRY(mqtt::CheckString(o.password->str().size(), "the MQTT password (" + Arg("password-file") + ")"));
  }
  if (o.trusted.empty()) return MakeError(ErrorCode::kInput, o.bundle_name + " holds no certificate");
  MQTTPKI_ASSIGN_OR_RETURN(SslCtxPtr ctx, MakeContext(o));

  ProbeReport report;
  bool cert_requested = false;
  std::optional<TlsSession> session = Handshake(ctx.get(), o, o.name, report, &cert_requested);
  if (!session) return report;

  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(session->ssl.get());
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
    X509* x = sk_X509_value(chain, i);
    X509_up_ref(x);
    report.presented.push_back(Certificate::Adopt(x));
  }
  if (report.presented.empty()) {
    report.stage = ProbeStage::kTls;
    report.reason = "the broker presented no certificate";
    return report;
  }
  VerifyOptions vo;
  vo.trusted = o.trusted;
  vo.host = o.name;
  vo.now = o.now;
  vo.file_name = "the chain the broker presented";
  vo.bundle_name = o.bundle_name;
  MQTTPKI_ASSIGN_OR_RETURN(VerifyReport verdict, VerifyChain(report.presented, vo));
  report.verify = verdict;
  if (!verdict.ok) {
    report.stage = ProbeStage::kVerify;
    report.reason = verdict.reason;
    return report;
  }

  for (size_t i = 0; i < o.mqtt_versions.size(); ++i) {
    if (i > 0) {  // one connection per protocol version
      session = Handshake(ctx.get(), o, o.name, report, &cert_requested);
      if (!session) return report;
      // Only the first connection's chain was verified: credentials go only to the same certificate.
      X509* leaf = SSL_get0_peer_certificate(session->ssl.get());
      if (leaf == nullptr || X509_cmp(leaf, report.presented.front().get()) != 0) {
        report.stage = ProbeStage::kVerify;
        report.reason =
            "the broker presented a different certificate on the next connection (load balancer with "
            "mixed certificates, or an interception); nothing was sent";
        return report;
      }
    }
    std::string tls_failure;
    MqttAttempt attempt = ExchangeConnect(session->ssl.get(), o, o.mqtt_versions[i], &tls_failure);
    SSL_shutdown(session->ssl.get());
    if (!attempt.connack && cert_requested) {
      // In TLS 1.3 a broker judges the client certificate after the handshake: its alert, or just a reset,
      // arrives in place of the CONNACK. Which of the two we see is a race, so say what it means either way.
      if (o.client_chain.empty()) {
        tls_failure =
            "the broker requires a client certificate (mutual TLS); give " + Arg("cert") + " and " + Arg("key");
      } else if (tls_failure.find("rejected our client certificate") == std::string::npos) {
        tls_failure =
            "the broker rejected our client certificate (it closed the connection after the handshake; "
            "is the certificate issued under the broker's cafile?)";
      }
      attempt.error = tls_failure;
    }
    report.mqtt.push_back(attempt);
    if (!tls_failure.empty()) {
      report.stage = ProbeStage::kTls;
      report.reason = tls_failure;
      return report;
    }
    if (!attempt.connack || attempt.code != 0) {
      report.stage = ProbeStage::kMqtt;
      std::string v = "MQTT " + mqtt::VersionName(attempt.version == 5 ? mqtt::Version::k5 : mqtt::Version::k311);
      report.reason = attempt.connack
                          ? v + " CONNECT refused: " + attempt.meaning + " (code " + std::to_string(attempt.code) +
                                ")" + (attempt.reason.empty() ? "" : ": " + attempt.reason)
                          : v + ": " + attempt.error;
      return report;
    }
  }
  report.ok = true;
  report.stage = ProbeStage::kDone;
  return report;
}

}  // namespace mqttpki

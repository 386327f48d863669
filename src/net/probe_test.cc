#include "mqttpki/probe.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/mqtt.h"
#include "ossl/ptr.h"
#include "pki/test_util.h"

namespace mqttpki {
namespace {

using testing::IssueTest;
using testing::kTestNow;
using testing::MakeTestIntermediate;
using testing::MakeTestRoot;
using testing::TestCa;
using testing::TestKey;
using testing::Worded;

// Fd owns a socket.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// ListenLocal listens on 127.0.0.1 on a port the system picks; |port| is set to it.
Fd ListenLocal(uint16_t* port, bool listen = true) {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  if (listen) {
    EXPECT_EQ(::listen(fd.get(), 8), 0);
  }
  EXPECT_EQ(::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len), 0);
  *port = ntohs(a.sin_port);
  return fd;
}

// ServerCert is what the broker presents: a leaf for 127.0.0.1 and its chain, under a root of its own.
struct ServerCert {
  TestCa root = MakeTestRoot();
  TestCa inter = MakeTestIntermediate(root);
  PrivateKey key = TestKey();
  Certificate leaf = IssueTest(Profile::kServer, "broker.test", {"127.0.0.1"}, key, &inter);
};

// TestBroker is a TLS server on 127.0.0.1 that answers an MQTT CONNECT as told, one connection at a time, on a
// thread of its own. Every wait is bounded: it never outlives the test by more than its socket timeouts.
class TestBroker {
 public:
  enum class Mode {
    kMqtt,            // TLS, then a CONNACK with |connack_code|
    kNoConnack,       // TLS, reads the CONNECT, never answers
    kCloseOnConnect,  // TLS, reads the CONNECT, closes
    kSilent,          // accepts TCP and says nothing
    kPlain,           // not TLS: answers the ClientHello with a plain MQTT CONNACK and DISCONNECT, and closes
    kClose,           // accepts TCP and closes at once
  };
  struct Options {
    Mode mode = Mode::kMqtt;
    int connack_code = 0;
    bool tls12_only = false;
    // Mutual TLS: the client must present a certificate issued under this root.
    const Certificate* client_root = nullptr;
    // From the second connection on, present this leaf instead (a load balancer with mixed certificates).
    const ServerCert* second = nullptr;
  };

  TestBroker(const ServerCert& cert, Options options) : options_(options) {
    first_ = MakeContext(cert);
    if (options_.second != nullptr) second_ = MakeContext(*options_.second);
    listener_ = std::make_unique<Fd>(ListenLocal(&port_));
    thread_ = std::thread([this] {
      // A client that goes away makes our writes fail with EPIPE, not kill the test: SIGPIPE is blocked on this
      // thread only, so that the probe (on the test's thread) meets the signal as the CLI would.
      sigset_t pipe;
      sigemptyset(&pipe);
      sigaddset(&pipe, SIGPIPE);
      pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
      Run();
    });
  }
  ~TestBroker() {
    stop_ = true;
    thread_.join();
  }

  uint16_t port() const { return port_; }
  int connections() const { return connections_; }
  // Levels are the MQTT protocol levels of the CONNECTs received, in order.
  std::vector<int> levels() {
    std::lock_guard<std::mutex> lock(mu_);
    return levels_;
  }

 private:
  ossl::UniquePtr<SSL_CTX> MakeContext(const ServerCert& c) {
    ossl::UniquePtr<SSL_CTX> ctx(SSL_CTX_new(TLS_server_method()));
    EXPECT_TRUE(ctx);
    EXPECT_EQ(SSL_CTX_use_certificate(ctx.get(), c.leaf.get()), 1);
    EXPECT_EQ(SSL_CTX_add1_chain_cert(ctx.get(), c.inter.cert.get()), 1);
    EXPECT_EQ(SSL_CTX_use_PrivateKey(ctx.get(), c.key.get()), 1);
    if (options_.tls12_only) SSL_CTX_set_max_proto_version(ctx.get(), TLS1_2_VERSION);
    if (options_.client_root != nullptr) {
      EXPECT_EQ(X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), options_.client_root->get()), 1);
      SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    }
    return ctx;
  }

  void Run() {
    while (!stop_) {
      pollfd p{listener_->get(), POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      Fd conn(::accept4(listener_->get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (conn.get() < 0) continue;
      timeval tv{2, 0};  // no read or write waits longer
      ::setsockopt(conn.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      ::setsockopt(conn.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
      int n = ++connections_;
      Serve(conn.get(), n == 1 || !second_ ? first_.get() : second_.get());
    }
  }

  void Serve(int fd, SSL_CTX* ctx) {
    if (options_.mode == Mode::kSilent) {
      while (!stop_) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      return;
    }
    if (options_.mode == Mode::kClose) return;
    if (options_.mode == Mode::kPlain) {
      char buf[512];
      (void)!::read(fd, buf, sizeof(buf));
      (void)!::write(fd, "\x20\x02\x00\x00\xe0\x00", 6);  // CONNACK, DISCONNECT
      return;
    }
    ossl::UniquePtr<SSL> ssl(SSL_new(ctx));
    SSL_set_fd(ssl.get(), fd);
    if (SSL_accept(ssl.get()) != 1) return;
    std::string buf;
    char chunk[1024];
    for (;;) {
      Result<size_t> need = mqtt::PacketLength(buf);
      if (!need.ok()) return;
      if (*need > 0 && buf.size() >= *need) break;
      int r = SSL_read(ssl.get(), chunk, sizeof(chunk));
      if (r <= 0) return;  // e.g. the client's certificate was refused (TLS 1.3 says so only now)
      buf.append(chunk, static_cast<size_t>(r));
    }
    int level = buf.size() > 8 ? static_cast<unsigned char>(buf[8]) : -1;  // after 0x10, length, "\0\4MQTT"
    {
      std::lock_guard<std::mutex> lock(mu_);
      levels_.push_back(level);
    }
    if (options_.mode == Mode::kNoConnack) {
      char c;
      (void)SSL_read(ssl.get(), &c, 1);  // until the client gives up (or the socket timeout)
      return;
    }
    if (options_.mode == Mode::kMqtt) {
      std::string ack = level == 5 ? std::string("\x20\x03\x00", 3) + static_cast<char>(options_.connack_code) + '\0'
                                   : std::string("\x20\x02\x00", 3) + static_cast<char>(options_.connack_code);
      SSL_write(ssl.get(), ack.data(), static_cast<int>(ack.size()));
      char c;
      (void)SSL_read(ssl.get(), &c, 1);  // the DISCONNECT, or the close
    }
    SSL_shutdown(ssl.get());
  }

  Options options_;
  ossl::UniquePtr<SSL_CTX> first_, second_;
  std::unique_ptr<Fd> listener_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::mutex mu_;
  std::vector<int> levels_;
  std::thread thread_;
};

ProbeOptions ProbeTo(const ServerCert& cert, uint16_t port) {
  ProbeOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.trusted = {cert.root.cert};
  o.bundle_name = "ca-bundle.pem";
  o.now = kTestNow + 3600;
  o.timeout_ms = 3000;
  return o;
}

ProbeReport RunProbe(const ProbeOptions& o) {
  Result<ProbeReport> r = Probe(o);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? std::move(r).value() : ProbeReport();
}

TEST(Probe, GoodBrokerBothMqttVersions) {
  ServerCert cert;
  TestBroker broker(cert, {});
  ProbeReport r = RunProbe(ProbeTo(cert, broker.port()));
  EXPECT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.stage, ProbeStage::kDone);
  EXPECT_EQ(r.reason, "");
  EXPECT_EQ(r.address, "127.0.0.1:" + std::to_string(broker.port()));
  EXPECT_EQ(r.tls_version, "TLSv1.3");
  EXPECT_FALSE(r.cipher.empty());
  ASSERT_EQ(r.presented.size(), 2u);  // exactly as sent: leaf, intermediate
  EXPECT_EQ(r.presented[0].Sha256Fingerprint(), cert.leaf.Sha256Fingerprint());
  EXPECT_EQ(r.presented[1].Sha256Fingerprint(), cert.inter.cert.Sha256Fingerprint());
  ASSERT_TRUE(r.verify.has_value());
  EXPECT_TRUE(r.verify->ok);
  ASSERT_EQ(r.mqtt.size(), 2u);
  EXPECT_EQ(r.mqtt[0].version, 4);
  EXPECT_TRUE(r.mqtt[0].connack);
  EXPECT_EQ(r.mqtt[0].code, 0);
  EXPECT_EQ(r.mqtt[0].meaning, "Connection Accepted");
  EXPECT_EQ(r.mqtt[1].version, 5);
  EXPECT_EQ(r.mqtt[1].meaning, "Success");
  EXPECT_EQ(broker.levels(), (std::vector<int>{4, 5}));  // one connection per version
  EXPECT_EQ(broker.connections(), 2);
}

TEST(Probe, TlsOnlyAndPinnedVersion) {
  ServerCert cert;
  TestBroker broker(cert, {.tls12_only = true});
  ProbeOptions o = ProbeTo(cert, broker.port());
  o.mqtt_versions = {};
  o.tls = TlsVersion::k12;
  ProbeReport r = RunProbe(o);
  EXPECT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.tls_version, "TLSv1.2");
  EXPECT_TRUE(r.mqtt.empty());
  EXPECT_TRUE(broker.levels().empty());

  o.tls = TlsVersion::k13;
  r = RunProbe(o);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.stage, ProbeStage::kTls);
  EXPECT_EQ(r.reason.rfind("no TLS version in common with the broker (", 0), 0u) << r.reason;
}

TEST(Probe, RefusedConnectNamesTheCode) {
  ServerCert cert;
  TestBroker broker(cert, {.connack_code = 5});
  ProbeOptions o = ProbeTo(cert, broker.port());
  o.mqtt_versions = {4};
  ProbeReport r = RunProbe(o);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.stage, ProbeStage::kMqtt);
  EXPECT_EQ(r.reason, "MQTT 3.1.1 CONNECT refused: Connection Refused, not authorized (code 5)");
  ASSERT_EQ(r.mqtt.size(), 1u);
  EXPECT_EQ(r.mqtt[0].code, 5);
}

TEST(Probe, UntrustedOrWrongNameStopsBeforeMqtt) {
  ServerCert cert;
  TestBroker broker(cert, {});
  ProbeOptions o = ProbeTo(cert, broker.port());
  o.trusted = {MakeTestRoot(KeyType::kEcP256, 3650, kTestNow, "Another Root").cert};
  ProbeReport r = RunProbe(o);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.stage, ProbeStage::kVerify);
  EXPECT_EQ(r.reason.rfind("untrusted: the chain ends at 'Test Server CA'", 0), 0u) << r.reason;
  EXPECT_EQ(r.presented.size(), 2u);
  EXPECT_TRUE(r.mqtt.empty());

  o = ProbeTo(cert, broker.port());
  o.name = "wrong.example.com";
  r = RunProbe(o);
  EXPECT_EQ(r.stage, ProbeStage::kVerify);
  EXPECT_EQ(r.reason, "name mismatch: 'broker.test' is for broker.test, 127.0.0.1, not for wrong.example.com");
  EXPECT_TRUE(broker.levels().empty());  // no credentials went to a broker that failed verification
}

TEST(Probe, DifferentCertificateOnTheNextConnectionGetsNothing) {
  ServerCert cert, other;
  other.root.cert = cert.root.cert;  // the same trust anchor: the other leaf verifies too
  other.root.key = PrivateKey::FromPem(cert.root.key.ToPem(nullptr)->str(), nullptr, "root.key").value();
  other.inter = MakeTestIntermediate(other.root);
  other.leaf = IssueTest(Profile::kServer, "broker.test", {"127.0.0.1"}, other.key, &other.inter);
  TestBroker broker(cert, {.second = &other});
  ProbeReport r = RunProbe(ProbeTo(cert, broker.port()));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.stage, ProbeStage::kVerify);
  EXPECT_EQ(r.reason,
            "the broker presented a different certificate on the next connection (load balancer with mixed "
            "certificates, or an interception); nothing was sent");
  EXPECT_EQ(broker.levels(), std::vector<int>{4});  // the first connection only
}

TEST(Probe, MutualTls) {
  ServerCert cert;
  TestCa device_root = MakeTestRoot(KeyType::kEcP256, 3650, kTestNow, "Device Root");
  PrivateKey device_key = TestKey();
  Certificate device = IssueTest(Profile::kClient, "dev-1", {}, device_key, &device_root, 365, ::time(nullptr));
  TestBroker broker(cert, {.client_root = &device_root.cert});
  ProbeOptions o = ProbeTo(cert, broker.port());
  o.mqtt_versions = {4};
  ProbeReport none = RunProbe(o);
  EXPECT_FALSE(none.ok);
  EXPECT_EQ(none.stage, ProbeStage::kTls);
  EXPECT_EQ(Worded(none.reason), "the broker requires a client certificate (mutual TLS); give --cert and --key");

  o.client_chain = {device};
  o.client_key = &device_key;
  ProbeReport ok = RunProbe(o);
  EXPECT_TRUE(ok.ok) << ok.reason;
  EXPECT_EQ(broker.levels(), std::vector<int>{4});

  PrivateKey wrong = TestKey();
  o.client_key = &wrong;
  Result<ProbeReport> mismatch = Probe(o);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().code, ErrorCode::kInput);
  EXPECT_EQ(mismatch.error().message, "the client key does not match the client certificate");
}

TEST(Probe, NothingListening) {
  uint16_t port = 0;
  { Fd closed = ListenLocal(&port, false); }  // a port that was free a moment ago, and nothing listens on it
  ServerCert cert;
  ProbeReport r = RunProbe(ProbeTo(cert, port));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.stage, ProbeStage::kTcp);
  EXPECT_EQ(r.reason, "connection to 127.0.0.1:" + std::to_string(port) + " refused (nothing listening on that port?)");
}

TEST(Probe, NotTls) {
  ServerCert cert;
  TestBroker broker(cert, {.mode = TestBroker::Mode::kPlain});
  ProbeReport r = RunProbe(ProbeTo(cert, broker.port()));
  EXPECT_EQ(r.stage, ProbeStage::kTls);
  EXPECT_EQ(r.reason.rfind("the other side does not speak TLS (", 0), 0u) << r.reason;
  EXPECT_NE(r.reason.find("); is this the plain MQTT port (1883)?"), std::string::npos) << r.reason;
}

// A broker that accepts the TCP connection and closes it at once (too many connections, a load balancer without
// backends) makes OpenSSL's next write to the reset socket raise SIGPIPE, which used to end the probe (exit 141,
// no message); Probe blocks it for its thread and reports. The test runs the probe in this process with a handler
// that counts SIGPIPEs in place of the default (which would end the test binary): a signal that reached the thread
// is counted. (Forking a child to probe, beside the broker's thread, could deadlock the child on a lock that thread
// held at the fork.)
std::atomic<int> g_sigpipes{0};
void CountSigpipe(int) { g_sigpipes.fetch_add(1); }

TEST(Probe, ClosedDuringHandshakeIsAReportNotSigpipe) {
  ServerCert cert;
  TestBroker broker(cert, {.mode = TestBroker::Mode::kClose});
  struct sigaction count = {}, old = {};
  count.sa_handler = CountSigpipe;
  sigemptyset(&count.sa_mask);
  ASSERT_EQ(::sigaction(SIGPIPE, &count, &old), 0);
  g_sigpipes = 0;
  for (int i = 0; i < 10; ++i) {
    Result<ProbeReport> r = Probe(ProbeTo(cert, broker.port()));
    std::string reason = r.ok() ? ProbeStageName(r->stage) + ": " + r->reason : "error: " + r.error().message;
    EXPECT_EQ(reason,
              "tls: the broker closed the connection during the handshake (is this a TLS port? does it need a "
              "client certificate?)")
        << "attempt " << i;
  }
  EXPECT_EQ(g_sigpipes.load(), 0) << "SIGPIPE reached the probing thread";
  ::sigaction(SIGPIPE, &old, nullptr);
}

TEST(Probe, SilentBrokerTimesOut) {
  ServerCert cert;
  TestBroker broker(cert, {.mode = TestBroker::Mode::kSilent});
  ProbeOptions o = ProbeTo(cert, broker.port());
  o.timeout_ms = 200;
  auto start = std::chrono::steady_clock::now();
  ProbeReport r = RunProbe(o);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.stage, ProbeStage::kTls);
  EXPECT_EQ(r.reason, "the broker did not answer during the handshake within 200 ms");
  EXPECT_GE(s, 0.19);
  EXPECT_LT(s, 2.0);
}

TEST(Probe, NoConnack) {
  ServerCert cert;
  {
    TestBroker broker(cert, {.mode = TestBroker::Mode::kNoConnack});
    ProbeOptions o = ProbeTo(cert, broker.port());
    o.mqtt_versions = {4};
    o.timeout_ms = 200;
    ProbeReport r = RunProbe(o);
    EXPECT_EQ(r.stage, ProbeStage::kMqtt);
    EXPECT_EQ(r.reason, "MQTT 3.1.1: no CONNACK within 200 ms");
  }
  TestBroker broker(cert, {.mode = TestBroker::Mode::kCloseOnConnect});
  ProbeOptions o = ProbeTo(cert, broker.port());
  o.mqtt_versions = {5};
  ProbeReport r = RunProbe(o);
  EXPECT_EQ(r.stage, ProbeStage::kMqtt);
  EXPECT_EQ(r.reason,
            "MQTT 5: the broker closed the connection without a CONNACK (it may not accept MQTT 5, or refused the "
            "client)");
}

TEST(Probe, BadOptionsAreErrorsNotReports) {
  ServerCert cert;
  ProbeOptions o = ProbeTo(cert, 1);
  o.host = "";
  Result<ProbeReport> no_host = Probe(o);
  ASSERT_FALSE(no_host.ok());
  EXPECT_EQ(no_host.error().code, ErrorCode::kUsage);
  EXPECT_EQ(no_host.error().message, "probe needs a host");

  o = ProbeTo(cert, 1);
  o.trusted = {};
  Result<ProbeReport> no_bundle = Probe(o);
  ASSERT_FALSE(no_bundle.ok());
  EXPECT_EQ(no_bundle.error().code, ErrorCode::kInput);
  EXPECT_EQ(no_bundle.error().message, "ca-bundle.pem holds no certificate");

  o = ProbeTo(cert, 1);
  o.client_chain = {cert.leaf};
  Result<ProbeReport> no_key = Probe(o);
  ASSERT_FALSE(no_key.ok());
  EXPECT_EQ(no_key.error().code, ErrorCode::kUsage);
  EXPECT_EQ(Worded(no_key.error()), "--cert needs --key");

  o = ProbeTo(cert, 1);
  o.client_id = std::string(65536, 'c');
  Result<ProbeReport> long_id = Probe(o);
  ASSERT_FALSE(long_id.ok());
  EXPECT_EQ(long_id.error().code, ErrorCode::kUsage);
  EXPECT_EQ(Worded(long_id.error()),
            "the MQTT client id (--client-id) is 65536 bytes long: an MQTT string holds at most 65535 bytes");
}

TEST(ProbeStageName, Words) {
  EXPECT_EQ(ProbeStageName(ProbeStage::kTcp), "tcp");
  EXPECT_EQ(ProbeStageName(ProbeStage::kTls), "tls");
  EXPECT_EQ(ProbeStageName(ProbeStage::kVerify), "verify");
  EXPECT_EQ(ProbeStageName(ProbeStage::kMqtt), "mqtt");
  EXPECT_EQ(ProbeStageName(ProbeStage::kDone), "done");
}

}  // namespace
}  // namespace mqttpki

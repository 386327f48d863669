// What a broker sends to `mqttpki probe`: the TLS handshake, then the CONNACK inside TLS. The client is configured
// as MakeContext and Handshake in src/net/probe.cc configure it (TLS 1.2-1.3 or one pinned version, no
// verification by OpenSSL, SNI unless the name is an IP address, a certificate callback that notes a
// CertificateRequest) and runs SSL_connect, then ExchangeConnect's CONNECT/CONNACK loop, against a memory BIO that
// holds the fuzz bytes as everything the server sends. The presented chain goes through what probe does with it
// (Certificate::Adopt, VerifyChain), and the error queue is drained as TlsFailure drains it.
//
// OpenSSL's randomness is deterministic here (fuzz_util.h), so the client's ClientHello, key shares and CONNECT
// are the same bytes on every run. A server's real answer to them, recorded once, therefore replays as a complete
// handshake, CONNACK included. Record mode does that (fuzz/make_corpus.sh uses it):
//   MQTTPKI_FUZZ_TLS_RECORD=127.0.0.1:8883 MQTTPKI_FUZZ_TLS_CONTROL=0 MQTTPKI_FUZZ_TLS_OUT=seed.bin build-fuzz/fuzz_tls
// connects to the server, runs the same client code over the socket, writes the control byte and every byte the
// server sent to OUT, and exits.
//
// Input: one control byte, then the server's bytes.
//   bits 0-1: 0 or 3 = TLS 1.2-1.3, 1 = pin 1.2, 2 = pin 1.3 (probe --tls)
//   bit 2:    the name is an IP address (no SNI)
//   bit 3:    MQTT 5 instead of 3.1.1
//   bits 4-7: feed the bytes in chunks of (n * 128), 0 = all at once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "mqttpki/certificate.h"
#include "mqttpki/verify.h"
#include "net/mqtt.h"
#include "ossl/error.h"
#include "pki/internal.h"

using namespace mqttpki;

namespace {

struct SslFree {
  void operator()(SSL* p) const { SSL_free(p); }
};

int NoteCertRequest(SSL* /*ssl*/, void* arg) {
  *static_cast<bool*>(arg) = true;
  return 1;
}

// MakeContext mirrors probe.cc's MakeContext for |tls| (0: both versions, 1: 1.2 only, 2: 1.3 only).
SSL_CTX* MakeContext(int tls) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  fuzz::Require(ctx != nullptr, "SSL_CTX_new");
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  int min = TLS1_2_VERSION;
  int max = TLS1_3_VERSION;
  if (tls == 1) max = TLS1_2_VERSION;
  if (tls == 2) min = TLS1_3_VERSION;
  SSL_CTX_set_min_proto_version(ctx, min);
  SSL_CTX_set_max_proto_version(ctx, max);
  return ctx;
}

// The contexts are made once: probe makes one per run, and building one per input costs more than the handshake.
SSL_CTX* Context(int tls) {
  static SSL_CTX* contexts[3] = {MakeContext(0), MakeContext(1), MakeContext(2)};
  return contexts[tls];
}

// Server is where the bytes the client reads come from.
class Server {
 public:
  virtual ~Server() = default;
  // Exchange takes what the client wrote since the last call (|sent|) and gives the next bytes the server sends;
  // false when there are no more (the connection is idle or closed).
  virtual bool Exchange(std::string_view sent, std::string* received) = 0;
};

// FuzzServer sends the fuzz input in chunks and ignores what the client says.
class FuzzServer final : public Server {
 public:
  FuzzServer(std::string_view bytes, size_t chunk) : bytes_(bytes), chunk_(chunk == 0 ? bytes.size() + 1 : chunk) {}
  bool Exchange(std::string_view /*sent*/, std::string* received) override {
    if (pos_ >= bytes_.size()) return false;
    size_t n = std::min(chunk_, bytes_.size() - pos_);
    received->assign(bytes_.substr(pos_, n));
    pos_ += n;
    return true;
  }
  size_t pos() const { return pos_; }

 private:
  std::string_view bytes_;
  size_t chunk_;
  size_t pos_ = 0;
};

// SocketServer talks to a real server and records what it sends (record mode).
class SocketServer final : public Server {
 public:
  explicit SocketServer(int fd) : fd_(fd) {}
  bool Exchange(std::string_view sent, std::string* received) override {
    while (!sent.empty()) {
      ssize_t n = ::send(fd_, sent.data(), sent.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent.remove_prefix(static_cast<size_t>(n));
    }
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, 2000) <= 0) return false;  // idle: the server waits for something we will not send
    char buf[16384];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) return false;
    received->assign(buf, static_cast<size_t>(n));
    recorded += *received;
    return true;
  }
  std::string recorded;

 private:
  int fd_;
};

struct Outcome {
  int connect_rc = 0;
  size_t presented = 0;
  bool connack = false;
};

// Pump moves what the client wrote to |server| and what the server answers into the client; false when the server
// has nothing more (what a socket that times out or closes means to probe).
bool Pump(BIO* from_server, BIO* to_server, Server& server) {
  char* data = nullptr;
  long len = BIO_get_mem_data(to_server, &data);
  std::string sent(data != nullptr && len > 0 ? std::string(data, static_cast<size_t>(len)) : std::string());
  (void)BIO_reset(to_server);
  std::string received;
  if (!server.Exchange(sent, &received)) return false;
  fuzz::Require(BIO_write(from_server, received.data(), static_cast<int>(received.size())) ==
                    static_cast<int>(received.size()),
                "BIO_write into memory");
  return true;
}

// RunProbe is probe's client side for one connection: Handshake, the presented chain, ExchangeConnect.
Outcome RunProbe(uint8_t control, Server& server) {
  Outcome out;
  int tls = control & 3;
  if (tls == 3) tls = 0;
  const std::string name = (control & 4) != 0 ? "127.0.0.1" : "mqtt.example.com";
  const mqtt::Version version = (control & 8) != 0 ? mqtt::Version::k5 : mqtt::Version::k311;

  std::unique_ptr<SSL, SslFree> ssl(SSL_new(Context(tls)));
  fuzz::Require(ssl != nullptr, "SSL_new");
  BIO* from_server = BIO_new(BIO_s_mem());
  BIO* to_server = BIO_new(BIO_s_mem());
  fuzz::Require(from_server != nullptr && to_server != nullptr, "BIO_new");
  BIO_set_mem_eof_return(from_server, -1);  // no more bytes yet: "want read", as on a non-blocking socket
  SSL_set_bio(ssl.get(), from_server, to_server);  // the SSL owns both
  if (!IsIpAddress(name)) SSL_set_tlsext_host_name(ssl.get(), name.c_str());
  bool cert_requested = false;
  SSL_set_cert_cb(ssl.get(), NoteCertRequest, &cert_requested);
  ossl::ClearErrors();

  // WithDeadline around SSL_connect, with "the socket is readable" meaning "the server sent more".
  auto with_server = [&](auto op) {
    for (;;) {
      int rc = op();
      if (rc > 0) return rc;
      int err = SSL_get_error(ssl.get(), rc);
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) return rc;
      if (!Pump(from_server, to_server, server)) return rc;  // probe: "the broker did not answer ... within"
    }
  };
  SSL* raw = ssl.get();
  out.connect_rc = with_server([raw] { return SSL_connect(raw); });

  // TlsFailure: the error and the drained queue, turned into words.
  if (out.connect_rc != 1) {
    int err = SSL_get_error(raw, out.connect_rc);
    std::string detail;
    for (const std::string& q : ossl::DrainErrors()) {
      size_t p = q.rfind(':');
      if (!detail.empty()) detail += "; ";
      detail += p == std::string::npos ? q : q.substr(p + 1);
    }
    fuzz::Note("handshake failed: SSL_get_error " + std::to_string(err) +
               (cert_requested ? ", certificate requested" : "") + (detail.empty() ? "" : ": " + detail));
  } else {
    fuzz::Note(std::string("handshake done: ") + SSL_get_version(raw) + " " + SSL_get_cipher_name(raw) +
               (cert_requested ? ", certificate requested" : ""));
  }

  // The chain as presented. probe looks at it after a handshake; a TLS 1.2 server's Certificate message is taken
  // in before anything the fuzzer cannot forge, so here it is looked at whenever OpenSSL kept one.
  std::vector<Certificate> presented;
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(raw);
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain) && i < 8; ++i) {
    X509* x = sk_X509_value(chain, i);
    X509_up_ref(x);
    presented.push_back(Certificate::Adopt(x));
  }
  out.presented = presented.size();
  if (!presented.empty()) {
    for (const Certificate& c : presented) fuzz::ExerciseCertificate(c);
    VerifyOptions vo;
    vo.trusted.push_back(presented.back());
    vo.host = name;
    vo.now = fuzz::kNow;
    vo.file_name = "the chain the broker presented";
    Result<VerifyReport> verdict = VerifyChain(presented, vo);
    fuzz::Note(std::to_string(presented.size()) + " certificate(s) presented, verify: " +
               (!verdict.ok() ? verdict.error().message : verdict->ok ? "ok" : verdict->reason));
  }
  if (out.connect_rc != 1) return out;
  if (X509* leaf = SSL_get0_peer_certificate(raw); leaf != nullptr && !presented.empty()) {
    (void)X509_cmp(leaf, presented.front().get());  // the check before the next connection's CONNECT
  }

  // ExchangeConnect.
  mqtt::ConnectOptions co;
  co.version = version;
  co.client_id = "mqttpki-probe-" + RandomHex(4);
  std::string packet = mqtt::EncodeConnect(co).value();
  ossl::ClearErrors();
  int rc = with_server([&] { return SSL_write(raw, packet.data(), static_cast<int>(packet.size())); });
  if (rc <= 0) {
    fuzz::Note("CONNECT not sent");
    return out;
  }
  std::string buf;
  char chunk[4096];
  for (;;) {
    Result<size_t> need = mqtt::PacketLength(buf);
    if (!need.ok()) {
      fuzz::Note(need.error().message);
      break;
    }
    if (*need > 0 && buf.size() >= *need) {
      Result<mqtt::Connack> ack = mqtt::DecodeConnack(std::string_view(buf).substr(0, *need), version);
      fuzz::Note(ack.ok() ? "CONNACK " + std::to_string(ack->code) + " " + mqtt::CodeMeaning(version, ack->code)
                          : ack.error().message);
      out.connack = ack.ok();
      if (ack.ok() && ack->accepted()) {
        std::string bye = mqtt::EncodeDisconnect(version);
        (void)with_server([&] { return SSL_write(raw, bye.data(), static_cast<int>(bye.size())); });
      }
      break;
    }
    if (buf.size() > 65536) break;
    ossl::ClearErrors();
    int n = with_server([&] { return SSL_read(raw, chunk, sizeof(chunk)); });
    if (n <= 0) {
      int err = SSL_get_error(raw, n);
      fuzz::Note("no CONNACK: SSL_get_error " + std::to_string(err));
      if (err == SSL_ERROR_SSL) {
        for (const std::string& q : ossl::DrainErrors()) (void)q.rfind(':');
      }
      break;
    }
    buf.append(chunk, static_cast<size_t>(n));
  }
  SSL_shutdown(raw);
  // What the client wrote last (DISCONNECT, close_notify) goes to the server too.
  (void)Pump(from_server, to_server, server);
  return out;
}

// Record connects to HOST:PORT, runs RunProbe over the socket and writes the control byte and the server's bytes.
void Record(const char* target, const char* control_text, const char* out_path) {
  std::string t(target);
  size_t colon = t.rfind(':');
  fuzz::Require(colon != std::string::npos, "MQTTPKI_FUZZ_TLS_RECORD is HOST:PORT (an IPv4 address)");
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(std::atoi(t.c_str() + colon + 1)));
  fuzz::Require(inet_pton(AF_INET, t.substr(0, colon).c_str(), &sa.sin_addr) == 1, "an IPv4 address to record");
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  fuzz::Require(fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0, "connecting to record");
  uint8_t control = static_cast<uint8_t>(std::strtoul(control_text, nullptr, 0));
  SocketServer server(fd);
  fuzz::ResetRandom();  // as LLVMFuzzerTestOneInput does: the same ClientHello
  Outcome o = RunProbe(control, server);
  ::close(fd);
  std::ofstream(out_path, std::ios::binary) << static_cast<char>(control) << server.recorded;
  std::fprintf(stderr, "recorded %zu bytes: handshake %s, %zu certificate(s), %s\n", server.recorded.size(),
               o.connect_rc == 1 ? "done" : "failed", o.presented, o.connack ? "CONNACK" : "no CONNACK");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::UseDeterministicRandom();
  (void)Context(0);
  (void)fuzz::FixedKey();
  // One throwaway connection: whatever OpenSSL sets up on first use happens here, not in the first input.
  FuzzServer none("", 0);
  (void)RunProbe(0, none);
  fuzz::EndRun();
  const char* record = std::getenv("MQTTPKI_FUZZ_TLS_RECORD");
  if (record != nullptr) {
    const char* control = std::getenv("MQTTPKI_FUZZ_TLS_CONTROL");
    const char* out = std::getenv("MQTTPKI_FUZZ_TLS_OUT");
    fuzz::Require(out != nullptr, "MQTTPKI_FUZZ_TLS_OUT names the seed file to write");
    Record(record, control != nullptr ? control : "0", out);
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 64 * 1024) return -1;
  fuzz::ResetRandom();
  FuzzServer server(fuzz::Text(data + 1, size - 1), static_cast<size_t>(data[0] >> 4) * 128);
  Outcome o = RunProbe(data[0], server);
  (void)o;
  fuzz::EndRun();
  return 0;
}

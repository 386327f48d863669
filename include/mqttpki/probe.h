// Probing a live MQTT broker over TLS: TCP, the TLS handshake, the chain as presented and whether a device would
// accept it, then an MQTT CONNECT and its CONNACK.
#ifndef MQTTPKI_PROBE_H_
#define MQTTPKI_PROBE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mqttpki/certificate.h"
#include "mqttpki/key.h"
#include "mqttpki/result.h"
#include "mqttpki/verify.h"

namespace mqttpki {

enum class TlsVersion { k12, k13 };

struct ProbeOptions {
  std::string host;          // DNS name or IP address to connect to
  uint16_t port = 8883;
  std::string name;          // SNI and the name the certificate must match (default: host)
  std::vector<Certificate> trusted;  // the device's bundle
  std::string bundle_name = "the bundle";
  std::optional<TlsVersion> tls;     // pin one version; default: what both sides agree on
  std::vector<int> mqtt_versions = {4, 5};  // MQTT protocol levels to try: 4 = 3.1.1, 5 = 5; empty: TLS only
  std::string client_id;     // default: mqttpki-probe-<random>
  std::optional<std::string> username;
  std::optional<Secret> password;
  std::vector<Certificate> client_chain;  // for mutual TLS: leaf first
  const PrivateKey* client_key = nullptr;
  int timeout_ms = 5000;     // the most each stage may take: TCP connect, TLS handshake, CONNECT to CONNACK
  int64_t now = 0;
};

// ProbeStage says how far the probe got; the first that failed is named in the report.
enum class ProbeStage { kTcp, kTls, kVerify, kMqtt, kDone };
std::string ProbeStageName(ProbeStage stage);  // "tcp", "tls", "verify", "mqtt", "done"

struct MqttAttempt {
  int version = 4;           // protocol level
  bool connack = false;      // a CONNACK arrived
  int code = -1;             // its return/reason code
  std::string meaning;       // the specification's words for |code|
  std::string reason;        // MQTT 5 reason string, if any
  std::string error;         // why there was no CONNACK
  double ms = 0;
};

struct ProbeReport {
  bool ok = false;
  ProbeStage stage = ProbeStage::kTcp;  // kDone when ok; else the stage that failed
  std::string reason;                   // what failed, in words
  std::string address;                  // the address connected to
  std::string tls_version;              // "TLSv1.3"
  std::string cipher;
  double tcp_ms = 0, tls_ms = 0;
  std::vector<Certificate> presented;   // the chain exactly as the broker sent it
  std::optional<VerifyReport> verify;
  std::vector<MqttAttempt> mqtt;
};

// Probe runs the checks in order and stops at the first stage that fails (a device would not go on either).
// An Error is returned only for problems on this side (bad options, out of memory).
Result<ProbeReport> Probe(const ProbeOptions& options);

}  // namespace mqttpki

#endif  // MQTTPKI_PROBE_H_

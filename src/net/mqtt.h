// The few MQTT control packets probe needs: CONNECT out, CONNACK in, DISCONNECT out (MQTT 3.1.1 and 5).
#ifndef MQTTPKI_NET_MQTT_H_
#define MQTTPKI_NET_MQTT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mqttpki/result.h"

namespace mqttpki::mqtt {

enum class Version { k311 = 4, k5 = 5 };

std::string VersionName(Version v);  // "3.1.1", "5"

struct ConnectOptions {
  Version version = Version::k311;
  std::string client_id;
  std::optional<std::string> username;
  std::optional<std::string> password;
  uint16_t keep_alive_seconds = 30;
};

// EncodeConnect builds a CONNECT packet (clean session/start, no will).
std::string EncodeConnect(const ConnectOptions& options);
// EncodeDisconnect builds a DISCONNECT packet (normal disconnection).
std::string EncodeDisconnect(Version version);

struct Connack {
  bool session_present = false;
  int code = 0;             // 3.1.1 return code or MQTT 5 reason code
  std::string reason;       // MQTT 5 Reason String property, if sent
  bool accepted() const { return code == 0; }
};

// PacketLength looks at the start of |data| and returns the total length of the first packet once its fixed header
// is complete (0: need more bytes). A malformed remaining-length field is kInput.
Result<size_t> PacketLength(std::string_view data);
// DecodeConnack parses one complete packet that must be a CONNACK of |version|; anything else is kInput, with
// what was received.
Result<Connack> DecodeConnack(std::string_view packet, Version version);
// CodeMeaning is the specification's name for a CONNACK code ("Connection Accepted", "Not authorized", ...).
std::string CodeMeaning(Version version, int code);

}  // namespace mqttpki::mqtt

#endif  // MQTTPKI_NET_MQTT_H_

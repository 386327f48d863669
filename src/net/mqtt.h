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

// kMaxStringBytes is the most an MQTT UTF-8 string or binary field holds: its length is a two-byte integer.
inline constexpr size_t kMaxStringBytes = 65535;

// CheckString says whether a field of |length| bytes fits an MQTT string; the error (kUsage) names it as |what|
// with its length, never its value.
Status CheckString(size_t length, const std::string& what);
// CheckConnect says whether |options| can be encoded: the client id, user name and password are each at most
// kMaxStringBytes long (CheckString).
Status CheckConnect(const ConnectOptions& options);
// EncodeConnect builds a CONNECT packet (clean session/start, no will). It fails as CheckConnect does: a field
// that does not fit is never truncated (that would be a malformed packet the broker misreads).
Result<std::string> EncodeConnect(const ConnectOptions& options);
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

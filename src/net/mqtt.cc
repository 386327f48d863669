#include "net/mqtt.h"

#include <cstdio>

namespace mqttpki::mqtt {
namespace {

void PutVarint(std::string& out, size_t n) {
  do {
    unsigned char b = n % 128;
    n /= 128;
    if (n > 0) b |= 0x80;
    out.push_back(static_cast<char>(b));
  } while (n > 0);
}

void PutU16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}

// PutString writes a length-prefixed MQTT string; |what| names it when it is too long for the two-byte length.
Status PutString(std::string& out, std::string_view s, const char* what) {
  MQTTPKI_TRY(CheckString(s.size(), what));
  PutU16(out, static_cast<uint16_t>(s.size()));
  out.append(s);
  return Status::Ok();
}

// ReadVarint reads an MQTT variable byte integer at |pos|; nullopt when incomplete, error when longer than 4 bytes.
Result<std::optional<size_t>> ReadVarint(std::string_view data, size_t& pos) {
  size_t value = 0;
  size_t multiplier = 1;
  for (int i = 0; i < 4; ++i) {
    if (pos >= data.size()) return std::optional<size_t>();
    unsigned char b = static_cast<unsigned char>(data[pos++]);
    value += (b & 0x7f) * multiplier;
    if ((b & 0x80) == 0) return std::optional<size_t>(value);
    multiplier *= 128;
  }
  return MakeError(ErrorCode::kInput, "malformed MQTT packet: remaining length longer than 4 bytes");
}

std::string HexBytes(std::string_view data, size_t max) {
  std::string out;
  char buf[4];
  for (size_t i = 0; i < data.size() && i < max; ++i) {
    std::snprintf(buf, sizeof(buf), "%02x", static_cast<unsigned char>(data[i]));
    if (!out.empty()) out += ' ';
    out += buf;
  }
  if (data.size() > max) out += " ...";
  return out;
}

}  // namespace

std::string VersionName(Version v) { return v == Version::k5 ? "5" : "3.1.1"; }

Status CheckString(size_t length, const std::string& what) {
  if (length <= kMaxStringBytes) return Status::Ok();
  return MakeError(ErrorCode::kUsage, what + " is " + std::to_string(length) + " bytes long: an MQTT string holds at "
                                      "most " + std::to_string(kMaxStringBytes) + " bytes");
}

Status CheckConnect(const ConnectOptions& o) {
  MQTTPKI_TRY(CheckString(o.client_id.size(), "the MQTT client id (" + Arg("client-id") + ")"));
  if (o.username) MQTTPKI_TRY(CheckString(o.username->size(), "the MQTT user name (" + Arg("username") + ")"));
  if (o.password) {
    MQTTPKI_TRY(CheckString(o.password->size(), "the MQTT password (" + Arg("password-file") + ")"));
  }
  return Status::Ok();
}

Result<std::string> EncodeConnect(const ConnectOptions& o) {
  MQTTPKI_TRY(CheckConnect(o));
  std::string body;
  MQTTPKI_TRY(PutString(body, "MQTT", "the protocol name"));
  body.push_back(static_cast<char>(o.version));
  unsigned char flags = 0x02;  // clean session / clean start
  if (o.username) flags |= 0x80;
  if (o.password) flags |= 0x40;
  body.push_back(static_cast<char>(flags));
  PutU16(body, o.keep_alive_seconds);
  if (o.version == Version::k5) PutVarint(body, 0);  // no properties
  MQTTPKI_TRY(PutString(body, o.client_id, "the MQTT client id"));
  if (o.username) MQTTPKI_TRY(PutString(body, *o.username, "the MQTT user name"));
  if (o.password) MQTTPKI_TRY(PutString(body, *o.password, "the MQTT password"));
  std::string packet(1, static_cast<char>(0x10));
  PutVarint(packet, body.size());
  return packet + body;
}

std::string EncodeDisconnect(Version /*version*/) { return std::string("\xe0\x00", 2); }

Result<size_t> PacketLength(std::string_view data) {
  if (data.empty()) return size_t{0};
  size_t pos = 1;
  MQTTPKI_ASSIGN_OR_RETURN(std::optional<size_t> remaining, ReadVarint(data, pos));
  if (!remaining) return size_t{0};
  return pos + *remaining;
}

Result<Connack> DecodeConnack(std::string_view packet, Version version) {
  if (packet.empty()) return MakeError(ErrorCode::kInput, "empty MQTT packet");
  unsigned char type = static_cast<unsigned char>(packet[0]);
  if (type != 0x20) {
    return MakeError(ErrorCode::kInput, "expected CONNACK, received MQTT packet type " + std::to_string(type >> 4) +
                                            " (" + HexBytes(packet, 16) + ")");
  }
  size_t pos = 1;
  MQTTPKI_ASSIGN_OR_RETURN(std::optional<size_t> remaining, ReadVarint(packet, pos));
  if (!remaining || pos + *remaining != packet.size()) {
    return MakeError(ErrorCode::kInput, "truncated CONNACK (" + HexBytes(packet, 16) + ")");
  }
  if (*remaining < 2) return MakeError(ErrorCode::kInput, "CONNACK too short (" + HexBytes(packet, 16) + ")");
  Connack c;
  c.session_present = (static_cast<unsigned char>(packet[pos]) & 0x01) != 0;
  c.code = static_cast<unsigned char>(packet[pos + 1]);
  pos += 2;
  if (version == Version::k5 && pos < packet.size()) {
    MQTTPKI_ASSIGN_OR_RETURN(std::optional<size_t> props_len, ReadVarint(packet, pos));
    if (!props_len || pos + *props_len > packet.size()) {
      return MakeError(ErrorCode::kInput, "CONNACK properties run past the packet");
    }
    size_t end = pos + *props_len;
    // Walk the properties for the Reason String (0x1F); skip the others by their type's size.
    while (pos < end) {
      unsigned char id = static_cast<unsigned char>(packet[pos++]);
      auto need = [&](size_t n) { return pos + n <= end; };
      switch (id) {
        case 0x01: case 0x17: case 0x19: case 0x24: case 0x25: case 0x28: case 0x29: case 0x2A:  // byte
          if (!need(1)) return MakeError(ErrorCode::kInput, "CONNACK property truncated");
          pos += 1;
          break;
        case 0x13: case 0x21: case 0x22:  // two-byte integer
          if (!need(2)) return MakeError(ErrorCode::kInput, "CONNACK property truncated");
          pos += 2;
          break;
        case 0x02: case 0x11: case 0x27:  // four-byte integer
          if (!need(4)) return MakeError(ErrorCode::kInput, "CONNACK property truncated");
          pos += 4;
          break;
        case 0x12: case 0x15: case 0x16: case 0x1A: case 0x1C: case 0x1F: {  // string or binary data
          if (!need(2)) return MakeError(ErrorCode::kInput, "CONNACK property truncated");
          size_t len = (static_cast<size_t>(static_cast<unsigned char>(packet[pos])) << 8) |
                       static_cast<unsigned char>(packet[pos + 1]);
          pos += 2;
          if (!need(len)) return MakeError(ErrorCode::kInput, "CONNACK property truncated");
          if (id == 0x1F) c.reason = std::string(packet.substr(pos, len));
          pos += len;
          break;
        }
        case 0x26: {  // user property: two strings
          for (int k = 0; k < 2; ++k) {
            if (!need(2)) return MakeError(ErrorCode::kInput, "CONNACK property truncated");
            size_t len = (static_cast<size_t>(static_cast<unsigned char>(packet[pos])) << 8) |
                         static_cast<unsigned char>(packet[pos + 1]);
            pos += 2;
            if (!need(len)) return MakeError(ErrorCode::kInput, "CONNACK property truncated");
            pos += len;
          }
          break;
        }
        default:
          return MakeError(ErrorCode::kInput, "CONNACK has an unknown property " + std::to_string(id));
      }
    }
  }
  return c;
}

std::string CodeMeaning(Version version, int code) {
  if (version == Version::k311) {
    switch (code) {
      case 0: return "Connection Accepted";
      case 1: return "Connection Refused, unacceptable protocol version";
      case 2: return "Connection Refused, identifier rejected";
      case 3: return "Connection Refused, Server unavailable";
      case 4: return "Connection Refused, bad user name or password";
      case 5: return "Connection Refused, not authorized";
      default: return "unknown return code";
    }
  }
  switch (code) {
    case 0x00: return "Success";
    case 0x80: return "Unspecified error";
    case 0x81: return "Malformed Packet";
    case 0x82: return "Protocol Error";
    case 0x83: return "Implementation specific error";
    case 0x84: return "Unsupported Protocol Version";
    case 0x85: return "Client Identifier not valid";
    case 0x86: return "Bad User Name or Password";
    case 0x87: return "Not authorized";
    case 0x88: return "Server unavailable";
    case 0x89: return "Server busy";
    case 0x8A: return "Banned";
    case 0x8C: return "Bad authentication method";
    case 0x95: return "Packet too large";
    case 0x97: return "Quota exceeded";
    case 0x9C: return "Use another server";
    case 0x9D: return "Server moved";
    case 0x9F: return "Connection rate exceeded";
    default: return "unknown reason code";
  }
}

}  // namespace mqttpki::mqtt

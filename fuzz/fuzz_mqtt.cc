// What a broker sends back to `mqttpki probe` after CONNECT: the bytes are read in chunks, framed with
// PacketLength and decoded with DecodeConnack, exactly as ExchangeConnect (src/net/probe.cc) does.
// Input: one control byte (bit 0: MQTT 5 instead of 3.1.1; bits 1-7: chunk size, 0 = 4096 as probe reads),
// then the broker's bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_util.h"
#include "net/mqtt.h"

using namespace mqttpki;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 128 * 1024) return -1;
  const mqtt::Version version = (data[0] & 1) != 0 ? mqtt::Version::k5 : mqtt::Version::k311;
  size_t chunk = data[0] >> 1;
  if (chunk == 0) chunk = 4096;
  std::string_view stream = fuzz::Text(data + 1, size - 1);

  // The decoder on its own, whatever the framing says, for both versions.
  for (mqtt::Version v : {mqtt::Version::k311, mqtt::Version::k5}) {
    Result<mqtt::Connack> any = mqtt::DecodeConnack(stream, v);
    if (any.ok()) {
      fuzz::Require(any->code >= 0 && any->code <= 255, "a CONNACK code is one byte");
      fuzz::Require(!mqtt::CodeMeaning(v, any->code).empty(), "every code has words");
    }
  }

  // probe's read loop.
  std::string buf;
  size_t pos = 0;
  for (;;) {
    Result<size_t> need = mqtt::PacketLength(buf);
    if (!need.ok()) break;
    if (*need > 0) fuzz::Require(*need >= 2, "a packet is at least its fixed header");
    if (*need > 0 && buf.size() >= *need) {
      Result<mqtt::Connack> ack = mqtt::DecodeConnack(std::string_view(buf).substr(0, *need), version);
      fuzz::Note(ack.ok() ? "CONNACK " + std::to_string(ack->code) + " " + mqtt::CodeMeaning(version, ack->code) +
                                (ack->reason.empty() ? "" : ": " + ack->reason)
                          : ack.error().message);
      if (ack.ok()) {
        (void)mqtt::CodeMeaning(version, ack->code);
        (void)ack->accepted();
        if (version == mqtt::Version::k311) fuzz::Require(ack->reason.empty(), "3.1.1 has no reason string");
      }
      break;
    }
    if (buf.size() > 65536) break;  // "more than 64 KiB without a complete CONNACK"
    if (pos >= stream.size()) break;  // the broker closed the connection
    size_t n = std::min(chunk, stream.size() - pos);
    buf.append(stream.substr(pos, n));
    pos += n;
  }

  // Our own CONNECT, framed by the same functions: what probe sends must be what it could read.
  mqtt::ConnectOptions co;
  co.version = version;
  co.client_id = std::string(stream.substr(0, std::min<size_t>(stream.size(), 64)));
  std::string packet = mqtt::EncodeConnect(co).value();
  Result<size_t> len = mqtt::PacketLength(packet);
  fuzz::Require(len.ok() && *len == packet.size(), "PacketLength frames our CONNECT");
  return 0;
}

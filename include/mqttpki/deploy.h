// What each MQTT broker needs to serve a certificate: its files, in the formats it reads, and a config snippet
// with the paths filled in. And what device firmware embeds: the trust bundle as PEM, DER or a C header.
#ifndef MQTTPKI_DEPLOY_H_
#define MQTTPKI_DEPLOY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "mqttpki/certificate.h"
#include "mqttpki/fs.h"
#include "mqttpki/key.h"
#include "mqttpki/pki_dir.h"
#include "mqttpki/result.h"

namespace mqttpki {

enum class Broker { kMosquitto, kThingsBoard, kEmqx, kHiveMq, kVerneMq, kNanoMq };

// ParseBroker accepts mosquitto, thingsboard, emqx, hivemq, vernemq, nanomq (kUsage otherwise).
Result<Broker> ParseBroker(const std::string& name);
std::string BrokerName(Broker broker);

struct DeployOptions {
  Broker broker = Broker::kMosquitto;
  std::string out_dir;     // where the files are written
  std::string target_dir;  // where they will live on the broker host (the paths in the snippet); default out_dir
  bool elsewhere = false;  // target_dir is on another host: the instructions say to copy the files there
  uint16_t port = 8883;
  bool mtls = false;       // require client certificates; the certificate CN becomes the MQTT user name
  bool tls13_only = false; // minimum TLS 1.3 (default: 1.2)
  bool keystore = false;   // thingsboard: KEYSTORE (PKCS#12) mode instead of PEM
};

// DeployMaterial is what deploy reads from the PKI.
struct DeployMaterial {
  std::string name;                   // the server's name in the PKI
  std::vector<Certificate> chain;     // leaf first, then intermediates
  std::vector<Certificate> bundle;    // the devices' trust anchors (ca-bundle.pem)
  PrivateKey key;
  bool key_encrypted = false;         // the PKI's copy is encrypted
  Secret passphrase;                  // its passphrase, when it is
};

// CheckTargetDir refuses a directory that a broker's configuration cannot carry as is: the snippets write it
// unquoted to the end of a line (mosquitto.conf, vernemq.conf), inside double quotes (emqx.conf, nanomq.conf:
// HOCON), inside single quotes (thingsboard.conf: a shell) and as XML text (hivemq-listener.xml). So: no control
// characters (a newline would add configuration lines), no quote characters (double, single, backquote), no
// backslash (HOCON escapes), no # (a comment in vernemq.conf), no $ (substitutions), no <, > or & (XML), no
// leading white space (trimmed by the parsers), only well-formed UTF-8. |argument| names the value (an Arg reference, kUsage).
Status CheckTargetDir(const std::string& dir, const std::string& argument);

// Deploy stages the broker's files in |tx| and returns the instructions (how to install and start using them),
// with Op references to the commands they mention (RenderReferences).
// The target directory must pass CheckTargetDir.
Result<std::string> Deploy(const DeployMaterial& material, const DeployOptions& options, FileTransaction& tx,
                           Report& report);

enum class DeviceFormat { kPem, kDer, kCHeader };

// CHeader is a C header for firmware (mbedTLS, ESP-IDF) that embeds PEM text: a comment of |comment_lines|, the
// include guard |guard|, <stddef.h>, and for each of |strings| a static const char array; a PEM one as one quoted
// line per text line, with NAME_len (sizeof: it counts the terminating NUL, as mbedTLS requires for PEM), a
// one-line one (an id) as a single literal. The text is PEM or a checked name: it holds no quote or backslash.
struct CString {
  std::string name;       // the C identifier
  std::string_view text;
  bool pem = true;        // false: a one-line string, without a _len
};
std::string CHeader(const std::vector<std::string>& comment_lines, std::string_view guard,
                    const std::vector<CString>& strings);

// CheckTrustAnchors refuses a bundle that holds a certificate that is not a CA (basicConstraints CA:TRUE): a
// device bundle holds trust anchors, and a pinned leaf breaks the devices at its next renewal. |what| names the
// bundle in the message (kInput).
Status CheckTrustAnchors(const std::vector<Certificate>& bundle, const std::string& what);

// ExportDevice stages the trust bundle for firmware: ca-bundle.pem, ca-bundle.der (ca-bundle-N.der for more
// than one certificate), and ca_bundle.h (a NUL-terminated PEM string and its length including the NUL, as
// mbedtls_x509_crt_parse wants it). Every certificate must be a CA (CheckTrustAnchors).
Status ExportDevice(const std::vector<Certificate>& bundle, const std::vector<DeviceFormat>& formats,
                    const std::string& out_dir, FileTransaction& tx, Report& report);

// EncodePkcs12 makes a PKCS#12 keystore holding |key| and |chain| (leaf first) under |alias|, protected by
// |password| (AES-256-CBC, PBKDF2, SHA-256 MAC: what keytool and openssl pkcs12 read).
Result<std::string> EncodePkcs12(const PrivateKey& key, const std::vector<Certificate>& chain,
                                 const std::string& alias, const Secret& password);

// EncodeTrustStore makes a PKCS#12 truststore of |certs| as trusted certificate entries (Java's trustedCertEntry).
Result<std::string> EncodeTrustStore(const std::vector<Certificate>& certs, const Secret& password);

// RandomPassword is 24 characters from [A-Za-z0-9], for keystores that must have one.
Result<Secret> RandomPassword();

}  // namespace mqttpki

#endif  // MQTTPKI_DEPLOY_H_

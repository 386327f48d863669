// Device identities at fleet scale: client certificates (DESIGN.md's client profile, CN = device id) issued by
// the thousand, near the speed of the elliptic-curve arithmetic itself.
//
// DeviceIssuer encodes everything a batch's certificates share once (issuer name, validity, algorithm, the
// constant extensions) and then, per device, writes the TBSCertificate, the PKCS#8 key and the PEM text directly:
// OpenSSL 3.0's X509 objects and encoders cost several times the key generation and signature. Each thread uses
// its own DeviceIssuer::Worker. RunDeviceBatch (device_batch.h) drives workers on every core and writes the
// results.
#ifndef MQTTPKI_FLEET_H_
#define MQTTPKI_FLEET_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mqttpki/key.h"
#include "mqttpki/name.h"
#include "mqttpki/pki_dir.h"
#include "mqttpki/result.h"
#include "mqttpki/store.h"

namespace mqttpki {

// ValidateDeviceId accepts what PkiDir::ValidateName accepts (a device id becomes a directory and the CN).
Status ValidateDeviceId(const std::string& id);

// DeviceSpec is one device to certify.
struct DeviceSpec {
  std::string id;
  std::vector<SubjectAltName> sans;  // extra SANs, beyond the id itself
  std::string spki_der;              // with a CSR: the device's public key (SubjectPublicKeyInfo); else empty
  uint64_t ordinal = 0;              // its place in the batch (orders the serial numbers)
};

// A device's serial number is 20 octets: 0x40, then 7 octets of issuance order (the batch's start time and the
// device's ordinal), then 12 octets (96 bits) from the CSPRNG. It is as unpredictable as a wholly random serial
// needs to be (64 bits or more), and a batch's serials ascend, so recording a million devices appends to the
// inventory's serial index instead of inserting at random places in it (five times fewer pages written).
//
// DeviceCert is one issued device: what is written for it and what the inventory records.
struct DeviceCert {
  std::string id;
  std::string cert_der;
  std::string cert_pem;   // what the device sends is cert_pem, then DeviceIssuer::ca_chain_pem()
  Secret key_pem;         // PKCS#8 PEM; empty when the key came from a CSR
  Secret key_der;         // PKCS#8 DER
  CertRecord record;      // serial, subject, issuer, SANs, validity, fingerprint (paths and name: the caller's)
};

class DeviceIssuer {
 public:
  struct Options {
    KeyType key = KeyType::kEcP256;  // keys generated here
    int days = 365;
    int64_t now = 0;
    DistinguishedName subject_base;  // C, O, OU of every device (the CN is the id)
  };

  // Create prepares issuing under |ca| (a CA allowed to issue client certificates). A validity cut short by the
  // CA's own end is reported in |warnings|.
  static Result<std::unique_ptr<DeviceIssuer>> Create(const CaMaterial& ca, const Options& options,
                                                      std::vector<std::string>& warnings);
  ~DeviceIssuer();

  // Worker holds one thread's signing and key-generation state.
  class Worker {
   public:
    ~Worker();
    // Issue certifies |spec|: with spec.spki_der empty a new key is generated.
    Result<DeviceCert> Issue(const DeviceSpec& spec);

   private:
    friend class DeviceIssuer;
    struct State;
    explicit Worker(const DeviceIssuer& issuer);
    const DeviceIssuer& issuer_;
    std::unique_ptr<State> state_;
  };
  Result<std::unique_ptr<Worker>> NewWorker() const;

  const std::string& ca_name() const { return ca_name_; }
  int64_t not_after() const { return not_after_; }
  // ChainDerBytes is the DER size of the CA chain a device sends after its own certificate.
  size_t chain_der_bytes() const { return chain_der_bytes_; }
  size_t chain_certs() const { return chain_certs_; }
  // ca_chain_pem is the CA chain a device sends after its own certificate (the device CA; never the root).
  const std::string& ca_chain_pem() const;

 private:
  DeviceIssuer() = default;
  struct Template;
  std::unique_ptr<Template> t_;
  std::string ca_name_;
  int64_t not_after_ = 0;
  size_t chain_der_bytes_ = 0;
  size_t chain_certs_ = 0;
};

// EncodeP256Pkcs8 is the PKCS#8 DER of a P-256 key from its 32-byte private scalar and 65-byte uncompressed
// public point, byte for byte as OpenSSL writes it.
std::string EncodeP256Pkcs8(const unsigned char priv[32], const unsigned char pub[65]);

// ---- batches ----

// DeviceSource yields the devices of a batch in a fixed order and can start over (RunDeviceBatch reads it
// twice: once to check it, once to issue, and once more for the manifest).
class DeviceSource {
 public:
  virtual ~DeviceSource() = default;
  // Next fills |spec| and returns true, or returns false at the end.
  virtual Result<bool> Next(DeviceSpec& spec) = 0;
  virtual Status Rewind() = 0;
  // MayRepeat: the source can name an id twice (a list, a CSV file), so the check looks for duplicates.
  virtual bool MayRepeat() const { return true; }
  // Where names the current device's origin for messages ("devices.csv line 12"), or "".
  virtual std::string Where() const { return ""; }
};

// CountSource is PREFIX + a zero-padded number, for |count| devices from |start|.
std::unique_ptr<DeviceSource> CountSource(std::string prefix, uint64_t start, uint64_t count);
// ListSource is the given ids.
std::unique_ptr<DeviceSource> ListSource(std::vector<std::string> ids, std::vector<SubjectAltName> sans);
// CsvSource reads a devices file: one device per line, "ID[,SAN...]"; blank lines and lines starting with '#'
// are skipped, and so is a first line "id,..." (a header).
Result<std::unique_ptr<DeviceSource>> CsvSource(const std::string& path);
// ParseDeviceCsvLine parses one line of a devices file into |spec|; false for a line to skip.
Result<bool> ParseDeviceCsvLine(std::string_view line, bool first_line, DeviceSpec& spec);
// CsrDirSource reads every *.csr, *.csr.pem and *.pem CSR in |dir|: the id is the CSR's CN, the SANs its DNS/IP
// names, and every CSR's signature must verify.
Result<std::unique_ptr<DeviceSource>> CsrDirSource(const std::string& dir);

}  // namespace mqttpki

#endif  // MQTTPKI_FLEET_H_

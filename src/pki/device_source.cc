// The device sources of fleet.h: where a batch's devices come from (a count, a list, a CSV file, a folder of CSRs).
// Each yields one DeviceSpec at a time, so a batch's memory does not grow with its size.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mqttpki/fleet.h"
#include "pki/internal.h"

namespace mqttpki {
namespace {

class CountSourceImpl final : public DeviceSource {
 public:
  CountSourceImpl(std::string prefix, uint64_t start, uint64_t count)
      : prefix_(std::move(prefix)), start_(start), count_(count) {
    uint64_t last = start + (count > 0 ? count - 1 : 0);
    width_ = std::max<size_t>(6, std::to_string(last).size());
  }
  Result<bool> Next(DeviceSpec& spec) override {
    if (i_ >= count_) return false;
    std::string n = std::to_string(start_ + i_++);
    spec.id = prefix_ + std::string(width_ - std::min(width_, n.size()), '0') + n;
    spec.sans.clear();
    spec.spki_der.clear();
    return true;
  }
  Status Rewind() override {
    i_ = 0;
    return Status::Ok();
  }
  bool MayRepeat() const override { return false; }

 private:
  std::string prefix_;
  uint64_t start_, count_, i_ = 0;
  size_t width_;
};

class ListSourceImpl final : public DeviceSource {
 public:
  ListSourceImpl(std::vector<std::string> ids, std::vector<SubjectAltName> sans)
      : ids_(std::move(ids)), sans_(std::move(sans)) {}
  Result<bool> Next(DeviceSpec& spec) override {
    if (i_ >= ids_.size()) return false;
    spec.id = ids_[i_++];
    spec.sans = sans_;
    spec.spki_der.clear();
    return true;
  }
  Status Rewind() override {
    i_ = 0;
    return Status::Ok();
  }

 private:
  std::vector<std::string> ids_;
  std::vector<SubjectAltName> sans_;
  size_t i_ = 0;
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

constexpr size_t kMaxCsvLine = 16 * 1024;

class CsvSourceImpl final : public DeviceSource {
 public:
  explicit CsvSourceImpl(std::string path) : path_(std::move(path)) {}
  Status Open() {
    in_.close();
    in_.clear();
    in_.open(path_, std::ios::binary);
    if (!in_) return IoError("read", path_, errno);
    line_no_ = 0;
    seen_content_ = false;
    return Status::Ok();
  }
  Result<bool> Next(DeviceSpec& spec) override {
    std::string line;
    while (std::getline(in_, line)) {
      ++line_no_;
      if (line.size() > kMaxCsvLine) {
        return MakeError(ErrorCode::kInput, Where() + ": the line is longer than " + std::to_string(kMaxCsvLine) +
                                                " bytes: this is not a devices file");
      }
      bool first = !seen_content_;
      Result<bool> r = ParseDeviceCsvLine(line, first, spec);
      if (!r.ok()) return r.error().Context(Where());
      std::string_view t = Trim(line);
      if (!t.empty() && t[0] != '#') seen_content_ = true;
      if (*r) return true;
    }
    if (in_.bad()) return IoError("read", path_, errno);
    return false;
  }
  Status Rewind() override { return Open(); }
  std::string Where() const override { return path_ + " line " + std::to_string(line_no_); }

 private:
  std::string path_;
  std::ifstream in_;
  size_t line_no_ = 0;
  bool seen_content_ = false;
};

class CsrDirSourceImpl final : public DeviceSource {
 public:
  explicit CsrDirSourceImpl(std::vector<std::string> files) : files_(std::move(files)) {}
  Result<bool> Next(DeviceSpec& spec) override {
    if (i_ >= files_.size()) return false;
    const std::string& path = files_[i_++];
    MQTTPKI_ASSIGN_OR_RETURN(std::string pem, RealFileSystem().ReadFile(path, kMaxInputBytes));
    MQTTPKI_ASSIGN_OR_RETURN(CertificateRequest csr, CertificateRequest::FromPem(pem, path));
    MQTTPKI_TRY(CheckCsrPolicy(csr, path));
    DistinguishedName dn = csr.SubjectFields();
    if (dn.common_name.empty()) {
      return MakeError(ErrorCode::kInput, path + ": the CSR has no CN; the CN is the device id");
    }
    if (Status st = ValidateDeviceId(dn.common_name); !st.ok()) {
      return MakeError(ErrorCode::kInput, path + ": " + st.error().message);
    }
    spec.id = dn.common_name;
    spec.sans.clear();
    for (const SubjectAltName& san : csr.Sans()) {
      if (san.kind == SubjectAltName::Kind::kDns && san.value.rfind("*.", 0) == 0) {
        return MakeError(ErrorCode::kInput, path + ": the CSR asks for a wildcard name ('" + san.value +
                                                "'), which a device certificate never carries");
      }
      AddUnique(spec.sans, san);
    }
    spec.spki_der = PublicKeyDerOf(csr.PublicKey());
    return true;
  }
  Status Rewind() override {
    i_ = 0;
    return Status::Ok();
  }
  std::string Where() const override { return i_ > 0 ? files_[i_ - 1] : ""; }

 private:
  std::vector<std::string> files_;
  size_t i_ = 0;
};

}  // namespace

std::unique_ptr<DeviceSource> CountSource(std::string prefix, uint64_t start, uint64_t count) {
  return std::make_unique<CountSourceImpl>(std::move(prefix), start, count);
}

std::unique_ptr<DeviceSource> ListSource(std::vector<std::string> ids, std::vector<SubjectAltName> sans) {
  return std::make_unique<ListSourceImpl>(std::move(ids), std::move(sans));
}

Result<bool> ParseDeviceCsvLine(std::string_view line, bool first_line, DeviceSpec& spec) {
  std::string_view rest = Trim(line);
  if (rest.empty() || rest[0] == '#') return false;
  spec.sans.clear();
  spec.spki_der.clear();
  size_t field = 0;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view f = Trim(rest.substr(0, comma));
    if (field == 0) {
      if (first_line && (f == "id" || f == "ID" || f == "device" || f == "device_id")) return false;  // a header
      spec.id = std::string(f);
      if (Status st = ValidateDeviceId(spec.id); !st.ok()) return MakeError(ErrorCode::kInput, st.error().message);
    } else if (!f.empty()) {
      Result<SubjectAltName> san = ParseSan(f);
      if (!san.ok()) return MakeError(ErrorCode::kInput, san.error().message);
      if (san->kind == SubjectAltName::Kind::kDns && san->value.rfind("*.", 0) == 0) {
        return MakeError(ErrorCode::kInput, "a device certificate never carries a wildcard name ('" +
                                                std::string(f) + "')");
      }
      AddUnique(spec.sans, *san);
    }
    ++field;
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return true;
}

Result<std::unique_ptr<DeviceSource>> CsvSource(const std::string& path) {
  auto s = std::make_unique<CsvSourceImpl>(path);
  MQTTPKI_TRY(s->Open());
  return std::unique_ptr<DeviceSource>(std::move(s));
}

Result<std::unique_ptr<DeviceSource>> CsrDirSource(const std::string& dir) {
  std::error_code ec;
  std::vector<std::string> files;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return MakeError(ErrorCode::kInput, "cannot read the CSR directory " + dir + ": " + ec.message());
  for (const auto& entry : it) {
    std::string name = entry.path().filename().string();
    auto ends = [&name](std::string_view suffix) {
      return name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (!entry.is_regular_file(ec) || !(ends(".csr") || ends(".pem") || ends(".req"))) continue;
    files.push_back(entry.path().string());
  }
  if (files.empty()) {
    return MakeError(ErrorCode::kInput, dir + " holds no CSR files (*.csr, *.csr.pem, *.req, *.pem)");
  }
  std::sort(files.begin(), files.end());
  return std::unique_ptr<DeviceSource>(std::make_unique<CsrDirSourceImpl>(std::move(files)));
}

}  // namespace mqttpki

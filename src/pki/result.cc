#include "mqttpki/result.h"

namespace mqttpki {

Error Error::Context(const std::string& what) const {
  Error e = *this;
  e.message = what + ": " + message;
  return e;
}

Error MakeError(ErrorCode code, std::string message) {
  Error e;
  e.code = code;
  e.message = std::move(message);
  return e;
}

int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kRejected: return 1;
    case ErrorCode::kUsage: return 2;
    case ErrorCode::kInput:
    case ErrorCode::kExists:
    case ErrorCode::kIo:
    case ErrorCode::kInternal: return 3;
  }
  return 3;
}

}  // namespace mqttpki

#include "ossl/error.h"

#include <openssl/err.h>

namespace mqttpki::ossl {

std::vector<std::string> DrainErrors() {
  std::vector<std::string> out;
  const char* file = nullptr;
  const char* func = nullptr;
  const char* data = nullptr;
  int line = 0;
  int flags = 0;
  unsigned long code = 0;
  while ((code = ERR_get_error_all(&file, &line, &func, &data, &flags)) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    std::string entry = buf;
    if ((flags & ERR_TXT_STRING) != 0 && data != nullptr && *data != '\0') {
      entry += " (";
      entry += data;
      entry += ")";
    }
    out.push_back(std::move(entry));
  }
  return out;
}

void ClearErrors() { ERR_clear_error(); }

Error OsslError(ErrorCode code, std::string message) {
  Error e = MakeError(code, std::move(message));
  e.openssl_errors = DrainErrors();
  return e;
}

}  // namespace mqttpki::ossl

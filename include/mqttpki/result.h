// Errors as values. Every fallible library function returns Result<T> (or Status), never throws for bad input.
// An Error speaks no front end's language: it names the argument, file and certificate at fault as fields, and
// its message refers to arguments and operations by reference (Arg, Op), which each front end words its own way
// (Render). The CLI's main is the one place that turns an Error into an exit code and a message.
#ifndef MQTTPKI_RESULT_H_
#define MQTTPKI_RESULT_H_

#include <cassert>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace mqttpki {

// ErrorCode says what kind of failure this is (the CLI maps each to an exit code, a server to an HTTP status).
enum class ErrorCode {
  kRejected,  // a check said no (verification failed)
  kUsage,     // a malformed argument value, or arguments that do not go together
  kInput,     // bad input: missing/unparsable file, wrong passphrase, policy refusal
  kExists,    // a file would be overwritten without being allowed to (force)
  kIo,        // the filesystem failed
  kInternal,  // a bug or an OpenSSL failure we did not expect
};

// Arg refers, in a message, to the argument |name| of an operation: the name of its options field, in the
// words of the CLI's option ("san", "days", "reason", "passphrase-file"). The CLI renders it as "--san", a
// server as its request field.
std::string Arg(std::string_view name);
// Op refers, in a message, to an operation a user can run next, with its arguments in the CLI's words
// ("rotate server-ca", "init --force"). The CLI renders it as "'mqttpki rotate server-ca'".
std::string Op(std::string_view command);

// RenderReferences writes |text| (a message or a warning) with each Arg reference worded by |arg| and each Op
// by |op|; anything else passes unchanged.
std::string RenderReferences(std::string_view text, const std::function<std::string(std::string_view)>& arg,
                             const std::function<std::string(std::string_view)>& op);

// Error is what went wrong, in words a user can act on, plus the drained OpenSSL error queue (may be empty).
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  // The words, with Arg and Op references in them: show it through Render.
  std::string message;
  std::string argument;     // the argument at fault (the first Arg of the message), if any
  std::string file;         // the file at fault, as it was named, if any
  std::string certificate;  // the certificate at fault (an entity name or a serial), if any
  std::vector<std::string> openssl_errors;

  // Context returns a copy whose message is prefixed with |what|: "reading root-ca.key.pem: <message>".
  Error Context(const std::string& what) const;
  // WithFile and WithCertificate return a copy with that field set.
  Error WithFile(std::string path) const;
  Error WithCertificate(std::string name_or_serial) const;
  // Render is RenderReferences of the message.
  std::string Render(const std::function<std::string(std::string_view)>& arg,
                     const std::function<std::string(std::string_view)>& op) const {
    return RenderReferences(message, arg, op);
  }
};

// MakeError makes an Error of |code|; its argument field is the message's first Arg reference.
Error MakeError(ErrorCode code, std::string message);

// Printable renders untrusted text for a message: control characters, bytes that are not UTF-8 and backslashes
// are escaped (\n, \x01, ...), so that a name read from a file or a CSR cannot forge or garble output.
// With |escape_backslash| false, backslashes pass (for text that was made Printable already).
std::string Printable(std::string_view text, bool escape_backslash = true);

// Result holds either a value or an Error.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}      // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }
  // value_or returns the value, or |fallback| when this holds an error.
  T value_or(T fallback) const& { return ok() ? std::get<0>(v_) : std::move(fallback); }

 private:
  std::variant<T, Error> v_;
};

// Status is a Result with no value.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)
  static Status Ok() { return Status(); }
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace mqttpki

// MQTTPKI_TRY evaluates a Status or Result expression and returns its error from the enclosing function.
#define MQTTPKI_TRY(expr)                               \
  do {                                                  \
    auto mqttpki_try_ = (expr);                         \
    if (!mqttpki_try_.ok()) return mqttpki_try_.error(); \
  } while (0)

#define MQTTPKI_CONCAT_INNER_(a, b) a##b
#define MQTTPKI_CONCAT_(a, b) MQTTPKI_CONCAT_INNER_(a, b)
// MQTTPKI_ASSIGN_OR_RETURN(lhs, expr) assigns the value of a Result or returns its error.
#define MQTTPKI_ASSIGN_OR_RETURN(lhs, expr) \
  MQTTPKI_ASSIGN_OR_RETURN_IMPL_(MQTTPKI_CONCAT_(mqttpki_r_, __LINE__), lhs, expr)
#define MQTTPKI_ASSIGN_OR_RETURN_IMPL_(r, lhs, expr) \
  auto r = (expr);                                   \
  if (!r.ok()) return r.error();                     \
  lhs = std::move(r).value()

#endif  // MQTTPKI_RESULT_H_

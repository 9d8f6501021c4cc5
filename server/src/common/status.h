// Status and Result<T>: expected failures as values carrying a registered code and parameters.
//
// A Status is either OK or an error from error_codes.def with named parameters. Message() renders
// the registry's Chinese template with those parameters. Result<T> holds a value or a non-OK Status.
// Both are cheap to move and not thread-safe to share while mutating.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace linli {

enum class ErrorCode : int {
  kOk = 0,
#define LINLI_ERROR(num, name, http, msg) name = num,
#include "common/error_codes.def"
#undef LINLI_ERROR
};

struct ErrorInfo {
  ErrorCode code;
  std::string_view name;  // e.g. "kIdChecksum"
  int http_status;
  std::string_view message_template;
};

// Returns the registry entry for `code`; REQUIRES: code is registered.
const ErrorInfo& LookupError(ErrorCode code);
// Every registered error, in number order (for docs and drift checks).
const std::vector<ErrorInfo>& AllErrors();

using ErrorParams = std::vector<std::pair<std::string, std::string>>;

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, ErrorParams params) : code_(code), params_(std::move(params)) {}
  static Status Ok() { return {}; }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  int number() const { return static_cast<int>(code_); }
  const ErrorParams& params() const { return params_; }
  std::string Param(std::string_view key) const;
  // Chinese message for users, placeholders filled.
  std::string Message() const;
  // "E3003 kIdChecksum: 公民身份号码校验位错误，应为X" — for logs and CLI errors.
  std::string ToString() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  ErrorParams params_;
};

// Shorthand constructors.
inline Status Error(ErrorCode code, ErrorParams params = {}) { return {code, std::move(params)}; }
inline Status Internal(std::string detail) { return {ErrorCode::kInternal, {{"detail", std::move(detail)}}}; }
inline Status StorageError(std::string detail) {
  return {ErrorCode::kStorageError, {{"detail", std::move(detail)}}};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {}   // NOLINT(google-explicit-constructor)
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace linli

#define LINLI_CONCAT_INNER(a, b) a##b
#define LINLI_CONCAT(a, b) LINLI_CONCAT_INNER(a, b)

// Returns the status from the enclosing function if it is not OK.
#define RETURN_IF_ERROR(expr)            \
  do {                                   \
    ::linli::Status _st = (expr);        \
    if (!_st.ok()) return _st;           \
  } while (0)

// ASSIGN_OR_RETURN(auto x, MakeX()); declares x from a Result or returns its status.
#define ASSIGN_OR_RETURN(lhs, expr) ASSIGN_OR_RETURN_IMPL(LINLI_CONCAT(_res_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()

// Status and Result<T>: the one error model of mcpreg.
//
// A Status is a code plus a human-readable message. OK carries no allocation. Callers branch on
// the code through the named predicates (IsNotFound(), ...), never on message text. Result<T>
// holds either a value or a non-OK Status.
//
// Every code maps, in exactly one table (src/core/status.cc), to an HTTP status, a JSON-RPC
// error code and a CLI exit code; transports use HttpStatusFor / JsonRpcCodeFor / ExitCodeFor
// and never pick numbers themselves.
//
// Thread-safety: values; safe to copy between threads.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace mcpreg {

enum class Code {
  kOk = 0,
  kInvalidArgument,     // the caller sent something malformed (bad parameter, bad JSON, ...)
  kUnprocessable,       // well-formed but fails validation rules (HTTP 422)
  kNotFound,
  kAlreadyExists,
  kUnauthenticated,
  kPermissionDenied,
  kFailedPrecondition,  // state does not allow the operation (e.g. nothing to change)
  kResourceExhausted,   // a limit was hit (size, count, rate)
  kPayloadTooLarge,
  kOutOfRange,          // a requested range lies outside the resource (HTTP 416)
  kUnavailable,
  kInternal,
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return {}; }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status Unprocessable(std::string m) { return {Code::kUnprocessable, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
  static Status Unauthenticated(std::string m) { return {Code::kUnauthenticated, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {Code::kPermissionDenied, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {Code::kFailedPrecondition, std::move(m)};
  }
  static Status ResourceExhausted(std::string m) {
    return {Code::kResourceExhausted, std::move(m)};
  }
  static Status PayloadTooLarge(std::string m) { return {Code::kPayloadTooLarge, std::move(m)}; }
  static Status OutOfRange(std::string m) { return {Code::kOutOfRange, std::move(m)}; }
  static Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsAlreadyExists() const { return code_ == Code::kAlreadyExists; }
  bool IsUnauthenticated() const { return code_ == Code::kUnauthenticated; }
  bool IsPermissionDenied() const { return code_ == Code::kPermissionDenied; }

  // "NotFound: <message>" for logs and CLI output.
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// The single mapping table (see status.cc).
int HttpStatusFor(Code code);
int JsonRpcCodeFor(Code code);
int ExitCodeFor(Code code);
std::string_view CodeName(Code code);
// Reason phrase for an HTTP status ("Not Found"); used as problem+json "title".
std::string_view HttpReason(int http_status);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}                       // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  // REQUIRES: !ok() for status() to be meaningful; returns OK otherwise.
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  // REQUIRES: ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace mcpreg

#define MCPREG_RETURN_IF_ERROR(expr)      \
  do {                                    \
    ::mcpreg::Status _st = (expr);        \
    if (!_st.ok()) return _st;            \
  } while (0)

// Result<T>: a value or an Error with a stable id (tests assert it) and one human sentence.
// Cores and decoders return these instead of throwing.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace bank {

struct Error {
  std::string id;       // stable, dotted: "codec.missing_field", "config.unknown_key", ...
  std::string message;  // one human sentence
  bool operator==(const Error&) const = default;
};

template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<Error>(v_); }

 private:
  std::variant<T, Error> v_;
};

inline Error make_error(std::string id, std::string message) {
  return Error{std::move(id), std::move(message)};
}

}  // namespace bank

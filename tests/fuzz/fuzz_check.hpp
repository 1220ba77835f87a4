// What the fuzz targets share: checks that stop the run loudly (an abort, which libFuzzer
// and the replay driver both report with the input that caused it), and the input as text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "messages/result.hpp"

namespace bank::fuzz {

// The fuzzer's bytes as the text a decoder reads.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Stops the run when `ok` is false, saying which property broke.
inline void expect(bool ok, const char* property) {
  if (ok) return;
  std::fprintf(stderr, "fuzz: property broken: %s\n", property);
  std::abort();
}

// Two decoders (or one decoder twice) on one input: both accept it and read the same, or
// both refuse it with the same error.
template <class T>
void expect_alike(const Result<T>& a, const Result<T>& b, const char* property) {
  if (a.ok() && b.ok()) {
    expect(*a == *b, property);
  } else if (!a.ok() && !b.ok()) {
    if (!(a.error() == b.error()))
      std::fprintf(stderr, "fuzz: errors '%s: %s' and '%s: %s'\n", a.error().id.c_str(), a.error().message.c_str(),
                   b.error().id.c_str(), b.error().message.c_str());
    expect(a.error() == b.error(), property);
  } else {
    const Error& e = a.ok() ? b.error() : a.error();
    std::fprintf(stderr, "fuzz: one side accepted, the other refused with '%s: %s'\n", e.id.c_str(), e.message.c_str());
    expect(false, property);
  }
}

// A refusal as every decoder words one: a dotted id with its prefix, and a sentence.
template <class T>
void expect_error_form(const Result<T>& r, std::string_view id_prefix) {
  if (r.ok()) return;
  expect(r.error().id.starts_with(id_prefix), "an error id has its decoder's prefix");
  expect(!r.error().message.empty(), "an error has a message");
}

}  // namespace bank::fuzz

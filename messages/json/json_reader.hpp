// JsonReader: strict field access for every decoder. Each accessor checks presence, type and
// range and throws DecodeFailure, which the decoders catch at their edge and turn into an
// Error, so no decoder lets an exception out. This nlohmann path is the reference the fast
// paths (JsonCursor, json_text) are tested against: see messages/json/README.md.
#pragma once

#include <climits>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "messages/result.hpp"

namespace bank {

struct DecodeFailure {
  Error error;
};

class JsonReader {
 public:
  // `what` names the object in errors ("request", "block 3", ...).
  JsonReader(const nlohmann::json& j, std::string what);

  bool has(const char* key) const;
  std::uint64_t u64(const char* key, std::uint64_t max = UINT64_MAX) const;
  std::int64_t positive_i64(const char* key) const;
  std::int64_t i64(const char* key) const;
  std::uint32_t node_id(const char* key) const;
  bool boolean(const char* key) const;
  std::string string(const char* key, std::size_t max_len) const;
  std::string hex64(const char* key) const { return hex(key, 64); }
  // Exactly `digits` lowercase hex digits.
  std::string hex(const char* key, std::size_t digits) const;
  std::string txid(const char* key) const;
  const nlohmann::json& object(const char* key) const;
  const nlohmann::json& array(const char* key) const;
  // Refuses any key not in `allowed`.
  void only(std::initializer_list<const char*> allowed) const;

  [[noreturn]] static void fail(std::string id, std::string message);
  static nlohmann::json parse(std::string_view bytes, std::size_t max_bytes);
  static Result<nlohmann::json> try_parse(std::string_view bytes, std::size_t max_bytes);
  static bool is_txid(std::string_view s);
  static bool is_hex64(std::string_view s) { return is_hex(s, 64); }
  static bool is_hex(std::string_view s, std::size_t digits);  // `digits` lowercase hex digits
  static bool is_node_id(std::uint64_t x) { return x > 0 && x <= INT32_MAX; }
  static std::uint32_t node_id_from_string(const std::string& s, const std::string& what);

 private:
  const nlohmann::json& field(const char* key) const;
  const nlohmann::json& j_;
  std::string what_;
};

}  // namespace bank

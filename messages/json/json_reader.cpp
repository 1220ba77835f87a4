// JsonReader: strict, total field access for the decoders.
#include "messages/json/json_reader.hpp"

#include <charconv>

#include "messages/json/json_text.hpp"

namespace bank {

JsonReader::JsonReader(const nlohmann::json& j, std::string what) : j_(j), what_(std::move(what)) {
  if (!j_.is_object()) fail("codec.not_object", what_ + " is not a JSON object");
}

void JsonReader::fail(std::string id, std::string message) {
  throw DecodeFailure{make_error(std::move(id), std::move(message))};
}

nlohmann::json JsonReader::parse(std::string_view bytes, std::size_t max_bytes) {
  if (bytes.size() > max_bytes)
    fail("codec.too_large", "message of " + std::to_string(bytes.size()) + " bytes exceeds the limit of " +
                                std::to_string(max_bytes));
  // nlohmann's lexer takes a NUL byte for the end of input and would ignore what follows; a NUL
  // is never valid JSON text, so refuse it here.
  if (bytes.find('\0') != std::string_view::npos) fail("codec.not_json", "message is not valid JSON (a NUL byte)");
  auto j = nlohmann::json::parse(bytes, nullptr, false);
  if (j.is_discarded()) fail("codec.not_json", "message is not valid JSON");
  return j;
}

Result<nlohmann::json> JsonReader::try_parse(std::string_view bytes, std::size_t max_bytes) {
  try {
    return parse(bytes, max_bytes);
  } catch (const DecodeFailure& f) {
    return f.error;
  }
}

bool JsonReader::has(const char* key) const { return j_.contains(key); }

const nlohmann::json& JsonReader::field(const char* key) const {
  auto it = j_.find(key);
  if (it == j_.end()) fail("codec.missing_field", what_ + " lacks field '" + key + "'");
  return *it;
}

std::uint64_t JsonReader::u64(const char* key, std::uint64_t max) const {
  const auto& v = field(key);
  if (!v.is_number_integer()) fail("codec.type", "field '" + std::string(key) + "' of " + what_ + " must be an integer");
  if (v.is_number_unsigned()) {
    auto x = v.get<std::uint64_t>();
    if (x > max) fail("codec.range", "field '" + std::string(key) + "' of " + what_ + " is out of range");
    return x;
  }
  auto x = v.get<std::int64_t>();
  if (x < 0 || static_cast<std::uint64_t>(x) > max)
    fail("codec.range", "field '" + std::string(key) + "' of " + what_ + " is out of range");
  return static_cast<std::uint64_t>(x);
}

std::int64_t JsonReader::i64(const char* key) const {
  const auto& v = field(key);
  if (!v.is_number_integer()) fail("codec.type", "field '" + std::string(key) + "' of " + what_ + " must be an integer");
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
    fail("codec.range", "field '" + std::string(key) + "' of " + what_ + " is out of range");
  return v.get<std::int64_t>();
}

std::int64_t JsonReader::positive_i64(const char* key) const {
  auto x = i64(key);
  if (x <= 0) fail("codec.range", "field '" + std::string(key) + "' of " + what_ + " must be positive");
  return x;
}

std::uint32_t JsonReader::node_id(const char* key) const {
  auto x = u64(key, INT32_MAX);
  if (x == 0) fail("codec.range", "field '" + std::string(key) + "' of " + what_ + " must be a positive node id");
  return static_cast<std::uint32_t>(x);
}

bool JsonReader::boolean(const char* key) const {
  const auto& v = field(key);
  if (!v.is_boolean()) fail("codec.type", "field '" + std::string(key) + "' of " + what_ + " must be true or false");
  return v.get<bool>();
}

std::string JsonReader::string(const char* key, std::size_t max_len) const {
  const auto& v = field(key);
  if (!v.is_string()) fail("codec.type", "field '" + std::string(key) + "' of " + what_ + " must be a string");
  const auto& s = v.get_ref<const std::string&>();
  if (s.size() > max_len)
    fail("codec.range", "field '" + std::string(key) + "' of " + what_ + " is longer than " + std::to_string(max_len));
  return s;
}

bool JsonReader::is_hex(std::string_view s, std::size_t digits) {
  if (s.size() != digits) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string JsonReader::hex(const char* key, std::size_t digits) const {
  auto s = string(key, digits);
  if (!is_hex(s, digits))
    fail("codec.bad_hex", "field '" + std::string(key) + "' of " + what_ + " must be " + std::to_string(digits) +
                              " lowercase hex digits");
  return s;
}

bool JsonReader::is_txid(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (unsigned char c : s)
    if (c < 0x21 || c > 0x7e) return false;  // printable ASCII without spaces: canonical JSON stays ASCII
  return true;
}

std::string JsonReader::txid(const char* key) const {
  const auto& v = field(key);
  if (!v.is_string()) fail("codec.type", "field '" + std::string(key) + "' of " + what_ + " must be a string");
  const auto& s = v.get_ref<const std::string&>();
  if (!is_txid(s))
    fail("codec.bad_txid", "txid must be 1 to 64 printable ASCII characters without spaces");
  return s;
}

const nlohmann::json& JsonReader::object(const char* key) const {
  const auto& v = field(key);
  if (!v.is_object()) fail("codec.type", "field '" + std::string(key) + "' of " + what_ + " must be an object");
  return v;
}

const nlohmann::json& JsonReader::array(const char* key) const {
  const auto& v = field(key);
  if (!v.is_array()) fail("codec.type", "field '" + std::string(key) + "' of " + what_ + " must be an array");
  return v;
}

void JsonReader::only(std::initializer_list<const char*> allowed) const {
  for (const auto& item : j_.items()) {
    bool known = false;
    for (const char* a : allowed) known = known || item.key() == a;
    if (!known) fail("codec.unknown_field", what_ + " has unknown field '" + printable_excerpt(item.key()) + "'");
  }
}

std::uint32_t JsonReader::node_id_from_string(const std::string& s, const std::string& what) {
  std::uint64_t x = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
  if (ec != std::errc() || p != s.data() + s.size() || !is_node_id(x) || s[0] == '0')
    fail("codec.range", what + " key '" + printable_excerpt(s) + "' is not a positive node id");
  return static_cast<std::uint32_t>(x);
}

}  // namespace bank

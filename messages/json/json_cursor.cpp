// JsonCursor: the plain forms of JSON tokens, read in place.
#include "messages/json/json_cursor.hpp"

#include "messages/json/json_reader.hpp"

namespace bank {

void JsonCursor::skip_space() {
  while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r'))
    ++pos_;
}

bool JsonCursor::consume(char c) {
  skip_space();
  if (pos_ >= text_.size() || text_[pos_] != c) return false;
  ++pos_;
  return true;
}

std::optional<std::string_view> JsonCursor::key() {
  auto name = plain_string();
  if (!name || !consume(':')) return std::nullopt;
  return name;
}

std::optional<std::uint64_t> JsonCursor::u64() {
  skip_space();
  std::size_t start = pos_;
  std::uint64_t x = 0;
  while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
    auto d = static_cast<std::uint64_t>(text_[pos_] - '0');
    if (x > (UINT64_MAX - d) / 10) return std::nullopt;  // past 64 bits: a float to nlohmann
    x = x * 10 + d;
    ++pos_;
  }
  std::size_t n = pos_ - start;
  if (n == 0 || (n > 1 && text_[start] == '0')) return std::nullopt;
  if (pos_ < text_.size() && (text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E')) return std::nullopt;
  return x;
}

std::optional<std::uint32_t> JsonCursor::node_id() {
  auto x = u64();
  if (!x || !JsonReader::is_node_id(*x)) return std::nullopt;
  return static_cast<std::uint32_t>(*x);
}

std::optional<std::string_view> JsonCursor::plain_string() {
  if (!consume('"')) return std::nullopt;
  std::size_t start = pos_;
  while (pos_ < text_.size() && text_[pos_] != '"') {
    auto u = static_cast<unsigned char>(text_[pos_]);
    if (u < 0x20 || u > 0x7e || u == '\\') return std::nullopt;
    ++pos_;
  }
  if (pos_ >= text_.size()) return std::nullopt;
  return text_.substr(start, pos_++ - start);
}

bool JsonCursor::u64_into(std::optional<std::uint64_t>& slot) {
  if (slot) return false;
  slot = u64();
  return slot.has_value();
}

bool JsonCursor::node_into(std::optional<std::uint32_t>& slot) {
  if (slot) return false;
  slot = node_id();
  return slot.has_value();
}

bool JsonCursor::plain_into(std::optional<std::string_view>& slot) {
  if (slot) return false;
  slot = plain_string();
  return slot.has_value();
}

bool JsonCursor::at_end() {
  skip_space();
  return pos_ == text_.size();
}

}  // namespace bank

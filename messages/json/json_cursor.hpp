// JsonCursor: a forward reader of JSON text for the decoders' fast path. It reads only the
// plainest forms (integers as bare digits, strings without escapes or bytes beyond
// printable ASCII) and answers "no" to anything else, so a caller can fall back to the
// full parser for whatever it does not take: what it does take it reads as nlohmann would.
// nlohmann (JsonReader) is the reference; messages/json/README.md lists the tests holding the two together.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace bank {

class JsonCursor {
 public:
  explicit JsonCursor(std::string_view text) : text_(text) {}

  // Skips whitespace; true (and steps past it) when the next character is `c`.
  bool consume(char c);
  // `"name":`, the name without escapes.
  std::optional<std::string_view> key();
  // A non-negative integer as bare digits (no sign, fraction, exponent or leading zero)
  // that fits in 64 bits.
  std::optional<std::uint64_t> u64();
  // Such an integer that is a node id (JsonReader::is_node_id).
  std::optional<std::uint32_t> node_id();
  // A string of printable ASCII without backslashes (no escapes to undo).
  std::optional<std::string_view> plain_string();
  // Nothing but whitespace is left.
  bool at_end();

  // Reads `{"key": value, ...}`, handing each key to `member`, which reads its value.
  template <class F>
  bool object(F member) {
    if (!consume('{')) return false;
    do {
      auto k = key();
      if (!k || !member(*k)) return false;
    } while (consume(','));
    return consume('}');
  }
  // The value of a key into a slot not yet filled: a duplicate key answers no.
  bool u64_into(std::optional<std::uint64_t>& slot);
  bool node_into(std::optional<std::uint32_t>& slot);
  bool plain_into(std::optional<std::string_view>& slot);

 private:
  void skip_space();
  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace bank

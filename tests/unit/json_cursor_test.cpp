// JsonCursor, the decoders' fast path: the plain forms it takes it reads exactly as nlohmann
// does, and everything else it declines (never a different reading).
#include "messages/json/json_cursor.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

using bank::JsonCursor;
using nlohmann::json;

namespace {

// The whole of `text` as one integer, or nullopt where the cursor declines it.
std::optional<std::uint64_t> whole_u64(std::string_view text) {
  JsonCursor c(text);
  auto x = c.u64();
  if (!x || !c.at_end()) return std::nullopt;
  return x;
}

// The whole of `text` as one plain string, or nullopt where the cursor declines it.
std::optional<std::string_view> whole_string(std::string_view text) {
  JsonCursor c(text);
  auto s = c.plain_string();
  if (!s || !c.at_end()) return std::nullopt;
  return s;
}

// nlohmann's reading of `text` as an unsigned integer, or nullopt if it reads something else.
std::optional<std::uint64_t> nlohmann_u64(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_number_unsigned()) return std::nullopt;
  return j.get<std::uint64_t>();
}

}  // namespace

TEST_CASE("json cursor: integers in bare digits are read as nlohmann reads them") {
  for (const char* text : {"0", "7", "10", "4294967296", "9223372036854775808", "18446744073709551615", " \t\r\n42 ",
                           "42\n"}) {
    INFO("'" << text << "'");
    auto x = whole_u64(text);
    REQUIRE(x.has_value());
    CHECK(x == nlohmann_u64(text));
  }
}

TEST_CASE("json cursor: every other form of a number is declined") {
  // Some of these nlohmann accepts (as a float or a negative number): those go its way.
  for (const char* text : {"", " ", "-1", "-0", "+1", "01", "00", "1.0", "1e3", "1E3", "1.5e-2", "0x10",
                           "18446744073709551616", "99999999999999999999", "true", "null", "\"1\"", "1 2", "1x"}) {
    INFO("'" << text << "'");
    CHECK_FALSE(whole_u64(text).has_value());
  }
}

TEST_CASE("json cursor: node ids are the integers 1 to 2^31-1") {
  for (std::string_view text : {"1", "2147483647"}) {
    JsonCursor c(text);
    CHECK(c.node_id().has_value());
  }
  for (std::string_view text : {"0", "2147483648", "4294967297", "-1", "01"}) {
    JsonCursor c(text);
    CHECK_FALSE(c.node_id().has_value());
  }
}

TEST_CASE("json cursor: strings of printable ASCII are read as nlohmann reads them") {
  for (const char* text : {R"("")", R"("abc")", R"("with spaces and / slash")", R"( "padded" )",
                           R"("~!@#$%^&*()_+{}[]:;'<>,.?")"}) {
    INFO(text);
    auto s = whole_string(text);
    REQUIRE(s.has_value());
    CHECK(std::string(*s) == json::parse(text).get<std::string>());
  }
}

TEST_CASE("json cursor: strings with escapes, control characters or bytes beyond ASCII are declined") {
  const std::vector<std::string> texts{R"("a\"b")", R"("a\\b")", R"("a\nb")", R"("\u0041")", "\"tab\there\"",
                                       "\"new\nline\"", "\"del\x7f\"", "\"caf\xc3\xa9\"", "\"\xff\"",
                                       std::string("\"nul\0\"", 6), "\"unterminated", "unquoted", "'single'"};
  for (const std::string& text : texts) {
    INFO(text);
    CHECK_FALSE(whole_string(text).has_value());
  }
}

TEST_CASE("json cursor: objects are read key by key, in any spacing, and bad shapes are declined") {
  auto read = [](std::string_view text) {
    JsonCursor c(text);
    std::optional<std::uint64_t> a, b;
    bool ok = c.object([&](std::string_view k) { return k == "a" ? c.u64_into(a) : k == "b" ? c.u64_into(b) : false; });
    return ok && c.at_end() ? std::optional<std::pair<std::uint64_t, std::uint64_t>>({a.value_or(0), b.value_or(0)})
                            : std::nullopt;
  };
  CHECK(read(R"({"a":1,"b":2})") == std::pair<std::uint64_t, std::uint64_t>{1, 2});
  CHECK(read(" {\n \"b\" : 2 ,\t\"a\" :1 } \n") == std::pair<std::uint64_t, std::uint64_t>{1, 2});
  CHECK(read(R"({"a":1})") == std::pair<std::uint64_t, std::uint64_t>{1, 0});
  for (const char* bad : {R"({"a":1,"a":2})", R"({"a":1,})", R"({"a" 1})", R"({"a":1 "b":2})", R"({"c":1})",
                          R"({"a":1}x)", R"({"a":1})" R"({"b":2})", R"({"a":1)", "{}", R"([{"a":1}])",
                          R"({"\u0061":1})"}) {
    INFO(bad);
    CHECK_FALSE(read(bad).has_value());
  }
}

// Seeded texts built from the bytes that matter to JSON: whatever the cursor takes whole,
// nlohmann takes too and reads the same.
TEST_CASE("json cursor: on seeded texts, what the cursor takes nlohmann reads the same") {
  std::mt19937_64 rng{0xc0de};
  const std::string digits = "0123456789";
  const std::string noise = "0123456789 -+.eE\"\\\n\x7f\xc3x";
  std::size_t numbers = 0, strings = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text(1 + rng() % 24, ' ');
    const std::string& from = rng() % 2 ? digits : noise;
    for (char& c : text) c = from[rng() % from.size()];
    INFO("'" << text << "'");
    if (auto x = whole_u64(text)) {
      ++numbers;
      CHECK(x == nlohmann_u64(text));
    }
    const std::string quoted = "\"" + text + "\"";
    if (auto s = whole_string(quoted)) {
      ++strings;
      auto j = json::parse(quoted, nullptr, false);
      REQUIRE(j.is_string());
      CHECK(std::string(*s) == j.get<std::string>());
    }
  }
  MESSAGE(numbers << " numbers and " << strings << " strings taken");
  CHECK(numbers > 1000);
  CHECK(strings > 1000);
}

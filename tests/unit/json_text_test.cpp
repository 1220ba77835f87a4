// json_text, the hand writers of the hot paths: byte for byte what nlohmann's dump() prints.
#include "messages/json/json_text.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

using bank::append_json_number;
using bank::append_json_string;
using nlohmann::json;

namespace {

// What append_json_string writes for `s`, or "(refused)".
std::string written(const std::string& s) {
  std::string out;
  return append_json_string(out, s) ? out : "(refused)";
}

std::string number(std::uint64_t x) {
  std::string out;
  append_json_number(out, x);
  return out;
}

}  // namespace

TEST_CASE("json text: every ASCII character alone is written as dump() writes it") {
  for (int c = 0; c < 0x80; ++c) {
    const std::string s(1, static_cast<char>(c));
    INFO("character " << c);
    CHECK(written(s) == json(s).dump());
  }
}

TEST_CASE("json text: tricky strings are written as dump() writes them") {
  const std::vector<std::string> tricky{
      "",
      "plain",
      R"(a "quoted" word)",
      R"(back\slash\\double)",
      "\b\f\n\r\t",
      std::string("nul\0inside", 10),
      "\x01\x1f\x7f",
      "</script>",
      "slash / and unicode escape text \\u00e9",
      "  spaces  at both ends  ",
      std::string(300, '"'),
  };
  for (const std::string& s : tricky) {
    INFO("'" << s << "'");
    CHECK(written(s) == json(s).dump());
    CHECK(json::parse(written(s)).get<std::string>() == s);
  }
}

TEST_CASE("json text: seeded ASCII strings are written as dump() writes them") {
  std::mt19937_64 rng{0x7e57};
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 40, ' ');
    for (char& c : s) c = static_cast<char>(rng() % 0x80);
    INFO("string " << i);
    CHECK(written(s) == json(s).dump());
  }
}

TEST_CASE("json text: a byte beyond ASCII is refused, for dump() to write (or reject) instead") {
  for (const std::string s : {"caf\xc3\xa9", "\xff", "ok then \x80", "\xe2\x82\xac"}) {
    std::string out;
    CHECK_FALSE(append_json_string(out, s));
  }
}

TEST_CASE("json text: strings and numbers are appended, never replacing what is there") {
  std::string out = "{\"a\":";
  append_json_number(out, 12);
  out += ",\"b\":";
  REQUIRE(append_json_string(out, "x\ny"));
  out += '}';
  CHECK(out == json{{"a", 12}, {"b", "x\ny"}}.dump());
}

TEST_CASE("json text: numbers are written as dump() writes unsigned integers") {
  std::vector<std::uint64_t> xs{0, 1, 9, 10, 99, 100, 4294967295u, 4294967296u, 9223372036854775807u,
                                9223372036854775808u, UINT64_MAX - 1, UINT64_MAX};
  for (std::uint64_t p = 10; p <= UINT64_MAX / 10; p *= 10) {
    xs.push_back(p - 1);
    xs.push_back(p);
    xs.push_back(p + 1);
  }
  std::mt19937_64 rng{0x4e};
  for (int i = 0; i < 500; ++i) xs.push_back(rng() >> (rng() % 64));
  for (std::uint64_t x : xs) {
    INFO(x);
    CHECK(number(x) == json(x).dump());
  }
}

TEST_CASE("json text: an excerpt of untrusted bytes is printable ASCII, escaped and cut to its bound") {
  CHECK(bank::printable_excerpt("plain {json}") == "plain {json}");
  CHECK(bank::printable_excerpt(std::string("a\nb\0c\x1b[2J\xff\\", 11)) == "a\\x0ab\\x00c\\x1b[2J\\xff\\x5c");
  CHECK(bank::printable_excerpt(std::string(1000, 'x'), 64) == std::string(64, 'x') + "...");
  CHECK(bank::printable_excerpt(std::string(64, 'x'), 64) == std::string(64, 'x'));
  CHECK(bank::printable_excerpt("", 64).empty());
  // Every byte value comes out as printable ASCII.
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  for (char c : bank::printable_excerpt(all, 256)) CHECK((c >= 0x20 && c < 0x7f));
}

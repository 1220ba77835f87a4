// JsonReader, the strict field access under every decoder: each accessor's bounds and error ids, and parse limits.
#include "messages/json/json_reader.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

using bank::DecodeFailure;
using bank::JsonReader;
using nlohmann::json;

namespace {

// The error id `read` throws, or "ok" when it returns.
std::string error_id(const std::function<void()>& read) {
  try {
    read();
  } catch (const DecodeFailure& f) {
    CHECK_FALSE(f.error.message.empty());
    return f.error.id;
  }
  return "ok";
}

// One field `v` in an object, for the accessor tables.
json one(json v) { return json{{"f", std::move(v)}}; }

// A row of an accessor table: `read` field "f" of one(value) with `accessor`; `id` is the error expected, or "ok".
template <class Result>
struct AccessorRow {
  using Read = std::function<Result(const JsonReader&)>;
  const char* accessor;
  Read read;
  json value;
  const char* id;
};

}  // namespace

TEST_CASE("json reader: only a JSON object can be read") {
  for (const json& j : {json(nullptr), json(1), json("x"), json::array(), json(true), json(1.5)}) {
    INFO(j.dump());
    CHECK(error_id([&] { JsonReader r(j, "request"); }) == "codec.not_object");
  }
  CHECK(error_id([] { JsonReader r(json::object(), "request"); }) == "ok");
}

TEST_CASE("json reader: u64 takes 0 to its maximum, integers only") {
  struct Row {
    json value;
    std::uint64_t max;
    const char* id;
  };
  const std::vector<Row> rows{
      {0, UINT64_MAX, "ok"},
      {UINT64_MAX, UINT64_MAX, "ok"},
      {INT64_MAX, UINT64_MAX, "ok"},
      {10, 10, "ok"},
      {11, 10, "codec.range"},
      {-1, UINT64_MAX, "codec.range"},
      {INT64_MIN, UINT64_MAX, "codec.range"},
      {1.0, UINT64_MAX, "codec.type"},
      {json::parse("18446744073709551616"), UINT64_MAX, "codec.type"},
      {"1", UINT64_MAX, "codec.type"},
      {true, UINT64_MAX, "codec.type"},
      {nullptr, UINT64_MAX, "codec.type"},
  };
  for (const Row& row : rows) {
    INFO(row.value.dump() << " with max " << row.max);
    const json j = one(row.value);
    std::uint64_t got = 0;
    CHECK(error_id([&] { got = JsonReader(j, "test").u64("f", row.max); }) == row.id);
    if (std::string(row.id) == "ok") CHECK(json(got) == row.value);
  }
}

TEST_CASE("json reader: i64, positive_i64 and node_id keep to their ranges") {
  using Row = AccessorRow<std::int64_t>;
  using Read = Row::Read;
  const Read i64 = [](const JsonReader& r) { return r.i64("f"); };
  const Read positive = [](const JsonReader& r) { return r.positive_i64("f"); };
  const Read node = [](const JsonReader& r) { return static_cast<std::int64_t>(r.node_id("f")); };
  const std::vector<Row> rows{
      {"i64", i64, INT64_MIN, "ok"},
      {"i64", i64, INT64_MAX, "ok"},
      {"i64", i64, 0, "ok"},
      {"i64", i64, std::uint64_t{1} << 63, "codec.range"},
      {"i64", i64, UINT64_MAX, "codec.range"},
      {"i64", i64, -0.5, "codec.type"},
      {"positive_i64", positive, 1, "ok"},
      {"positive_i64", positive, INT64_MAX, "ok"},
      {"positive_i64", positive, 0, "codec.range"},
      {"positive_i64", positive, -1, "codec.range"},
      {"positive_i64", positive, INT64_MIN, "codec.range"},
      {"positive_i64", positive, std::uint64_t{1} << 63, "codec.range"},
      {"positive_i64", positive, 4.5, "codec.type"},
      {"positive_i64", positive, "400", "codec.type"},
      {"node_id", node, 1, "ok"},
      {"node_id", node, INT32_MAX, "ok"},
      {"node_id", node, 0, "codec.range"},
      {"node_id", node, -1, "codec.range"},
      {"node_id", node, std::int64_t{INT32_MAX} + 1, "codec.range"},
      {"node_id", node, UINT64_MAX, "codec.range"},
      {"node_id", node, 1.0, "codec.type"},
  };
  for (const Row& row : rows) {
    INFO(std::string(row.accessor) << "(" << row.value.dump() << ")");
    const json j = one(row.value);
    std::int64_t got = 0;
    CHECK(error_id([&] { got = row.read(JsonReader(j, "test")); }) == row.id);
    if (std::string(row.id) == "ok") CHECK(json(got) == row.value);
  }
}

TEST_CASE("json reader: boolean, string, hex64 and txid check type, length and alphabet") {
  using Row = AccessorRow<void>;
  using Read = Row::Read;
  const Read boolean = [](const JsonReader& r) { (void)r.boolean("f"); };
  const Read string3 = [](const JsonReader& r) { (void)r.string("f", 3); };
  const Read hex = [](const JsonReader& r) { (void)r.hex64("f"); };
  const Read txid = [](const JsonReader& r) { (void)r.txid("f"); };
  const std::vector<Row> rows{
      {"boolean", boolean, true, "ok"},
      {"boolean", boolean, false, "ok"},
      {"boolean", boolean, 1, "codec.type"},
      {"boolean", boolean, "true", "codec.type"},
      {"string", string3, "", "ok"},
      {"string", string3, "abc", "ok"},
      {"string", string3, "abcd", "codec.range"},
      {"string", string3, 3, "codec.type"},
      {"hex64", hex, std::string(64, '0'), "ok"},
      {"hex64", hex, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "ok"},
      {"hex64", hex, "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "codec.bad_hex"},
      {"hex64", hex, std::string(63, 'a'), "codec.bad_hex"},
      {"hex64", hex, "", "codec.bad_hex"},
      {"hex64", hex, std::string(63, 'a') + " ", "codec.bad_hex"},
      {"hex64", hex, std::string(62, 'a') + "0x", "codec.bad_hex"},
      {"hex64", hex, json::array(), "codec.type"},
      {"txid", txid, "1-1", "ok"},
      {"txid", txid, std::string(64, '~'), "ok"},
      {"txid", txid, std::string(65, 'x'), "codec.bad_txid"},
      {"txid", txid, "", "codec.bad_txid"},
      {"txid", txid, "a b", "codec.bad_txid"},
      {"txid", txid, "caf\xc3\xa9", "codec.bad_txid"},
      {"txid", txid, 17, "codec.type"},
  };
  for (const Row& row : rows) {
    INFO(std::string(row.accessor) << "(" << row.value.dump() << ")");
    const json j = one(row.value);
    CHECK(error_id([&] { row.read(JsonReader(j, "test")); }) == row.id);
  }
}

TEST_CASE("json reader: a txid is 1 to 64 printable ASCII characters without spaces") {
  for (int c = 0; c < 256; ++c) {
    INFO("byte " << c);
    CHECK(JsonReader::is_txid(std::string(1, static_cast<char>(c))) == (c >= 0x21 && c <= 0x7e));
  }
  CHECK(JsonReader::is_txid(std::string(64, 'a')));
  CHECK_FALSE(JsonReader::is_txid(std::string(65, 'a')));
  CHECK_FALSE(JsonReader::is_txid(""));
}

TEST_CASE("json reader: object, array and missing fields") {
  const json j = json::parse(R"({"o":{},"a":[],"n":1})");
  const JsonReader r(j, "block 3");
  CHECK(r.has("o"));
  CHECK_FALSE(r.has("x"));
  CHECK(error_id([&] { (void)r.object("o"); }) == "ok");
  CHECK(error_id([&] { (void)r.object("a"); }) == "codec.type");
  CHECK(error_id([&] { (void)r.array("a"); }) == "ok");
  CHECK(error_id([&] { (void)r.array("o"); }) == "codec.type");
  CHECK(error_id([&] { (void)r.array("n"); }) == "codec.type");
  // A missing field's error names both the field and the object, for whoever reads the log.
  try {
    (void)r.u64("index");
    FAIL("a missing field was read");
  } catch (const DecodeFailure& f) {
    CHECK(f.error.id == "codec.missing_field");
    CHECK(f.error.message.find("index") != std::string::npos);
    CHECK(f.error.message.find("block 3") != std::string::npos);
  }
}

TEST_CASE("json reader: only() refuses any key not listed, and names it") {
  const json j = json::parse(R"({"cmd":"status","verbose":true})");
  const JsonReader r(j, "request");
  CHECK(error_id([&] { r.only({"cmd", "verbose"}); }) == "ok");
  CHECK(error_id([&] { r.only({"cmd", "verbose", "extra"}); }) == "ok");
  try {
    r.only({"cmd"});
    FAIL("an unknown key was let through");
  } catch (const DecodeFailure& f) {
    CHECK(f.error.id == "codec.unknown_field");
    CHECK(f.error.message.find("verbose") != std::string::npos);
  }
}

TEST_CASE("json reader: account keys are canonical decimal node ids") {
  for (const char* good : {"1", "9", "10", "2147483647"}) {
    INFO(good);
    std::uint32_t id = 0;
    CHECK(error_id([&] { id = JsonReader::node_id_from_string(good, "balances"); }) == "ok");
    CHECK(std::to_string(id) == good);
  }
  for (const char* bad : {"", "0", "01", "-1", "+1", " 1", "1 ", "1x", "0x1", "1.0", "1e3", "2147483648",
                          "4294967297", "99999999999999999999"}) {
    INFO("'" << bad << "'");
    CHECK(error_id([&] { (void)JsonReader::node_id_from_string(bad, "balances"); }) == "codec.range");
  }
}

TEST_CASE("json reader: parse enforces the size limit before it parses") {
  CHECK(error_id([] { (void)JsonReader::parse("{}", 2); }) == "ok");
  CHECK(error_id([] { (void)JsonReader::parse("{} ", 2); }) == "codec.too_large");
  CHECK(error_id([] { (void)JsonReader::parse("{", 2); }) == "codec.not_json");
  // nlohmann alone stops at a NUL byte and would accept what comes before it.
  CHECK(error_id([] { (void)JsonReader::parse(std::string("{}\0", 3), 10); }) == "codec.not_json");
  CHECK(error_id([] { (void)JsonReader::parse(std::string("{}\0]]]", 6), 10); }) == "codec.not_json");
  auto r = JsonReader::try_parse("[1,2", 100);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().id == "codec.not_json");
  auto big = JsonReader::try_parse(std::string(101, ' '), 100);
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().id == "codec.too_large");
  auto good = JsonReader::try_parse(R"({"a":[1]})", 100);
  REQUIRE(good.ok());
  CHECK(*good == json{{"a", {1}}});
}

TEST_CASE("json reader: 100000 nested arrays parse and free without overflowing the stack") {
  const std::size_t depth = 100000;
  auto r = JsonReader::try_parse(std::string(depth, '[') + std::string(depth, ']'), 1 << 20);
  REQUIRE(r.ok());
  std::size_t seen = 0;
  for (const json* j = &*r; j->is_array() && !j->empty(); j = &(*j)[0]) ++seen;
  CHECK(seen == depth - 1);
  CHECK(error_id([&] { JsonReader reader(*r, "request"); }) == "codec.not_object");
  auto open = JsonReader::try_parse(std::string(depth, '['), 1 << 20);
  REQUIRE_FALSE(open.ok());
  CHECK(open.error().id == "codec.not_json");
}

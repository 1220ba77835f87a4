// The abort record codec: one line of aborts.jsonl both ways, and total refusal of bad lines.
#include "messages/abort_record.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "message_fixtures.hpp"

using bank::AbortRecord;
using bank::unit::check_refused;

TEST_CASE("abort record: written as canonical JSON and read back") {
  const AbortRecord a{"2-9", "account 2 holds 500 cents, less than the 5000 cents asked"};
  const std::string text = bank::abort_record_text(a);
  CHECK(text == R"({"reason":"account 2 holds 500 cents, less than the 5000 cents asked","txid":"2-9"})");
  auto back = bank::decode_abort_record(text);
  REQUIRE(back.ok());
  CHECK(*back == a);
  const AbortRecord odd{"x", "a \"quoted\" reason\twith a tab"};
  auto again = bank::decode_abort_record(bank::abort_record_text(odd));
  REQUIRE(again.ok());
  CHECK(*again == odd);
}

TEST_CASE("abort record: keys in any order and spacing, and keys beyond the two, are read as ever") {
  auto a = bank::decode_abort_record(R"( { "txid" : "1-1", "reason" : "", "note": 3 } )");
  REQUIRE(a.ok());
  CHECK(*a == AbortRecord{"1-1", ""});
}

TEST_CASE("abort record: bad lines are refused with their error id") {
  struct Row {
    const char* name;
    std::string line;
    const char* id;
  };
  const std::vector<Row> rows{
      {"empty", "", "codec.not_json"},
      {"cut short", R"({"reason":"r","txid":"1-)", "codec.not_json"},
      {"an array", R"(["1-1","r"])", "codec.not_object"},
      {"no txid", R"({"reason":"r"})", "codec.missing_field"},
      {"no reason", R"({"txid":"1-1"})", "codec.missing_field"},
      {"txid a number", R"({"reason":"r","txid":11})", "codec.type"},
      {"reason a number", R"({"reason":5,"txid":"1-1"})", "codec.type"},
      {"txid with a space", R"({"reason":"r","txid":"1 1"})", "codec.bad_txid"},
      {"empty txid", R"({"reason":"r","txid":""})", "codec.bad_txid"},
      {"over the size limit", R"({"reason":")" + std::string(bank::max_abort_record, 'r') + R"(","txid":"1-1"})",
       "codec.too_large"},
  };
  for (const Row& row : rows) {
    INFO(row.name);
    check_refused(bank::decode_abort_record(row.line), row.id);
  }
}

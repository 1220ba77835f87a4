// bank-cli's typed words (apps/cli/arguments): ids, indexes, counts, seconds and dollar
// amounts, the good ones by value and the bad ones by error id.
#include "apps/cli/arguments.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace bank;
using namespace bank::cli;

TEST_CASE("cli arguments: amounts as people write them, in exact cents") {
  struct Row {
    const char* text;
    Cents cents;
  };
  const std::vector<Row> good = {
      {"4", 400},       {"4.5", 450},    {"4.50", 450},   {".5", 50},        {"4.", 400},
      {"$4.50", 450},   {"$.05", 5},     {"0.01", 1},     {"04.50", 450},    {"1000000000000000", 100'000'000'000'000'000},
  };
  for (const Row& row : good) {
    CAPTURE(row.text);
    auto r = parse_amount(row.text);
    REQUIRE(r.ok());
    CHECK(*r == row.cents);
  }
  struct Bad {
    const char* text;
    const char* id;
  };
  const std::vector<Bad> bad = {
      {"0.001", "amount.decimals"}, {"4.505", "amount.decimals"}, {"$.125", "amount.decimals"},
      {"0", "amount.positive"},     {"0.00", "amount.positive"},  {"-4", "amount.positive"},
      {"-$4.50", "amount.positive"}, {"", "amount.format"},       {".", "amount.format"},
      {"$", "amount.format"},       {"abc", "amount.format"},     {"4.5.0", "amount.format"},
      {"1e3", "amount.format"},     {"1,000", "amount.format"},   {"4 ", "amount.format"},
      {"+4", "amount.format"},      {"$$4", "amount.format"},     {"0x10", "amount.format"},
      {"1000000000000000.01", "amount.range"}, {"99999999999999999999", "amount.range"},
  };
  for (const Bad& row : bad) {
    CAPTURE(row.text);
    auto r = parse_amount(row.text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().id == row.id);
  }
  CHECK(parse_amount("0.001").error().message == "'0.001': at most 2 decimals (an amount is dollars and cents)");
  CHECK(parse_amount("0").error().message == "'0' is not a positive amount (the least is $0.01)");
}

TEST_CASE("cli arguments: node ids, block indexes and counts are plain digits in range") {
  CHECK(*parse_node_id("1") == 1u);
  CHECK(*parse_node_id("2147483647") == 2147483647u);
  for (const char* bad : {"0", "-1", "x", "", "1.0", " 1", "2147483648", "99999999999999999999999"}) {
    CAPTURE(bad);
    REQUIRE_FALSE(parse_node_id(bad).ok());
    CHECK(parse_node_id(bad).error().id == "arg.node_id");
  }
  CHECK(parse_node_id("x").error().message == "'x' is not a node id (a whole number from 1)");

  CHECK(*parse_block_index("0") == 0u);
  CHECK(*parse_block_index("9223372036854775807") == 9223372036854775807u);
  for (const char* bad : {"-1", "abc", "", "9223372036854775808", "1e3"}) {
    CAPTURE(bad);
    CHECK(parse_block_index(bad).error().id == "arg.index");
  }
  CHECK(*parse_count("20") == 20u);
  for (const char* bad : {"0", "-1", "ten", ""}) {
    CAPTURE(bad);
    CHECK(parse_count(bad).error().id == "arg.count");
  }
}

TEST_CASE("cli arguments: seconds are above 0 and at most a day, without signs or exponents") {
  CHECK(*parse_seconds("10") == doctest::Approx(10));
  CHECK(*parse_seconds("0.5") == doctest::Approx(0.5));
  CHECK(*parse_seconds(".25") == doctest::Approx(0.25));
  CHECK(*parse_seconds("86400") == doctest::Approx(86400));
  for (const char* bad : {"0", "0.0", "-1", "86400.5", "1e300", "inf", "nan", "", ".", "1..2", "ten"}) {
    CAPTURE(bad);
    REQUIRE_FALSE(parse_seconds(bad).ok());
    CHECK(parse_seconds(bad).error().id == "arg.seconds");
  }
  // One short line, whatever was typed (CLI11's own check printed a 300-digit range).
  CHECK(parse_seconds("0").error().message ==
        "'0' is not a number of seconds above 0 and at most 86400 (like 10 or 0.5)");
}

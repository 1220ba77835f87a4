// json_as_yaml: a JSON object's nodes as yaml-cpp builds them for the same text as YAML.
#include "config/json_as_yaml.hpp"

#include <doctest/doctest.h>

#include <string>

using bank::json_as_yaml;

TEST_CASE("json as yaml: scalars keep their text and the tags yaml-cpp gives them") {
  const auto node = json_as_yaml(R"({"s":"x","n":-0,"f":1.50,"e":2E+3,"t":true,"z":null,"l":[1,{"k":"v"}],"m":{}})");
  REQUIRE(node);
  const auto yaml = YAML::Load(R"({"s":"x","n":-0,"f":1.50,"e":2E+3,"t":true,"z":null,"l":[1,{"k":"v"}],"m":{}})");
  for (const char* key : {"s", "n", "f", "e", "t"}) {
    CAPTURE(key);
    CHECK((*node)[key].Scalar() == yaml[key].Scalar());
    CHECK((*node)[key].Tag() == yaml[key].Tag());
  }
  CHECK((*node)["s"].Tag() == "!");
  CHECK((*node)["n"].Scalar() == "-0");
  CHECK((*node)["z"].IsNull());
  CHECK((*node)["l"].IsSequence());
  CHECK((*node)["l"][1]["k"].Scalar() == "v");
  CHECK((*node)["m"].IsMap());
  CHECK((*node)["m"].size() == 0);
}

TEST_CASE("json as yaml: keys stay in order, a repeated one twice") {
  const auto node = json_as_yaml(R"({"b":1,"a":2,"b":3})");
  REQUIRE(node);
  std::string keys;
  for (const auto& pair : *node) keys += pair.first.Scalar() + pair.second.Scalar();
  CHECK(keys == "b1a2b3");
}

TEST_CASE("json as yaml: what yaml-cpp refuses as YAML is read") {
  const auto node = json_as_yaml(R"({"a":"\ud83d\ude00","\u0062":"\/"})");
  REQUIRE(node);
  CHECK((*node)["a"].Scalar() == "\xF0\x9F\x98\x80");
  CHECK((*node)["b"].Scalar() == "/");
  CHECK(json_as_yaml("{\"" + std::string(2000, 'k') + "\":1}"));
}

TEST_CASE("json as yaml: anything but a JSON object within the depth limit is left to yaml-cpp") {
  for (const std::string text : {"a: 1", "[1]", "\"x\"", "1", "", "{", "{\"a\":1,}", "{\"a\":1} x", "{'a':1}",
                                 "{\"a\":\"\\ud83d\"}"}) {
    CAPTURE(text);
    CHECK_FALSE(json_as_yaml(text));
  }
  const auto nested = [](std::size_t depth) {
    return "{\"a\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
  };
  CHECK(json_as_yaml(nested(bank::kMaxJsonConfigDepth)));
  CHECK_FALSE(json_as_yaml(nested(bank::kMaxJsonConfigDepth + 1)));
  CHECK(json_as_yaml(" \xEF\xBB\xBF{\"a\":1}") == std::nullopt);  // a BOM only at the very start
  CHECK(json_as_yaml("\xEF\xBB\xBF {\"a\":1}"));
}

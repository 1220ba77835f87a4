// count_yaml_documents: documents counted up to a bound, on texts where LoadAll never ends too.
#include "config/yaml_documents.hpp"

#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <string>

using bank::count_yaml_documents;

TEST_CASE("yaml documents: counted up to the bound") {
  CHECK(count_yaml_documents("", 2) == 0);
  CHECK(count_yaml_documents("# only a comment\n", 2) == 0);
  CHECK(count_yaml_documents("a: 1\n", 2) == 1);
  CHECK(count_yaml_documents("---\na: 1\n...\n", 2) == 1);
  CHECK(count_yaml_documents("a: 1\n---\nb: 2\n---\nc: 3\n", 2) == 2);
  CHECK(count_yaml_documents("a: 1\n---\nb: 2\n---\nc: 3\n", 5) == 3);
}

// yaml-cpp's LoadAll keeps finding one more empty document in each of these, for ever.
TEST_CASE("yaml documents: a stray comma ends at the bound") {
  for (const char* text : {",", "[1],", "{a: 1}, {b: 2}", "[1]\n,\n"}) {
    CAPTURE(text);
    CHECK(count_yaml_documents(text, 3) >= 2);
  }
}

TEST_CASE("yaml documents: a text that is not YAML throws what the parser throws") {
  CHECK_THROWS_AS(count_yaml_documents("{a: 1", 2), YAML::ParserException);
  CHECK_THROWS_AS(count_yaml_documents(std::string(600, '[') + std::string(600, ']'), 2), YAML::ParserException);
}

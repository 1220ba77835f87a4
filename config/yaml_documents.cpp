// count_yaml_documents: yaml-cpp's parser driven document by document, its events ignored.
#include "config/yaml_documents.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <sstream>
#include <string>

namespace bank {

namespace {

// Receives a document's events and keeps none of them.
class IgnoreEvents : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

}  // namespace

std::size_t count_yaml_documents(std::string_view text, std::size_t bound) {
  std::istringstream in{std::string(text)};
  YAML::Parser parser(in);
  IgnoreEvents ignore;
  std::size_t count = 0;
  while (count < bound && parser.HandleNextDocument(ignore)) ++count;
  return count;
}

}  // namespace bank

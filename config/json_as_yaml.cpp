// json_as_yaml: nlohmann's SAX events build the YAML nodes, numbers keeping their text.
#include "config/json_as_yaml.hpp"

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bank {

namespace {

// The text of every number of a JSON text, in order. Only valid JSON is scanned (nlohmann
// has read it), so outside strings a run of these characters is exactly one number token.
std::deque<std::string> number_texts(std::string_view text) {
  std::deque<std::string> out;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      std::size_t end = i;
      while (end < text.size() && std::string_view("+-.0123456789eE").find(text[end]) != std::string_view::npos) ++end;
      out.emplace_back(text.substr(i, end - i));
      i = end - 1;
    }
  }
  return out;
}

YAML::Node scalar(const std::string& text, const char* tag) {
  YAML::Node node(text);
  node.SetTag(tag);
  return node;
}

// Builds the nodes from nlohmann's events: `open_` holds the maps and lists being filled,
// `keys_` the key waiting for its value in each open map.
class YamlBuilder : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit YamlBuilder(std::deque<std::string> numbers) : numbers_(std::move(numbers)) {}

  std::optional<YAML::Node> root;

  bool null() override { return add(YAML::Node(YAML::NodeType::Null)); }
  bool boolean(bool value) override { return add(scalar(value ? "true" : "false", "?")); }
  bool number_integer(number_integer_t) override { return number(); }
  bool number_unsigned(number_unsigned_t) override { return number(); }
  bool number_float(number_float_t, const string_t&) override { return number(); }
  bool string(string_t& value) override { return add(scalar(value, "!")); }
  bool binary(binary_t&) override { return false; }
  bool start_object(std::size_t) override { return open(YAML::NodeType::Map); }
  bool key(string_t& value) override {
    keys_.push_back(scalar(value, "!"));
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(YAML::NodeType::Sequence); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

 private:
  bool number() {
    if (numbers_.empty()) return false;
    YAML::Node node = scalar(numbers_.front(), "?");
    numbers_.pop_front();
    return add(node);
  }
  // A map or list, tagged as yaml-cpp tags a flow collection.
  bool open(YAML::NodeType::value type) {
    YAML::Node node(type);
    node.SetTag("?");
    if (open_.size() >= kMaxJsonConfigDepth || !add(node)) return false;
    open_.push_back(node);
    return true;
  }
  bool close() {
    open_.pop_back();
    return true;
  }
  // A value into the innermost open map (under its waiting key) or list, or as the root.
  bool add(YAML::Node node) {
    if (open_.empty()) {
      root = node;
      return true;
    }
    YAML::Node& parent = open_.back();
    if (parent.IsSequence()) {
      parent.push_back(node);
    } else {
      parent.force_insert(keys_.back(), node);
      keys_.pop_back();
    }
    return true;
  }

  std::deque<std::string> numbers_;
  std::vector<YAML::Node> open_;
  std::vector<YAML::Node> keys_;
};

}  // namespace

std::optional<YAML::Node> json_as_yaml(std::string_view text) {
  // Only a JSON object can be a config: '{' first, after the BOM nlohmann skips and spaces.
  std::string_view body = text;
  if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);
  const std::size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || body[first] != '{') return std::nullopt;
  YamlBuilder builder(number_texts(text));
  if (!nlohmann::json::sax_parse(text, &builder) || !builder.root || !builder.root->IsMap()) return std::nullopt;
  return builder.root;
}

}  // namespace bank

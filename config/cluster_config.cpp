// ClusterConfig: reads the config with yaml-cpp (JSON with nlohmann) and checks every key, value and cross-node rule.
#include "config/cluster_config.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>
#include <utility>

#include "config/json_as_yaml.hpp"
#include "config/yaml_documents.hpp"

namespace bank {

namespace {

namespace fs = std::filesystem;

constexpr Cents kMaxDollars = 1'000'000'000'000'000;  // 10^15
constexpr Cents kMaxCents = kMaxDollars * 100;
constexpr std::int64_t kMaxNodeId = 2'147'483'647;  // 2^31 - 1
constexpr std::int64_t kMaxTimeoutMs = 3'600'000;
constexpr std::int64_t kMaxBatch = 10'000;
constexpr std::size_t kMaxFileBytes = 1 << 20;
constexpr std::size_t kMaxHostLength = 255;

// A short, printable quote of user text for an error message.
std::string excerpt(std::string_view text) {
  constexpr std::size_t kMax = 32;
  std::size_t n = std::min(text.size(), kMax);
  // Do not cut a UTF-8 sequence in half: back off over continuation bytes.
  if (n < text.size()) {
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  }
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    out += (c < 0x20 || c == 0x7F) ? '?' : static_cast<char>(c);
  }
  if (n < text.size()) out += "...";
  return out;
}

// YAML's printable set (YAML 1.2, 5.1) over UTF-8: tab, LF, CR, 0x20-0x7E, U+0085, U+00A0-U+D7FF,
// U+E000-U+FFFD, U+10000-U+10FFFF; no overlong forms. Returns the offset of the first bad byte.
std::optional<std::size_t> first_bad_character(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    if (b0 < 0x80) {
      if (b0 == 0x09 || b0 == 0x0A || b0 == 0x0D || (b0 >= 0x20 && b0 < 0x7F)) {
        ++i;
        continue;
      }
      return i;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    std::uint32_t min = 0;
    if ((b0 & 0xE0) == 0xC0) {
      len = 2, cp = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
      len = 3, cp = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
      len = 4, cp = b0 & 0x07, min = 0x10000;
    } else {
      return i;
    }
    if (text.size() - i < len) return i;
    for (std::size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if ((b & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (b & 0x3F);
    }
    const bool printable = cp == 0x85 || (cp >= 0xA0 && cp <= 0xD7FF) ||
                           (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
    if (cp < min || !printable) return i;
    i += len;
  }
  return std::nullopt;
}

// `text` with each CR that no LF follows made an LF. YAML takes a lone CR for a line break,
// as it takes CRLF and LF; yaml-cpp takes CRLF and LF but keeps a lone CR inside the
// scalar before it ("10.0\r" is then not money), which fuzzing found by comparing the JSON
// and YAML readings of one text.
std::string with_lone_cr_as_lf(std::string_view text) {
  std::string out(text);
  for (std::size_t i = 0; i < out.size(); ++i)
    if (out[i] == '\r' && (i + 1 == out.size() || out[i + 1] != '\n')) out[i] = '\n';
  return out;
}

std::string join(std::string_view prefix, std::string_view key) {
  if (prefix.empty()) return std::string(key);
  return std::string(prefix) + "." + std::string(key);
}

// What a node is, for "must be X, not Y" messages.
std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Scalar:
      if (node.Tag() == "?") return "'" + excerpt(node.Scalar()) + "'";
      if (node.Tag() == "!") return "the quoted string '" + excerpt(node.Scalar()) + "'";
      return "a value tagged '" + excerpt(node.Tag()) + "'";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

Error type_error(const std::string& path, std::string_view expected, const YAML::Node& node) {
  return make_error("config.type",
                    "'" + path + "' must be " + std::string(expected) + ", not " + describe(node));
}

// A plain (unquoted, untagged) scalar: the only form numbers and booleans may take.
bool is_plain_scalar(const YAML::Node& node) { return node.IsScalar() && node.Tag() == "?"; }

// A scalar written plain or quoted, without an explicit tag.
bool is_string_scalar(const YAML::Node& node) {
  return node.IsScalar() && (node.Tag() == "?" || node.Tag() == "!");
}

struct KeySpec {
  std::string_view name;
  bool required;
};

// Checks a map's keys against the known ones: each key a plain name, none unknown, none given
// twice, every required one present. Fills `out` with key -> value.
std::optional<Error> read_keys(const YAML::Node& map, const std::string& path,
                               std::initializer_list<KeySpec> known,
                               std::map<std::string, YAML::Node, std::less<>>& out) {
  const std::string where = path.empty() ? "the config" : "'" + path + "'";
  for (const auto& pair : map) {
    const YAML::Node& key = pair.first;
    if (!is_string_scalar(key)) {
      return make_error("config.unknown_key",
                        where + " has a key that is not a plain name: " + describe(key));
    }
    const std::string& name = key.Scalar();
    const bool is_known = std::any_of(known.begin(), known.end(),
                                      [&](const KeySpec& spec) { return spec.name == name; });
    if (!is_known) {
      return make_error("config.unknown_key",
                        "unknown key '" + join(path, excerpt(name)) + "' in the config");
    }
    if (!out.emplace(name, pair.second).second) {
      return make_error("config.duplicate_key",
                        "key '" + join(path, name) + "' is given twice in the config");
    }
  }
  for (const KeySpec& spec : known) {
    if (spec.required && out.find(spec.name) == out.end()) {
      return make_error("config.missing_key",
                        "missing key '" + join(path, spec.name) + "' in the config");
    }
  }
  return std::nullopt;
}

// A plain decimal integer in [min, max]: optional '-', digits, no leading zero. Wrong form is
// config.type; right form out of range (however large) is `range_id`.
Result<std::int64_t> read_integer(const YAML::Node& node, const std::string& path, std::int64_t min,
                                  std::int64_t max, const std::string& range_id) {
  const std::string expected =
      "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!is_plain_scalar(node)) return type_error(path, expected, node);
  const std::string& text = node.Scalar();
  const bool negative = !text.empty() && text[0] == '-';
  const std::string_view digits = std::string_view(text).substr(negative ? 1 : 0);
  const bool all_digits = !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
  if (!all_digits || (digits.size() > 1 && digits[0] == '0'))
    return type_error(path, expected, node);
  // Saturate instead of overflowing: anything past max is out of range anyway.
  std::int64_t magnitude = 0;
  for (char c : digits) {
    magnitude = magnitude * 10 + (c - '0');
    if (magnitude > max) break;
  }
  const std::int64_t value = negative ? -magnitude : magnitude;
  if (value < min || value > max) {
    return make_error(range_id, "'" + path + "' must be from " + std::to_string(min) + " to " +
                                    std::to_string(max) + ", not " + excerpt(text));
  }
  return value;
}

Result<bool> read_bool(const YAML::Node& node, const std::string& path) {
  if (is_plain_scalar(node)) {
    if (node.Scalar() == "true") return true;
    if (node.Scalar() == "false") return false;
  }
  return type_error(path, "true or false", node);
}

Result<std::string> read_string(const YAML::Node& node, const std::string& path) {
  if (!is_string_scalar(node)) return type_error(path, "a string", node);
  return node.Scalar();
}

Result<Cents> read_money(const YAML::Node& node, const std::string& path) {
  if (!is_plain_scalar(node)) return type_error(path, "an unquoted amount of dollars", node);
  auto cents = parse_dollars(node.Scalar());
  if (!cents) {
    return make_error("config.money", "'" + path + "' must be an amount of dollars from 0 to " +
                                          std::to_string(kMaxDollars) +
                                          " with at most two decimals, not '" +
                                          excerpt(node.Scalar()) + "'");
  }
  return *cents;
}

bool is_host_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_' || c == ':' || c == '[' || c == ']';
}

std::string lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

// One entry of `nodes`; the balance is left unset (nullopt) when the node has no override.
struct ParsedNode {
  NodeConfig node;
  std::optional<Cents> balance;
};

Result<ParsedNode> read_node(const YAML::Node& yaml, const std::string& path) {
  if (!yaml.IsMap()) return type_error(path, "a map of node keys", yaml);
  std::map<std::string, YAML::Node, std::less<>> keys;
  if (auto error = read_keys(
          yaml, path,
          {{"id", true}, {"host", true}, {"port", true}, {"console", true}, {"balance", false}},
          keys)) {
    return *error;
  }
  ParsedNode parsed;
  auto id = read_integer(keys.at("id"), join(path, "id"), 1, kMaxNodeId, "config.id");
  if (!id) return id.error();
  parsed.node.id = static_cast<NodeId>(*id);

  const std::string host_path = join(path, "host");
  auto host = read_string(keys.at("host"), host_path);
  if (!host) return host.error();
  if (host->empty()) return make_error("config.host", "'" + host_path + "' is empty");
  if (host->size() > kMaxHostLength ||
      !std::all_of(host->begin(), host->end(), is_host_character)) {
    return make_error("config.host", "'" + host_path + "' is not a host name or address: '" +
                                         excerpt(*host) + "'");
  }
  parsed.node.host = *host;

  auto port = read_integer(keys.at("port"), join(path, "port"), 1, 65535, "config.port");
  if (!port) return port.error();
  parsed.node.port = static_cast<std::uint16_t>(*port);
  auto console = read_integer(keys.at("console"), join(path, "console"), 1, 65535, "config.port");
  if (!console) return console.error();
  parsed.node.console = static_cast<std::uint16_t>(*console);

  if (auto it = keys.find("balance"); it != keys.end()) {
    auto balance = read_money(it->second, join(path, "balance"));
    if (!balance) return balance.error();
    parsed.balance = *balance;
  }
  return parsed;
}

// Ids unique; on each host (compared case-insensitively, without name resolution) every port and
// console number used once. Nodes are checked in file order so the first clash is the one reported.
std::optional<Error> check_unique(const std::vector<NodeConfig>& nodes) {
  std::map<NodeId, std::size_t> ids;
  std::map<std::pair<std::string, std::uint16_t>, std::string> ports;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const NodeConfig& node = nodes[i];
    const std::string path = "nodes[" + std::to_string(i) + "]";
    if (auto [it, fresh] = ids.emplace(node.id, i); !fresh) {
      return make_error("config.duplicate_id", "'" + path + ".id' repeats id " +
                                                   std::to_string(node.id) + " of 'nodes[" +
                                                   std::to_string(it->second) + "].id'");
    }
    const std::string host = lower(node.host);
    for (const auto& [key, number] :
         {std::pair{"port", node.port}, std::pair{"console", node.console}}) {
      const std::string here = path + "." + key;
      if (auto [it, fresh] = ports.emplace(std::pair{host, number}, here); !fresh) {
        return make_error("config.duplicate_port", "'" + here + "' is " + std::to_string(number) +
                                                       " on host " + node.host + ", which '" +
                                                       it->second + "' already uses");
      }
    }
  }
  return std::nullopt;
}

// base / dir unless dir is absolute; lexically normal, with no trailing separator.
Result<fs::path> resolve_dir(const fs::path& dir, const fs::path& base_dir) {
  fs::path base = base_dir;
  std::error_code ec;
  if (base.empty()) {
    base = fs::current_path(ec);
  } else if (base.is_relative()) {
    base = fs::absolute(base, ec);
  }
  if (ec) {
    return make_error("config.data_dir", "cannot resolve 'data_dir' against '" + base_dir.string() +
                                             "': " + ec.message());
  }
  fs::path resolved = (dir.is_absolute() ? dir : base / dir).lexically_normal();
  if (!resolved.has_filename() && resolved.has_relative_path()) resolved = resolved.parent_path();
  return resolved;
}

Result<ClusterConfig> build(const YAML::Node& root, const fs::path& base_dir) {
  std::map<std::string, YAML::Node, std::less<>> keys;
  if (auto error = read_keys(root, "",
                             {{"initial_balance", true},
                              {"data_dir", false},
                              {"fsync", false},
                              {"acquire_timeout_ms", false},
                              {"batch", false},
                              {"hosting", false},
                              {"keys_dir", false},
                              {"security", false},
                              {"log", false},
                              {"nodes", true}},
                             keys)) {
    return *error;
  }
  ClusterConfig config;
  auto initial = read_money(keys.at("initial_balance"), "initial_balance");
  if (!initial) return initial.error();
  config.initial_balance = *initial;

  fs::path data_dir = "data";
  if (auto it = keys.find("data_dir"); it != keys.end()) {
    auto text = read_string(it->second, "data_dir");
    if (!text) return text.error();
    if (text->empty()) return make_error("config.data_dir", "'data_dir' is empty");
    data_dir = *text;
  }
  auto resolved = resolve_dir(data_dir, base_dir);
  if (!resolved) return resolved.error();
  config.data_dir = *resolved;

  if (auto it = keys.find("fsync"); it != keys.end()) {
    auto fsync = read_bool(it->second, "fsync");
    if (!fsync) return fsync.error();
    config.fsync = *fsync;
  }
  if (auto it = keys.find("acquire_timeout_ms"); it != keys.end()) {
    auto timeout =
        read_integer(it->second, "acquire_timeout_ms", 1, kMaxTimeoutMs, "config.timeout");
    if (!timeout) return timeout.error();
    config.acquire_timeout_ms = *timeout;
  }
  if (auto it = keys.find("batch"); it != keys.end()) {
    auto batch = read_integer(it->second, "batch", 1, kMaxBatch, "config.batch");
    if (!batch) return batch.error();
    config.batch = static_cast<std::size_t>(*batch);
  }
  if (auto it = keys.find("hosting"); it != keys.end()) {
    auto text = read_string(it->second, "hosting");
    if (!text) return text.error();
    auto hosting = parse_hosting(*text);
    if (!hosting)
      return make_error("config.hosting", "'hosting' is '" + excerpt(*text) +
                                              "'; it must be one_thread or thread_per_actor");
    config.hosting = *hosting;
  }

  fs::path keys_dir = "keys";
  if (auto it = keys.find("keys_dir"); it != keys.end()) {
    auto text = read_string(it->second, "keys_dir");
    if (!text) return text.error();
    if (text->empty()) return make_error("config.keys_dir", "'keys_dir' is empty");
    keys_dir = *text;
  }
  auto keys_resolved = resolve_dir(keys_dir, base_dir);
  if (!keys_resolved) return keys_resolved.error();
  config.keys_dir = *keys_resolved;
  if (auto it = keys.find("security"); it != keys.end()) {
    auto text = read_string(it->second, "security");
    if (!text) return text.error();
    if (*text != "on" && *text != "off")
      return make_error("config.security", "'security' is '" + excerpt(*text) +
                                               "'; it must be on (the default) or off (trusted benchmarks only)");
    config.security = *text == "on";
  }
  if (auto it = keys.find("log"); it != keys.end()) {
    auto text = read_string(it->second, "log");
    if (!text) return text.error();
    auto detail = parse_log_detail(*text);
    if (!detail)
      return make_error("config.log", "'log' is '" + excerpt(*text) +
                                          "'; it must be all, protocol (the default) or none");
    config.log = *detail;
  }

  const YAML::Node& nodes = keys.at("nodes");
  if (nodes.IsNull() || (nodes.IsSequence() && nodes.size() == 0)) {
    return make_error("config.no_nodes", "'nodes' lists no nodes; the cluster needs at least one");
  }
  if (!nodes.IsSequence()) return type_error("nodes", "a list of nodes", nodes);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    auto parsed = read_node(nodes[i], "nodes[" + std::to_string(i) + "]");
    if (!parsed) return parsed.error();
    parsed->node.balance = parsed->balance.value_or(config.initial_balance);
    config.nodes.push_back(std::move(parsed->node));
  }
  if (auto error = check_unique(config.nodes)) return *error;
  std::sort(config.nodes.begin(), config.nodes.end(),
            [](const NodeConfig& a, const NodeConfig& b) { return a.id < b.id; });
  return config;
}

}  // namespace

const NodeConfig* ClusterConfig::find(NodeId id) const {
  auto it =
      std::lower_bound(nodes.begin(), nodes.end(), id,
                       [](const NodeConfig& node, NodeId wanted) { return node.id < wanted; });
  return it != nodes.end() && it->id == id ? &*it : nullptr;
}

std::map<NodeId, Cents> ClusterConfig::opening_balances() const {
  std::map<NodeId, Cents> balances;
  for (const NodeConfig& node : nodes) balances.emplace(node.id, node.balance);
  return balances;
}

std::filesystem::path ClusterConfig::node_dir(NodeId id) const {
  return data_dir / ("node-" + std::to_string(id));
}

Result<ClusterConfig> ClusterConfig::load(const std::filesystem::path& file) {
  const std::string name = file.string();
  std::error_code ec;
  const auto status = fs::status(file, ec);
  if (ec || !fs::exists(status)) {
    return make_error("config.unreadable", "cannot read the config file '" + name +
                                               "': " + (ec ? ec.message() : "it does not exist"));
  }
  if (fs::is_directory(status)) {
    return make_error("config.unreadable",
                      "cannot read the config file '" + name + "': it is a directory");
  }
  errno = 0;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    const std::string reason = errno != 0 ? std::strerror(errno) : "it cannot be opened";
    return make_error("config.unreadable", "cannot read the config file '" + name + "': " + reason);
  }
  std::string text;
  char buffer[16384];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxFileBytes) {
      return make_error("config.unreadable",
                        "cannot read the config file '" + name + "': it is larger than 1 MiB");
    }
  }
  if (in.bad()) {
    return make_error("config.unreadable",
                      "cannot read the config file '" + name + "': a read failed");
  }
  fs::path absolute = fs::absolute(file, ec);
  if (ec) absolute = file;
  return parse(text, absolute.parent_path());
}

Result<ClusterConfig> ClusterConfig::parse(std::string_view text,
                                           const std::filesystem::path& base_dir) {
  if (auto bad = first_bad_character(text)) {
    const auto line =
        1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(*bad), '\n');
    return make_error("config.encoding", "the config is not UTF-8 text: a forbidden byte at line " +
                                             std::to_string(line) + " (offset " +
                                             std::to_string(*bad) + ")");
  }
  try {
    // JSON through the JSON parser, which reads all of it (json_as_yaml.hpp says what
    // yaml-cpp does not); YAML, and text that is neither, through yaml-cpp.
    // YAML documents are counted first, up to 2: yaml-cpp's LoadAll never ends on some
    // malformed texts (see yaml_documents.hpp).
    std::vector<YAML::Node> documents;
    if (auto json = json_as_yaml(text)) {
      documents.push_back(*json);
    } else if (const std::string yaml = with_lone_cr_as_lf(text); count_yaml_documents(yaml, 2) > 1) {
      return make_error("config.syntax", "the config holds 2 or more YAML documents instead of one");
    } else {
      documents.push_back(YAML::Load(yaml));
    }
    if (documents.empty() || documents.front().IsNull()) {
      return make_error("config.not_a_map", "the config is empty; it must be a map of keys");
    }
    if (!documents.front().IsMap()) {
      return make_error("config.not_a_map",
                        "the config must be a map of keys, not " + describe(documents.front()));
    }
    return build(documents.front(), base_dir);
  } catch (const YAML::DeepRecursion& e) {  // yaml-cpp's message for this is only "bad file"
    return make_error("config.syntax", "the config is nested too deeply: line " +
                                           std::to_string(e.mark.line + 1) + ", column " +
                                           std::to_string(e.mark.column + 1));
  } catch (const YAML::ParserException& e) {
    return make_error("config.syntax", "the config is not valid YAML: line " +
                                           std::to_string(e.mark.line + 1) + ", column " +
                                           std::to_string(e.mark.column + 1) + ": " + e.msg);
  } catch (const YAML::Exception& e) {
    return make_error("config.syntax", "the config could not be read as YAML: " + e.msg);
  } catch (const std::exception& e) {
    return make_error("config.syntax", std::string("the config could not be read: ") + e.what());
  }
}

Result<Cents> parse_dollars(std::string_view text) {
  const auto format_error = [&] {
    return make_error("money.format", "'" + excerpt(text) +
                                          "' is not an amount of dollars (digits, then optionally"
                                          " '.' and one or two digits)");
  };
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  std::size_t i = 0;
  while (i < text.size() && is_digit(text[i])) ++i;
  const std::string_view whole = text.substr(0, i);
  if (whole.empty() || (whole.size() > 1 && whole[0] == '0')) return format_error();
  std::string_view fraction;
  if (i < text.size()) {
    if (text[i] != '.') return format_error();
    fraction = text.substr(i + 1);
    if (fraction.empty() || fraction.size() > 2 ||
        !std::all_of(fraction.begin(), fraction.end(), is_digit)) {
      return format_error();
    }
  }
  const auto range_error = [&] {
    return make_error("money.range", "'" + excerpt(text) + "' is more than the limit of " +
                                         std::to_string(kMaxDollars) + " dollars");
  };
  if (whole.size() > 16) return range_error();  // no leading zeros, so this is >= 10^16
  Cents dollars = 0;
  for (char c : whole) dollars = dollars * 10 + (c - '0');
  Cents cents = 0;
  if (!fraction.empty())
    cents = (fraction[0] - '0') * 10 + (fraction.size() == 2 ? fraction[1] - '0' : 0);
  const Cents total = dollars * 100 + cents;
  if (total > kMaxCents) return range_error();
  return total;
}

std::string_view hosting_name(Hosting h) {
  return h == Hosting::one_thread ? "one_thread" : "thread_per_actor";
}

std::optional<Hosting> parse_hosting(std::string_view name) {
  if (name == hosting_name(Hosting::one_thread)) return Hosting::one_thread;
  if (name == hosting_name(Hosting::thread_per_actor)) return Hosting::thread_per_actor;
  return std::nullopt;
}

std::string_view log_detail_name(LogDetail d) {
  switch (d) {
    case LogDetail::all: return "all";
    case LogDetail::protocol: return "protocol";
    case LogDetail::none: return "none";
  }
  return "protocol";
}

std::optional<LogDetail> parse_log_detail(std::string_view name) {
  for (LogDetail d : {LogDetail::all, LogDetail::protocol, LogDetail::none})
    if (name == log_detail_name(d)) return d;
  return std::nullopt;
}

std::string format_dollars(Cents cents) {
  const bool negative = cents < 0;
  // Through unsigned so that the most negative value has a magnitude too.
  const std::uint64_t magnitude = negative ? std::uint64_t{0} - static_cast<std::uint64_t>(cents)
                                           : static_cast<std::uint64_t>(cents);
  const std::uint64_t rest = magnitude % 100;
  return (negative ? "-" : "") + std::to_string(magnitude / 100) + (rest < 10 ? ".0" : ".") +
         std::to_string(rest);
}

}  // namespace bank

// ClusterConfig, parse_dollars, format_dollars: malformed configs by error id, good ones by value.
#include "config/cluster_config.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using bank::ClusterConfig;

namespace {

const std::string kBase =
    "initial_balance: 10.00\n"
    "data_dir: run/data\n"
    "fsync: true\n"
    "acquire_timeout_ms: 5000\n"
    "nodes:\n"
    "  - id: 1\n"
    "    host: 127.0.0.1\n"
    "    port: 8001\n"
    "    console: 9001\n"
    "  - id: 2\n"
    "    host: 127.0.0.1\n"
    "    port: 8002\n"
    "    console: 9002\n";

const std::string kJson =
    R"({"initial_balance": 10.00, "data_dir": "run/data", "fsync": true,)"
    R"( "acquire_timeout_ms": 5000,)"
    R"( "nodes": [{"id": 1, "host": "127.0.0.1", "port": 8001, "console": 9001},)"
    R"( {"id": 2, "host": "127.0.0.1", "port": 8002, "console": 9002}]})";

// `text` with the first `from` replaced by `to`; unchanged when `from` is absent (the table test
// then fails, since every row must differ from the good text it was made from).
std::string edit(const std::string& text, const std::string& from, const std::string& to) {
  std::string out = text;
  if (auto at = out.find(from); at != std::string::npos) out.replace(at, from.size(), to);
  return out;
}

std::string nested(const std::string& open, const std::string& close, int depth) {
  std::string out;
  for (int i = 0; i < depth; ++i) out += open;
  out += "1";
  for (int i = 0; i < depth; ++i) out += close;
  return out;
}

struct Bad {
  const char* name;
  std::string text;
  const char* id;
  const char* mentions;  // a fragment the message must contain, or "" for none
};

std::vector<Bad> bad_configs() {
  return {
      // Not a config at all.
      {"empty file", "", "config.not_a_map", "empty"},
      {"only comments", "# nothing here\n", "config.not_a_map", "empty"},
      {"null document", "~\n", "config.not_a_map", "empty"},
      {"top level is a list", "- initial_balance: 10\n", "config.not_a_map", "a list"},
      {"top level is a scalar", "hello\n", "config.not_a_map", "hello"},
      {"bad indentation", edit(kBase, "fsync: true", "fsync: true\n  extra: 1"), "config.syntax",
       "line"},
      {"tab indentation",
       edit(kBase, "    host: 127.0.0.1\n    port: 8001", "    host: 127.0.0.1\n\tport: 8001"),
       "config.syntax", ""},
      {"unclosed flow map", "{initial_balance: 10, nodes: [", "config.syntax", ""},
      {"trailing garbage after flow map", kJson + " }", "config.syntax", ""},
      {"second document", kBase + "---\ninitial_balance: 5\n", "config.syntax", "documents"},
      {"garbage after document end", kBase + "...\ngarbage\n", "config.syntax", "documents"},
      {"deep nesting", "initial_balance: " + nested("[", "]", 3000) + "\n", "config.syntax",
       "too deeply"},
      {"deep block nesting",
       "nodes:\n" +
           [] {
             std::string s;
             for (int i = 1; i < 3000; ++i)
               s += std::string(static_cast<std::size_t>(i), ' ') + "-\n";
             return s;
           }(),
       "config.syntax", "too deeply"},
      {"undefined alias", edit(kBase, "port: 8001", "port: *nowhere"), "config.syntax", ""},
      {"invalid UTF-8 byte", edit(kBase, "127.0.0.1", "127.0.0.\xff"), "config.encoding", "line 7"},
      {"overlong UTF-8", edit(kBase, "run/data", "run\300\257data"), "config.encoding", "line 2"},
      {"truncated UTF-8 at end", kBase + "# caf\xc3", "config.encoding", ""},
      {"UTF-16 surrogate in UTF-8", edit(kBase, "run/data", "run\xed\xa0\x80"), "config.encoding",
       ""},
      {"NUL byte", edit(kBase, "run/data", std::string("run\0data", 8)), "config.encoding", ""},
      {"control byte", edit(kBase, "run/data", "run\007data"), "config.encoding", ""},

      // Keys.
      {"unknown top-level key", edit(kBase, "fsync:", "fsnyc:"), "config.unknown_key", "'fsnyc'"},
      {"unknown node key", edit(kBase, "port: 8002", "prot: 8002"), "config.unknown_key",
       "'nodes[1].prot'"},
      {"merge key", edit(kBase, "fsync: true", "<<: {fsync: true}"), "config.unknown_key", "'<<'"},
      {"list as key", edit(kBase, "fsync: true", "? [fsync]\n: true"), "config.unknown_key",
       "not a plain name"},
      {"duplicate top-level key", edit(kBase, "fsync: true", "fsync: true\nfsync: false"),
       "config.duplicate_key", "'fsync'"},
      {"duplicate node key", edit(kBase, "port: 8001", "port: 8001\n    port: 8005"),
       "config.duplicate_key", "'nodes[0].port'"},
      {"missing initial_balance", edit(kBase, "initial_balance: 10.00\n", ""), "config.missing_key",
       "'initial_balance'"},
      {"missing nodes", kBase.substr(0, kBase.find("nodes:")), "config.missing_key", "'nodes'"},
      {"missing host", edit(kBase, "    host: 127.0.0.1\n    port: 8002", "    port: 8002"),
       "config.missing_key", "'nodes[1].host'"},
      {"missing console", edit(kBase, "    console: 9001\n", ""), "config.missing_key",
       "'nodes[0].console'"},
      {"missing id", edit(kBase, "  - id: 2\n    host", "  - host"), "config.missing_key",
       "'nodes[1].id'"},

      // Wrong kinds of value.
      {"quoted port", edit(kBase, "port: 8001", "port: \"8001\""), "config.type",
       "'nodes[0].port'"},
      {"map for a port", edit(kBase, "port: 8001", "port: {number: 8001}"), "config.type", "a map"},
      {"list for a port", edit(kBase, "port: 8001", "port: [8001]"), "config.type", "a list"},
      {"fractional port", edit(kBase, "port: 8001", "port: 8001.0"), "config.type", ""},
      {"hex port", edit(kBase, "port: 8001", "port: 0x1F41"), "config.type", ""},
      {"leading-zero port", edit(kBase, "port: 8001", "port: 08001"), "config.type", ""},
      {"plus-signed port", edit(kBase, "port: 8001", "port: +8001"), "config.type", ""},
      {"tagged port", edit(kBase, "port: 8001", "port: !!int 8001"), "config.type", "tagged"},
      {"null port", edit(kBase, "port: 8001", "port:"), "config.type", "null"},
      {"quoted id", edit(kBase, "id: 1", "id: \"1\""), "config.type", "'nodes[0].id'"},
      {"fsync yes", edit(kBase, "fsync: true", "fsync: yes"), "config.type", "'fsync'"},
      {"fsync True", edit(kBase, "fsync: true", "fsync: True"), "config.type", ""},
      {"fsync quoted", edit(kBase, "fsync: true", "fsync: \"true\""), "config.type", ""},
      {"fsync 1", edit(kBase, "fsync: true", "fsync: 1"), "config.type", ""},
      {"timeout with unit", edit(kBase, "5000", "5s"), "config.type", "'acquire_timeout_ms'"},
      {"quoted money", edit(kBase, "10.00", "\"10.00\""), "config.type", "'initial_balance'"},
      {"money as a map", edit(kBase, "10.00", "{dollars: 10}"), "config.type", ""},
      {"host as a map", edit(kBase, "host: 127.0.0.1", "host: {ip: 127.0.0.1}"), "config.type",
       "'nodes[0].host'"},
      {"host null", edit(kBase, "host: 127.0.0.1", "host: ~"), "config.type", ""},
      {"data_dir as a list", edit(kBase, "data_dir: run/data", "data_dir: [run, data]"),
       "config.type", "'data_dir'"},
      {"data_dir null", edit(kBase, "data_dir: run/data", "data_dir: null"), "config.type", ""},
      {"nodes as a map", edit(kBase, "nodes:\n", "nodes:\n  first:\n"), "config.type", "'nodes'"},
      {"nodes as a scalar", kBase.substr(0, kBase.find("nodes:")) + "nodes: three\n", "config.type",
       "'nodes'"},
      {"node as a scalar", edit(kBase, "nodes:\n", "nodes:\n  - 7\n"), "config.type", "'nodes[0]'"},
      {"nested lists as nodes",
       kBase.substr(0, kBase.find("nodes:")) + "nodes: " + nested("[", "]", 40) + "\n",
       "config.type", "'nodes[0]'"},

      // Values of the right kind but out of range.
      {"port 0", edit(kBase, "port: 8001", "port: 0"), "config.port", "'nodes[0].port'"},
      {"port 65536", edit(kBase, "port: 8001", "port: 65536"), "config.port", ""},
      {"negative console", edit(kBase, "console: 9002", "console: -9002"), "config.port",
       "'nodes[1].console'"},
      {"huge port", edit(kBase, "port: 8001", "port: 99999999999999999999999999"), "config.port",
       ""},
      {"id 0", edit(kBase, "id: 1", "id: 0"), "config.id", "'nodes[0].id'"},
      {"id 2^31", edit(kBase, "id: 2", "id: 2147483648"), "config.id", ""},
      {"negative id", edit(kBase, "id: 2", "id: -2"), "config.id", ""},
      {"timeout 0", edit(kBase, "5000", "0"), "config.timeout", "'acquire_timeout_ms'"},
      {"timeout above an hour", edit(kBase, "5000", "3600001"), "config.timeout", ""},
      {"batch 0", edit(kBase, "fsync: true", "batch: 0"), "config.batch", "'batch'"},
      {"batch above 10000", edit(kBase, "fsync: true", "batch: 10001"), "config.batch", ""},
      {"batch as text", edit(kBase, "fsync: true", "batch: many"), "config.type", "'batch'"},
      {"money with three decimals", edit(kBase, "10.00", "10.005"), "config.money",
       "'initial_balance'"},
      {"negative money", edit(kBase, "10.00", "-1"), "config.money", ""},
      {"exponent money", edit(kBase, "10.00", "1e3"), "config.money", ""},
      {"non-numeric money", edit(kBase, "10.00", "ten"), "config.money", ""},
      {"money without whole part", edit(kBase, "console: 9001", "console: 9001\n    balance: .5"),
       "config.money", "'nodes[0].balance'"},
      {"money just above 10^15 dollars", edit(kBase, "10.00", "1000000000000000.01"),
       "config.money", ""},
      {"money far above int64", edit(kBase, "10.00", "99999999999999999999999999"), "config.money",
       ""},
      {"money .inf", edit(kBase, "10.00", ".inf"), "config.money", ""},
      {"empty host", edit(kBase, "host: 127.0.0.1", "host: \"\""), "config.host",
       "'nodes[0].host'"},
      {"host with a space", edit(kBase, "host: 127.0.0.1", "host: my host"), "config.host", ""},
      {"host with a slash", edit(kBase, "host: 127.0.0.1", "host: tcp://x"), "config.host", ""},
      {"empty data_dir", edit(kBase, "data_dir: run/data", "data_dir: ''"), "config.data_dir", ""},
      {"no nodes", kBase.substr(0, kBase.find("nodes:")) + "nodes: []\n", "config.no_nodes", ""},
      {"null nodes", kBase.substr(0, kBase.find("nodes:")) + "nodes:\n", "config.no_nodes", ""},

      // Rules across nodes.
      {"duplicate id", edit(kBase, "id: 2", "id: 1"), "config.duplicate_id", "'nodes[1].id'"},
      {"duplicate port", edit(kBase, "port: 8002", "port: 8001"), "config.duplicate_port",
       "'nodes[1].port'"},
      {"port equals own console", edit(kBase, "console: 9001", "console: 8001"),
       "config.duplicate_port", "'nodes[0].console'"},
      {"console equals another's port", edit(kBase, "console: 9002", "console: 8001"),
       "config.duplicate_port", "'nodes[0].port'"},
      {"same host in other case",
       edit(edit(kBase, "127.0.0.1", "localhost"), "127.0.0.1\n    port: 8002",
            "LOCALHOST\n    port: 8001"),
       "config.duplicate_port", ""},

      // JSON.
      {"JSON unknown key", edit(kJson, "\"fsync\"", "\"fsink\""), "config.unknown_key", "'fsink'"},
      {"JSON string port", edit(kJson, "\"port\": 8001", "\"port\": \"8001\""), "config.type", ""},
      {"JSON string bool", edit(kJson, "\"fsync\": true", "\"fsync\": \"true\""), "config.type",
       ""},
      {"JSON exponent money", edit(kJson, "10.00", "1e1"), "config.money", ""},
      {"JSON negative money", edit(kJson, "10.00", "-10.00"), "config.money", ""},
      {"JSON missing brace", kJson.substr(0, kJson.size() - 1), "config.syntax", ""},
      {"JSON duplicate key", edit(kJson, "\"fsync\": true", "\"fsync\": true, \"fsync\": false"),
       "config.duplicate_key", ""},
      {"JSON null", "null", "config.not_a_map", ""},
      {"JSON array", "[" + kJson + "]", "config.not_a_map", ""},
      {"JSON deep nesting", R"({"initial_balance": )" + nested("{\"a\": ", "}", 3000) + "}",
       "config.syntax", "too deeply"},
      {"JSON missing nodes", edit(kJson, "\"nodes\"", "\"node\""), "config.unknown_key", "'node'"},
  };
}

struct TempFile {
  fs::path path;
  explicit TempFile(const std::string& text) {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("cluster_config_test_" + std::to_string(::getpid()) + "_" + std::to_string(++counter));
    fs::create_directories(path);
    path /= "cluster.json";
    std::ofstream(path, std::ios::binary) << text;
  }
  ~TempFile() {
    std::error_code ec;
    fs::remove_all(path.parent_path(), ec);
  }
};

const fs::path kShipped = fs::path(FIXTURES_DIR "/../../config/cluster.yaml");

}  // namespace

TEST_CASE("cluster config: every malformed config is refused with its error id") {
  const auto rows = bad_configs();
  CHECK(rows.size() >= 35);
  for (const Bad& row : rows) {
    CAPTURE(row.name);
    CHECK(row.text != kBase);
    CHECK(row.text != kJson);
    const auto result = ClusterConfig::parse(row.text, "/srv/bank");
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().id == row.id);
    CHECK(result.error().message.find(row.mentions) != std::string::npos);
    CHECK_FALSE(result.error().message.empty());
  }
}

TEST_CASE("cluster config: the texts the malformed ones are made from are good") {
  CHECK(ClusterConfig::parse(kBase, "/srv/bank").ok());
  CHECK(ClusterConfig::parse(kJson, "/srv/bank").ok());
  CHECK(ClusterConfig::parse(edit(kBase, "127.0.0.1", "localhost"), "/srv/bank").ok());
}

TEST_CASE("cluster config: unknown keys are named by their path") {
  const auto result = ClusterConfig::parse(edit(kBase, "port: 8002", "prot: 8002"), "/srv/bank");
  REQUIRE_FALSE(result.ok());
  CHECK(result.error() ==
        bank::make_error("config.unknown_key", "unknown key 'nodes[1].prot' in the config"));
}

TEST_CASE("cluster config: the shipped config/cluster.yaml loads") {
  const auto loaded = ClusterConfig::load(kShipped);
  REQUIRE_MESSAGE(loaded.ok(), loaded.error().message);
  const ClusterConfig& config = *loaded;
  CHECK(config.initial_balance == 1000);
  // The checkout's run/ folder, which git ignores, beside config/.
  CHECK(config.data_dir == (kShipped.parent_path() / "../run/data").lexically_normal());
  CHECK(config.data_dir.is_absolute());
  CHECK(config.fsync);
  CHECK(config.acquire_timeout_ms == 5000);
  REQUIRE(config.nodes.size() == 3);
  for (bank::NodeId id = 1; id <= 3; ++id) {
    const bank::NodeConfig* node = config.find(id);
    REQUIRE(node != nullptr);
    CHECK(node->id == id);
    CHECK(node->host == "127.0.0.1");
    CHECK(node->port == 8000 + id);
    CHECK(node->console == 9000 + id);
    CHECK(node->balance == 1000);
  }
  CHECK(config.opening_balances() ==
        std::map<bank::NodeId, bank::Cents>{{1, 1000}, {2, 1000}, {3, 1000}});
  CHECK(config.node_dir(2) == config.data_dir / "node-2");
}

TEST_CASE(
    "cluster config: a JSON config equal to the shipped one loads to the same ClusterConfig") {
  const auto yaml = ClusterConfig::load(kShipped);
  REQUIRE(yaml.ok());
  const std::string json =
      "{\n"
      "  \"initial_balance\": 10.00,\n"
      "  \"data_dir\": \"../run/data\",\n"
      "  \"keys_dir\": \"../run/keys\",\n"
      "  \"fsync\": true,\n"
      "  \"acquire_timeout_ms\": 5000,\n"
      "  \"nodes\": [\n"
      "    {\"id\": 1, \"host\": \"127.0.0.1\", \"port\": 8001, \"console\": 9001},\n"
      "    {\"id\": 2, \"host\": \"127.0.0.1\", \"port\": 8002, \"console\": 9002},\n"
      "    {\"id\": 3, \"host\": \"127.0.0.1\", \"port\": 8003, \"console\": 9003}\n"
      "  ]\n"
      "}\n";
  const auto from_text = ClusterConfig::parse(json, kShipped.parent_path());
  REQUIRE_MESSAGE(from_text.ok(), from_text.error().message);
  CHECK(*from_text == *yaml);

  const TempFile file(json);
  const auto from_file = ClusterConfig::load(file.path);
  REQUIRE(from_file.ok());
  CHECK(from_file->data_dir == (file.path.parent_path() / "../run/data").lexically_normal());
  ClusterConfig moved = *from_file;
  moved.data_dir = yaml->data_dir;
  moved.keys_dir = yaml->keys_dir;
  CHECK(moved == *yaml);
}

TEST_CASE("cluster config: a node's balance overrides initial_balance") {
  const auto result = ClusterConfig::parse(
      edit(kBase, "console: 9002", "console: 9002\n    balance: 25.5"), "/srv/bank");
  REQUIRE(result.ok());
  CHECK(result->initial_balance == 1000);
  CHECK(result->find(1)->balance == 1000);
  CHECK(result->find(2)->balance == 2550);
  CHECK(result->opening_balances() == std::map<bank::NodeId, bank::Cents>{{1, 1000}, {2, 2550}});

  const auto zero = ClusterConfig::parse(
      edit(kBase, "console: 9001", "console: 9001\n    balance: 0"), "/srv/bank");
  REQUIRE(zero.ok());
  CHECK(zero->opening_balances() == std::map<bank::NodeId, bank::Cents>{{1, 0}, {2, 1000}});
}

TEST_CASE("cluster config: data_dir is resolved against the base folder unless absolute") {
  struct Row {
    std::string data_dir_line;
    fs::path expected;
  };
  const std::vector<Row> rows = {
      {"data_dir: run/data", "/srv/bank/run/data"},
      {"data_dir: /var/lib/bank", "/var/lib/bank"},
      {"data_dir: ../x/./y/", "/srv/x/y"},
      {"data_dir: /var//lib/../bank/", "/var/bank"},
      {"data_dir: \"with space\"", "/srv/bank/with space"},
      {"data_dir: .", "/srv/bank"},
      {"", "/srv/bank/data"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.data_dir_line);
    const auto result =
        ClusterConfig::parse(edit(kBase, "data_dir: run/data", row.data_dir_line), "/srv/bank");
    REQUIRE(result.ok());
    CHECK(result->data_dir == row.expected);
    CHECK(result->node_dir(7) == row.expected / "node-7");
  }
  const auto relative_base = ClusterConfig::parse(kBase, "some/where");
  REQUIRE(relative_base.ok());
  CHECK(relative_base->data_dir.is_absolute());
  CHECK(relative_base->data_dir == (fs::current_path() / "some/where/run/data").lexically_normal());
}

TEST_CASE("cluster config: defaults, sorting, find and other good forms") {
  const std::string minimal =
      "initial_balance: 0\n"
      "nodes:\n"
      "  - {id: 30, host: a.example, port: 1, console: 65535}\n"
      "  - {id: 2147483647, host: \"b.example\", port: 1, console: 2}\n"
      "  - {id: 4, host: A.example, port: 3, console: 4}\n";
  const auto result = ClusterConfig::parse(minimal, "/srv/bank");
  REQUIRE_MESSAGE(result.ok(), result.error().message);
  CHECK(result->fsync);
  CHECK(result->acquire_timeout_ms == 5000);
  CHECK(result->batch == ClusterConfig::kDefaultBatch);
  CHECK(result->data_dir == "/srv/bank/data");
  REQUIRE(result->nodes.size() == 3);
  CHECK(result->nodes[0].id == 4);
  CHECK(result->nodes[1].id == 30);
  CHECK(result->nodes[2].id == 2147483647);
  CHECK(result->find(5) == nullptr);
  CHECK(result->find(0) == nullptr);
  REQUIRE(result->find(30) != nullptr);
  CHECK(result->find(30)->console == 65535);

  const auto tuned = ClusterConfig::parse(
      edit(edit(kBase, "fsync: true", "fsync: false"), "5000", "3600000"), "/srv/bank");
  REQUIRE(tuned.ok());
  CHECK_FALSE(tuned->fsync);
  CHECK(tuned->acquire_timeout_ms == 3600000);

  const auto batched = ClusterConfig::parse(edit(kBase, "fsync: true", "batch: 1"), "/srv/bank");
  REQUIRE(batched.ok());
  CHECK(batched->batch == 1);
  const auto widest = ClusterConfig::parse(edit(kBase, "fsync: true", "batch: 10000"), "/srv/bank");
  REQUIRE(widest.ok());
  CHECK(widest->batch == 10000);

  const auto biggest =
      ClusterConfig::parse(edit(kBase, "10.00", "1000000000000000.00"), "/srv/bank");
  REQUIRE(biggest.ok());
  CHECK(biggest->initial_balance == 100'000'000'000'000'000);

  const auto documented = ClusterConfig::parse("---\n" + kBase + "...\n", "/srv/bank");
  CHECK(documented.ok());
}

TEST_CASE("cluster config: load refuses what it cannot read") {
  const auto missing = ClusterConfig::load("/nonexistent/cluster.yaml");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().id == "config.unreadable");
  CHECK(missing.error().message.find("/nonexistent/cluster.yaml") != std::string::npos);

  const auto directory = ClusterConfig::load(kShipped.parent_path());
  REQUIRE_FALSE(directory.ok());
  CHECK(directory.error().id == "config.unreadable");

  const TempFile huge(std::string((1 << 20) + 1, '#'));
  const auto too_big = ClusterConfig::load(huge.path);
  REQUIRE_FALSE(too_big.ok());
  CHECK(too_big.error().id == "config.unreadable");

  const TempFile bad(kBase + "  - id: [\n");
  const auto syntax = ClusterConfig::load(bad.path);
  REQUIRE_FALSE(syntax.ok());
  CHECK(syntax.error().id == "config.syntax");
}

TEST_CASE("cluster config: parse_dollars reads exact cents and refuses the rest") {
  struct Good {
    const char* text;
    bank::Cents cents;
  };
  const std::vector<Good> good = {
      {"0", 0},
      {"0.0", 0},
      {"0.05", 5},
      {"10", 1000},
      {"10.1", 1010},
      {"10.10", 1010},
      {"10.05", 1005},
      {"0.99", 99},
      {"123456.78", 12345678},
      {"1000000000000000", 100'000'000'000'000'000},
      {"999999999999999.99", 99'999'999'999'999'999},
  };
  for (const Good& row : good) {
    CAPTURE(row.text);
    const auto result = bank::parse_dollars(row.text);
    REQUIRE(result.ok());
    CHECK(*result == row.cents);
  }
  struct Bad {
    const char* text;
    const char* id;
  };
  const std::vector<Bad> bad = {
      {"", "money.format"},
      {".5", "money.format"},
      {"5.", "money.format"},
      {"10.005", "money.format"},
      {"-1", "money.format"},
      {"+1", "money.format"},
      {"1e3", "money.format"},
      {"abc", "money.format"},
      {"0x10", "money.format"},
      {"010", "money.format"},
      {"00", "money.format"},
      {" 1", "money.format"},
      {"1 ", "money.format"},
      {"1,000", "money.format"},
      {"1.2.3", "money.format"},
      {"1.-5", "money.format"},
      {"١", "money.format"},
      {"1000000000000000.01", "money.range"},
      {"1000000000000001", "money.range"},
      {"9223372036854775808", "money.range"},
      {"99999999999999999999999999999999", "money.range"},
  };
  for (const Bad& row : bad) {
    CAPTURE(row.text);
    const auto result = bank::parse_dollars(row.text);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().id == row.id);
  }
  CHECK(bank::parse_dollars(std::string_view("1\0", 2)).error().id == "money.format");
}

TEST_CASE("cluster config: format_dollars writes two decimals") {
  struct Row {
    bank::Cents cents;
    const char* text;
  };
  const std::vector<Row> rows = {
      {0, "0.00"},
      {5, "0.05"},
      {-5, "-0.05"},
      {99, "0.99"},
      {100, "1.00"},
      {1010, "10.10"},
      {-1010, "-10.10"},
      {123456789, "1234567.89"},
      {INT64_MAX, "92233720368547758.07"},
      {INT64_MIN, "-92233720368547758.08"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.cents);
    CHECK(bank::format_dollars(row.cents) == row.text);
  }
  for (bank::Cents cents :
       {bank::Cents{0}, bank::Cents{7}, bank::Cents{1010}, bank::Cents{100'000'000'000'000'000}}) {
    CAPTURE(cents);
    CHECK(*bank::parse_dollars(bank::format_dollars(cents)) == cents);
  }
}

TEST_CASE("cluster config: hosting is one_thread (the default) or thread_per_actor, and changes nothing else") {
  const auto plain = ClusterConfig::parse(kBase, "/srv/bank");
  REQUIRE(plain.ok());
  CHECK(plain->hosting == bank::Hosting::one_thread);
  struct Good {
    std::string text;
    bank::Hosting hosting;
  };
  const std::vector<Good> good = {
      {edit(kBase, "fsync: true", "fsync: true\nhosting: one_thread"), bank::Hosting::one_thread},
      {edit(kBase, "fsync: true", "fsync: true\nhosting: thread_per_actor"), bank::Hosting::thread_per_actor},
      {edit(kBase, "fsync: true", "fsync: true\nhosting: \"thread_per_actor\""), bank::Hosting::thread_per_actor},
      {edit(kJson, "\"fsync\": true,", "\"fsync\": true, \"hosting\": \"thread_per_actor\","),
       bank::Hosting::thread_per_actor},
  };
  for (const Good& row : good) {
    CAPTURE(row.text);
    const auto result = ClusterConfig::parse(row.text, "/srv/bank");
    REQUIRE_MESSAGE(result.ok(), result.error().message);
    CHECK(result->hosting == row.hosting);
    ClusterConfig rest = *result;
    rest.hosting = plain->hosting;
    CHECK(rest == *plain);
  }
}

TEST_CASE("cluster config: any other hosting is refused with config.hosting, naming the key and the choices") {
  for (const std::string value : {"threads", "One_Thread", "thread-per-actor", "\"one_thread \"", "\"\"", "1", "true"}) {
    CAPTURE(value);
    const auto result = ClusterConfig::parse(edit(kBase, "fsync: true", "fsync: true\nhosting: " + value), "/srv/bank");
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().id == "config.hosting");
    CHECK(result.error().message.find("'hosting'") != std::string::npos);
    CHECK(result.error().message.find("one_thread or thread_per_actor") != std::string::npos);
  }
  const auto listed = ClusterConfig::parse(edit(kBase, "fsync: true", "fsync: true\nhosting: [one_thread]"), "/srv/bank");
  REQUIRE_FALSE(listed.ok());
  CHECK(listed.error().id == "config.type");
  CHECK(listed.error().message.find("hosting") != std::string::npos);
}

// Found by fuzzing (tests/fuzz/cluster_config_json.cpp): valid JSON that yaml-cpp refuses as
// YAML was refused as config.syntax, though the config format accepts JSON.
TEST_CASE("cluster config: JSON that yaml-cpp cannot read as YAML loads as JSON") {
  // A character beyond U+FFFF escaped as a UTF-16 surrogate pair, as Python's json.dumps writes it.
  const std::string emoji = edit(kJson, R"("run/data")", R"("run/\ud83d\ude00")");
  REQUIRE(emoji != kJson);
  const auto loaded = ClusterConfig::parse(emoji, "/srv/bank");
  REQUIRE_MESSAGE(loaded.ok(), loaded.error().message);
  CHECK(loaded->data_dir == fs::path("/srv/bank/run/\xF0\x9F\x98\x80"));

  // A key longer than YAML's 1024 characters is an unknown key, not bad syntax.
  const std::string long_key = edit(kJson, R"("fsync": true)", "\"" + std::string(1100, 'k') + "\": true");
  const auto refused = ClusterConfig::parse(long_key, "/srv/bank");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().id == "config.unknown_key");
}

// What the JSON path reads, yaml-cpp reads the same when it can: "---" before a JSON text
// keeps it on the YAML path, and both must give the same config or the same error.
TEST_CASE("cluster config: JSON reads as yaml-cpp reads the same text as YAML") {
  const std::vector<std::string> texts = {
      kJson,
      edit(kJson, "10.00", "-0"),
      edit(kJson, "10.00", "1e3"),
      edit(kJson, "10.00", "\"10.00\""),
      edit(kJson, "true", "null"),
      edit(kJson, "true", "\"true\""),
      edit(kJson, "5000", "5000.0"),
      edit(kJson, "5000", "[5000]"),
      edit(kJson, R"("fsync": true,)", R"("fsync": true, "fsync": false,)"),
      edit(kJson, R"("id": 2)", R"("id": 2, "balance": 0.5)"),
      edit(kJson, R"("id": 2)", R"("id": 1)"),
      edit(kJson, R"("run/data")", R"("")"),
      edit(kJson, R"("run/data")", R"("run\/da\u0074a")"),
      edit(kJson, R"("127.0.0.1")", R"("")"),
      edit(kJson, R"({"id": 1,)", R"({"": 1, "id": 1,)"),
      R"({"initial_balance": 1, "nodes": []})",
      R"({"initial_balance": 1, "nodes": {}})",
      R"({"initial_balance": 1})",
      "{}",
  };
  for (const std::string& text : texts) {
    CAPTURE(text);
    const auto json = ClusterConfig::parse(text, "/srv/bank");
    const auto yaml = ClusterConfig::parse("---\n" + text, "/srv/bank");
    REQUIRE(json.ok() == yaml.ok());
    if (json.ok()) CHECK(*json == *yaml);
    else CHECK(json.error() == yaml.error());
  }
}

// Found by fuzzing (tests/fuzz/cluster_config_json.cpp): yaml-cpp's LoadAll never returned on
// a stray ',' outside any flow collection, adding empty documents until memory ran out, so
// bank-node hung on such a config instead of refusing it.
TEST_CASE("cluster config: a stray comma outside brackets is refused, not loaded forever") {
  for (const std::string& text : {std::string(","), std::string("[1],"), std::string("{a: 1}, {b: 2}"),
                                 kJson + ",", edit(kJson, "}]}", "}]},")}) {
    CAPTURE(text);
    const auto result = ClusterConfig::parse(text, "/srv/bank");
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().id == "config.syntax");
  }
}

// Found by fuzzing (tests/fuzz/cluster_config_json.cpp, comparing the JSON and YAML readings
// of one text): yaml-cpp kept a lone CR, which YAML takes for a line break, inside the
// scalar before it, so "10.0\r" was refused as money.
TEST_CASE("cluster config: a lone CR is a line break, like CRLF and LF") {
  const auto lf = ClusterConfig::parse(kBase, "/srv/bank");
  REQUIRE(lf.ok());
  std::string cr = kBase, crlf;
  for (char& c : cr) if (c == '\n') c = '\r';
  for (char c : kBase) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  for (const std::string& text : {cr, crlf, "---\n" + edit(kJson, "10.00,", "10.00\r,")}) {
    CAPTURE(text);
    const auto loaded = ClusterConfig::parse(text, "/srv/bank");
    REQUIRE_MESSAGE(loaded.ok(), loaded.error().message);
    CHECK(*loaded == *lf);
  }
}

TEST_CASE("cluster config: log is protocol (the default), all or none, and anything else is refused with config.log") {
  const auto plain = ClusterConfig::parse(kBase, "/srv/bank");
  REQUIRE(plain.ok());
  CHECK(plain->log == bank::LogDetail::protocol);
  for (auto [text, detail] : {std::pair{"all", bank::LogDetail::all}, std::pair{"protocol", bank::LogDetail::protocol},
                              std::pair{"none", bank::LogDetail::none}}) {
    CAPTURE(text);
    const auto result = ClusterConfig::parse(edit(kBase, "fsync: true", std::string("fsync: true\nlog: ") + text), "/srv/bank");
    REQUIRE_MESSAGE(result.ok(), result.error().message);
    CHECK(result->log == detail);
    ClusterConfig rest = *result;
    rest.log = plain->log;
    CHECK(rest == *plain);
  }
  for (const std::string value : {"debug", "All", "\"\"", "1", "false"}) {
    CAPTURE(value);
    const auto result = ClusterConfig::parse(edit(kBase, "fsync: true", "fsync: true\nlog: " + value), "/srv/bank");
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().id == "config.log");
    CHECK(result.error().message.find("all, protocol (the default) or none") != std::string::npos);
  }
}

// LiveState: up and down nodes, the holder of the critical section and the next in line,
// the balances and blocks of the longest chain among the up nodes, newest block first.
#include "apps/live/live_state.hpp"

#include <doctest/doctest.h>

using namespace bank;
using namespace bank::live;
using nlohmann::json;

namespace {

NodeView up_node(NodeId id, std::uint64_t height, json queue, bool in_cs = false) {
  NodeView v;
  v.id = id;
  v.endpoint = "127.0.0.1:900" + std::to_string(id);
  v.up = v.answered = true;
  v.in_cs = in_cs;
  v.status = {{"ok", true}, {"id", id}, {"lamport", 10 + id}, {"height", height}, {"head", "ab" + std::to_string(height)},
              {"queue", queue}, {"peers", json::array()}};
  v.balances = {{"1", 1000 - 100 * static_cast<int>(height)}, {"2", 1000 + 100 * static_cast<int>(height)}};
  v.blocks = json::array();
  v.blocks.push_back({{"index", 0}, {"hash", "g"}, {"genesis", {{"balances", json::object()}}}});
  for (std::uint64_t i = 1; i <= height; ++i)
    v.blocks.push_back({{"index", i}, {"hash", "h" + std::to_string(i)},
                        {"tx", {{"txid", "1-" + std::to_string(i)}, {"from", 1}, {"to", 2}, {"amount", 100}}}});
  return v;
}

}  // namespace

TEST_CASE("live state: nodes, holder, next in line, and the longest chain's balances and blocks") {
  std::map<NodeId, NodeView> nodes;
  nodes[1] = up_node(1, 2, json::array({{{"ts", 7}, {"node", 2}}}));
  nodes[2] = up_node(2, 3, json::array({{{"ts", 5}, {"node", 3}}, {{"ts", 7}, {"node", 2}}}), true);
  nodes[3].id = 3;
  nodes[3].endpoint = "127.0.0.1:9003";
  nodes[3].why_down = "no reply within 1000 ms";
  auto s = LiveState::make(nodes, RateHistory{}, 0);
  CHECK(s["up"] == 2);
  CHECK(s["total"] == 3);
  CHECK(s["holder"] == 2);
  CHECK(s["next"] == 3);
  CHECK(s["height"] == 3);
  CHECK(s["balances_from"] == 2);
  CHECK(s["balances"]["2"] == 1300);
  REQUIRE(s["blocks"].size() == 4);
  CHECK(s["blocks"][0]["index"] == 3);
  CHECK(s["blocks"][0]["txid"] == "1-3");
  CHECK(s["blocks"][3]["genesis"] == true);
  CHECK(s["nodes"][0]["height"] == 2);
  CHECK(s["nodes"][0]["in_cs"] == false);
  CHECK(s["nodes"][1]["in_cs"] == true);
  CHECK(s["nodes"][2]["up"] == false);
  CHECK(s["nodes"][2]["why_down"] == "no reply within 1000 ms");
  CHECK(!s["nodes"][2].contains("height"));
  CHECK(s["rates"]["tps"] == 0);
  CHECK(s["rates"]["p50_ms"].is_null());
}

TEST_CASE("live state: no node up: no height, no balances, no holder") {
  std::map<NodeId, NodeView> nodes;
  nodes[1].id = 1;
  auto s = LiveState::make(nodes, RateHistory{}, 0);
  CHECK(s["up"] == 0);
  CHECK(s["height"].is_null());
  CHECK(s["balances"].empty());
  CHECK(s["holder"].is_null());
  CHECK(s["next"].is_null());
}

// PrometheusText: the node's names as Prometheus names (lamport_bank_, _total, seconds),
// cumulative buckets ending in +Inf equal to _count, exact second bounds, node and peer
// labels, each family once with its HELP and TYPE first, a down node only in lamport_bank_up.
#include "apps/live/prometheus_text.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <vector>

using namespace bank;
using namespace bank::live;
using nlohmann::json;

namespace {

json node_metrics(std::uint64_t committed, std::uint64_t height) {
  return json::parse(R"({"counters":{"transfers_committed":)" + std::to_string(committed) +
                     R"(,"cs_entries":2},"gauges":{"height":)" + std::to_string(height) +
                     R"(,"queue_depth":1},"histograms":{"cs_wait_us":{"bounds":[10,2500,1000000],"counts":[1,0,2,1],"sum":2500123,"count":4},"transfers_per_entry":{"bounds":[0,1,2],"counts":[0,2,0,0],"sum":2,"count":2}},"peers":{"2":{"counters":{"resends":3},"gauges":{"up":1},"histograms":{"rtt_us":{"bounds":[50,100],"counts":[1,0,0],"sum":40,"count":1}}}}})");
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

bool has(const std::vector<std::string>& ls, const std::string& l) {
  return std::find(ls.begin(), ls.end(), l) != ls.end();
}

}  // namespace

TEST_CASE("prometheus text: seconds are exact decimals") {
  CHECK(PrometheusText::seconds(0) == "0");
  CHECK(PrometheusText::seconds(10) == "0.00001");
  CHECK(PrometheusText::seconds(2500) == "0.0025");
  CHECK(PrometheusText::seconds(2'500'000) == "2.5");
  CHECK(PrometheusText::seconds(10'000'000) == "10");
  CHECK(PrometheusText::seconds(2'500'123) == "2.500123");
}

TEST_CASE("prometheus text: counters, gauges and histograms of every node, named as Prometheus names them") {
  const auto text = PrometheusText::render({{1, node_metrics(3, 5)}, {2, node_metrics(7, 5)}, {3, std::nullopt}});
  const auto ls = lines(text);
  CHECK(has(ls, "# TYPE lamport_bank_up gauge"));
  CHECK(has(ls, R"(lamport_bank_up{node="1"} 1)"));
  CHECK(has(ls, R"(lamport_bank_up{node="3"} 0)"));
  CHECK(has(ls, "# TYPE lamport_bank_transfers_committed_total counter"));
  CHECK(has(ls, R"(lamport_bank_transfers_committed_total{node="1"} 3)"));
  CHECK(has(ls, R"(lamport_bank_transfers_committed_total{node="2"} 7)"));
  CHECK(has(ls, "# TYPE lamport_bank_height gauge"));
  CHECK(has(ls, R"(lamport_bank_height{node="2"} 5)"));
  // A histogram in µs becomes seconds: cumulative buckets, +Inf equal to _count, _sum in s.
  CHECK(has(ls, "# TYPE lamport_bank_cs_wait_seconds histogram"));
  CHECK(has(ls, R"(lamport_bank_cs_wait_seconds_bucket{node="1",le="0.00001"} 1)"));
  CHECK(has(ls, R"(lamport_bank_cs_wait_seconds_bucket{node="1",le="0.0025"} 1)"));
  CHECK(has(ls, R"(lamport_bank_cs_wait_seconds_bucket{node="1",le="1"} 3)"));
  CHECK(has(ls, R"(lamport_bank_cs_wait_seconds_bucket{node="1",le="+Inf"} 4)"));
  CHECK(has(ls, R"(lamport_bank_cs_wait_seconds_sum{node="1"} 2.500123)"));
  CHECK(has(ls, R"(lamport_bank_cs_wait_seconds_count{node="1"} 4)"));
  // A histogram of counts keeps its unit.
  CHECK(has(ls, R"(lamport_bank_transfers_per_entry_bucket{node="2",le="1"} 2)"));
  CHECK(has(ls, R"(lamport_bank_transfers_per_entry_sum{node="2"} 2)"));
  // A link's figures carry the peer.
  CHECK(has(ls, R"(lamport_bank_peer_resends_total{node="1",peer="2"} 3)"));
  CHECK(has(ls, R"(lamport_bank_peer_up{node="1",peer="2"} 1)"));
  CHECK(has(ls, R"(lamport_bank_peer_rtt_seconds_bucket{node="1",peer="2",le="0.00005"} 1)"));
  // The down node has no sample but its up.
  CHECK(text.find("node=\"3\"} 0") != std::string::npos);
  CHECK(text.find("{node=\"3\",") == std::string::npos);
  // Each family once, its HELP then TYPE before its samples, all its samples together.
  std::map<std::string, int> types;
  std::string current;
  std::set<std::string> closed;
  for (const auto& l : ls) {
    if (l.rfind("# HELP ", 0) == 0) continue;
    if (l.rfind("# TYPE ", 0) == 0) {
      auto name = l.substr(7, l.find(' ', 7) - 7);
      ++types[name];
      if (!current.empty()) closed.insert(current);
      current = name;
      continue;
    }
    auto name = l.substr(0, l.find('{'));
    CHECK_MESSAGE(name.rfind(current, 0) == 0, l);
  }
  for (const auto& [name, n] : types) CHECK_MESSAGE(n == 1, name);
}

TEST_CASE("prometheus text: names that are not Prometheus names and malformed histograms are left out") {
  auto m = json::parse(R"({"counters":{"bad-name":1,"ok":2},"gauges":{"neg":-1},"histograms":{"h_us":{"bounds":[1,2],"counts":[1],"sum":1,"count":1}}})");
  const auto text = PrometheusText::render({{1, m}});
  CHECK(text.find("bad-name") == std::string::npos);
  CHECK(text.find("lamport_bank_ok_total{node=\"1\"} 2") != std::string::npos);
  CHECK(text.find("neg") == std::string::npos);
  CHECK(text.find("lamport_bank_h_seconds") == std::string::npos);
}

// PrometheusText: every node's `metrics` reply (docs/console-protocol.md#metrics) in the
// Prometheus text exposition format, as bank-web serves it at /metrics. Prometheus names:
// lamport_bank_ first, counters end in _total, durations in seconds (a name in µs, `_us`,
// becomes `_seconds` and each bound and sum is divided by 1,000,000, exactly), histograms
// as cumulative `_bucket{le="..."}` ending in `le="+Inf"`, then `_sum` and `_count`. Every
// sample has a `node` label (and `peer` for a link's). Pure: the followers bring the replies.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "messages/types.hpp"

namespace bank::live {

class PrometheusText {
 public:
  // One entry per node of the config: its `metrics` object, or nullopt when it does not
  // answer (then only lamport_bank_up says so, 0). Families come in a fixed order, each once,
  // its HELP and TYPE before its samples; nodes in id order inside each.
  static std::string render(const std::map<NodeId, std::optional<nlohmann::json>>& nodes);

  // µs as seconds in plain decimal, exactly: 10 -> "0.00001", 2500000 -> "2.5".
  static std::string seconds(std::uint64_t micros);
};

}  // namespace bank::live

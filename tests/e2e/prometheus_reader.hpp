// PrometheusReader: a strict reader of the Prometheus text exposition format (version
// 0.0.4), to check bank-web's /metrics as a scraper would take it, and stricter: names and
// label names of the allowed characters, label values with only the three escapes, values
// that parse, one TYPE and at most one HELP per family and before its samples, each
// family's samples together, no series twice, counters not negative, histograms with
// `_bucket` (rising `le`, cumulative counts, a `+Inf` bucket equal to `_count`), `_sum` and
// `_count` for every label set.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace bank::e2e {

struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct PromFamily {
  std::string type;  // counter, gauge, histogram, summary, untyped
  std::string help;
  std::vector<PromSample> samples;
};

class PrometheusReader {
 public:
  // The families by name; throws std::runtime_error naming the line and the rule broken.
  static std::map<std::string, PromFamily> read(std::string_view text);
};

}  // namespace bank::e2e

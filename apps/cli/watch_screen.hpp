// WatchScreen: bank-cli watch's screen: the live state (LiveState's JSON, as bank-web's
// page shows it) as lines of text for a terminal: each node's row (up or down, clock,
// height, head, queue, peers, a mark on the critical section's holder), the balances, the
// last blocks and the rates. Pure: CliSession redraws it each second.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace bank::cli {

class WatchScreen {
 public:
  // `title`: the config's name; `clock`: the time shown ("19:40:01 UTC"). Lines end in "\n".
  static std::string text(const nlohmann::json& state, const std::string& title, const std::string& clock);
};

}  // namespace bank::cli

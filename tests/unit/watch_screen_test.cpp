// WatchScreen: a row per node (DOWN with why, the holder and the next marked), the balances
// in dollars at their height, the last blocks, the rates; and what it says when no node answers.
#include "apps/cli/watch_screen.hpp"

#include <doctest/doctest.h>

using namespace bank::cli;
using nlohmann::json;

TEST_CASE("watch screen: nodes, holder, balances, blocks and rates") {
  auto state = json::parse(R"({"up":2,"total":3,"holder":2,"next":1,"height":7,"balances_from":2,
    "balances":{"1":600,"2":1450,"3":950},
    "blocks":[{"index":7,"txid":"2-3","from":2,"to":1,"amount":125,"hash":"ab"},{"index":0,"genesis":true,"hash":"g"}],
    "nodes":[{"id":1,"up":true,"lamport":40,"height":7,"head":"0123456789abcdef","queue":[{"ts":38,"node":1}],"peers":[{"id":2,"connected":true},{"id":3,"connected":false}]},
             {"id":2,"up":true,"lamport":41,"height":7,"head":"0123456789abcdef","queue":[],"peers":[{"id":1,"connected":true},{"id":3,"connected":false}]},
             {"id":3,"up":false,"why_down":"no reply within 1000 ms"}],
    "rates":{"tps":3.25,"tps_window_s":10,"p50_ms":1.5,"p99_ms":12.25,"wait_window_s":60}})");
  const auto text = WatchScreen::text(state, "cluster.yaml", "19:40:01 UTC");
  INFO(text);
  CHECK(text.find("Lamport Bank: cluster.yaml, 2 of 3 nodes up    19:40:01 UTC") == 0);
  CHECK(text.find("   1  up          40       7  01234567  1/2    (38,1)   <- next\n") != std::string::npos);
  CHECK(text.find("   2  up          41       7  01234567  1/2    -   <- in the critical section\n") != std::string::npos);
  CHECK(text.find("   3  DOWN   no reply within 1000 ms\n") != std::string::npos);
  CHECK(text.find("balances: 1 $6.00   2 $14.50   3 $9.50   (at height 7)") != std::string::npos);
  CHECK(text.find("last blocks: #7 2->1 $1.25 2-3\n") != std::string::npos);
  CHECK(text.find("rates: 3.2 transfers/s over 10 s; critical-section wait p50 1.50 ms, p99 12.2 ms over 60 s") !=
        std::string::npos);
}

TEST_CASE("watch screen: no node answers") {
  auto state = json::parse(R"({"up":0,"total":1,"holder":null,"next":null,"height":null,"balances_from":null,"balances":{},
    "blocks":[],"nodes":[{"id":1,"up":false,"why_down":"nothing listens"}],"rates":{"tps":0,"p50_ms":null,"p99_ms":null}})");
  const auto text = WatchScreen::text(state, "c.yaml", "t");
  CHECK(text.find("0 of 1 nodes up") != std::string::npos);
  CHECK(text.find("balances: no node answers") != std::string::npos);
  CHECK(text.find("p50 -, p99 -") != std::string::npos);
}

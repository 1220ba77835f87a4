// Replies as text for people: dollars where the node speaks cents, the tour's columns.
#include "apps/cli/reply_text.hpp"

#include <doctest/doctest.h>

using namespace bank;
using namespace bank::cli;

TEST_CASE("reply text: cents in a node's sentence are written as dollars") {
  CHECK(cents_as_dollars("account 1 holds 600 cents, less than the 4000 cents asked") ==
        "account 1 holds $6.00, less than the $40.00 asked");
  CHECK(cents_as_dollars("1 cent") == "$0.01");
  CHECK(cents_as_dollars("no answer in time from nodes 2 and 3") == "no answer in time from nodes 2 and 3");
  CHECK(cents_as_dollars("block 17 is 5 centsless") == "block 17 is 5 centsless");  // not the word cents
  CHECK(cents_as_dollars("x5 cents") == "x5 cents");                                // not a number of its own
  CHECK(cents_as_dollars("99999999999999999999999 cents") == "99999999999999999999999 cents");  // too big to be money
}

TEST_CASE("reply text: failures go to stderr in dollars, results to stdout") {
  auto aborted = reply_text(FailureReply{.status = "aborted",
                                         .error = "account 1 holds 600 cents, less than the 4000 cents asked",
                                         .txid = "1-2"});
  CHECK(aborted.out.empty());
  CHECK(aborted.error == "aborted: account 1 holds $6.00, less than the $40.00 asked\n");

  auto balances = reply_text(BalancesReply{.balances = {{1, 600}, {2, 1400}, {10, 5}}});
  CHECK(balances.error.empty());
  CHECK(balances.out == "node 1           $6.00\nnode 10          $0.05\nnode 2          $14.00\n");
  CHECK(reply_text(BalanceReply{.id = 2, .balance = 1400}).out == "node 2          $14.00\n");
  CHECK(reply_text(VerifyReply{.height = 7}).out == "chain verified: height 7\n");
  CHECK(dollars(450) == "$4.50");
  CHECK(dollars(-5) == "-$0.05");
}

TEST_CASE("reply text: metrics as columns, percentiles as the bounds of their buckets") {
  Histogram wait(Histogram::kMicros);
  for (std::uint64_t v : {200, 300, 400, 3000}) wait.observe(v);
  MetricsReply r{.node = 1,
                 .metrics = {.counters = {{"cs_entries", 4}},
                             .gauges = {{"height", 5}},
                             .histograms = {{"cs_wait_us", wait}, {"transfers_per_entry", Histogram(Histogram::kPerEntry)}}},
                 .peers = {{2, {.counters = {{"resends", 0}}, .gauges = {{"up", 1}}, .histograms = {}}},
                           {3, {.counters = {}, .gauges = {{"up", 0}}, .histograms = {}}}}};
  const std::string out = reply_text(r).out;
  CHECK(out.find("  cs_entries                        4\n") != std::string::npos);
  CHECK(out.find("  height                            5\n") != std::string::npos);
  // Mean 975 µs; half the waits at most 500 µs, the slowest at most 5 ms; columns aligned
  // although "µ" takes two bytes.
  CHECK(out.find("  cs_wait_us                    4        975 µs       <= 500 µs         <= 5 ms\n") !=
        std::string::npos);
  CHECK(out.find("  transfers_per_entry           0             -               -               -\n") !=
        std::string::npos);
  CHECK(out.find("  node 2  up  resends 0\n") != std::string::npos);
  CHECK(out.find("  node 3  down\n") != std::string::npos);
}

TEST_CASE("reply text: an event on one line - number, time, clock, event, what it says") {
  CHECK(event_line(R"({"ts":"2026-11-29T18:13:38.366755Z","node":1,"lamport":10,"event":"commit","amount":400,"from":1,"index":1,"to":2,"txid":"1-1","seq":8})") ==
        "       8  18:13:38.366755Z  lamport 10       commit    block 1  1 -> 2  $4.00  txid 1-1\n");
  CHECK(event_line(R"({"ts":"2026-11-29T18:13:38.366812Z","node":1,"lamport":11,"event":"send","peer":2,"type":"release","msg":{"blocks":1,"from":1,"req":{"node":1,"ts":5},"seq":2,"type":"release"},"seq":10})") ==
        "      10  18:13:38.366812Z  lamport 11       send      release to 2  seq 2  req (5,1)  blocks 1\n");
  CHECK(event_line(R"({"ts":"2026-11-29T18:13:39.000000Z","node":1,"lamport":12,"event":"abort","reason":"account 1 holds 450 cents, less than the 10000 cents asked","txid":"1-4","seq":11})") ==
        "      11  18:13:39.000000Z  lamport 12       abort     txid 1-4: account 1 holds $4.50, less than the $100.00 asked\n");
  CHECK(event_line(R"({"ts":"2026-11-29T18:13:40.000000Z","node":1,"lamport":12,"event":"peer_down","peer":3,"reason":"stopped","seq":12})") ==
        "      12  18:13:40.000000Z  lamport 12       peer_down node 3 (stopped)\n");
  CHECK(event_line("not json") == "not json\n");
}

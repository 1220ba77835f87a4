// e2e watch: bank-cli watch on a pseudo-terminal beside three real secured nodes: it shows
// every node up and the chain's height, redraws to the new height and block after a
// transfer, shows a stopped node down, and q or Ctrl-C leave the terminal as they found it
// (the alternate screen left, the cursor shown again).
#include <doctest/doctest.h>

#include <csignal>
#include <string>

#include "cluster_harness.hpp"
#include "pty_driver.hpp"

using namespace bank::e2e;

namespace {

// What a full-screen program writes last when it leaves: the cursor shown, the shell's screen back.
constexpr const char* kLeaves = "\x1b[?25h\x1b[?1049l";

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

TEST_CASE("e2e watch: bank-cli watch redraws the new height after a transfer and q leaves the terminal clean") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  {
    PtyDriver p({BANK_CLI_BIN, "--config", c.config().string(), "watch"});
    INFO("the terminal: " << p.screen());
    REQUIRE(p.wait_for("\x1b[?1049h"));  // a screen of its own
    REQUIRE(p.wait_for("3 of 3 nodes up"));
    REQUIRE(p.wait_for("(at height 0)"));
    auto r = c.ask(1, {{"cmd", "transfer"}, {"to", 2}, {"amount", 400}});
    REQUIRE(r);
    REQUIRE((*r)["status"] == "committed");
    CHECK(p.wait_for("(at height 1)"));
    CHECK(p.wait_for("#1 1->2 $4.00 " + (*r)["txid"].get<std::string>()));
    CHECK(p.wait_for("$6.00"));
    c.stop(3);
    CHECK(p.wait_for("2 of 3 nodes up"));
    CHECK(p.wait_for("   3  DOWN"));
    p.type("q");
    CHECK(p.wait_exit() == 0);
    CHECK(ends_with(p.screen(), kLeaves));
  }
  {
    PtyDriver p({BANK_CLI_BIN, "--config", c.config().string(), "watch"});
    INFO("the terminal: " << p.screen());
    REQUIRE(p.wait_for("(at height 1)"));
    p.type("\x03");  // Ctrl-C: the terminal's SIGINT
    CHECK(p.wait_exit() == 0);
    CHECK(ends_with(p.screen(), kLeaves));
  }
}

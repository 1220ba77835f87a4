// TraceChecker: Lamport's rules over hand-made runs: all kept, two nodes inside at once, an
// entry without a later stamp from every peer, an entry ahead of an earlier request, blocks
// committed in different orders; what it cannot judge it counts instead of guessing.
#include "apps/trace/trace_checker.hpp"

#include <doctest/doctest.h>

#include "trace_script.hpp"

using namespace bank;
using namespace bank::trace;
using bank::trace::unit::TraceScript;

namespace {

std::vector<std::string> rules(const CheckReport& r) {
  std::vector<std::string> out;
  for (const auto& v : r.violations) out.push_back(v.rule);
  return out;
}

}  // namespace

TEST_CASE("trace checker: entries that keep every rule pass, with one ok line") {
  TraceScript s;
  s.entry(0, 1, {2, 3}, 10, 1, "1-1");
  s.entry(1000, 2, {1, 3}, 20, 2, "2-1");
  s.entry(2000, 3, {1, 2}, 30, 3, "3-1");
  auto r = TraceChecker::check(s.events());
  CHECK(r.ok());
  CHECK(r.entries == 3);
  CHECK(r.blocks == 3);
  CHECK(r.commits == 9);
  CHECK(r.unjudged == 0);
  CHECK(r.nodes == 3);
  CHECK(r.summary() == "ok: 3 entries, 3 commits checked");
}

TEST_CASE("trace checker: two nodes inside at once is an overlap naming both") {
  TraceScript s;
  s.enter(40, 1, {10, 1});
  s.exit(50, 1, {10, 1});
  s.enter(45, 2, {20, 2});
  s.exit(48, 2, {20, 2});
  auto r = TraceChecker::check(s.events());
  REQUIRE(rules(r) == std::vector<std::string>{"overlap"});
  const std::string& t = r.violations[0].text;
  CHECK(t.find("overlap: node 2 entered (req 20.2, node-2.log:1") == 0);
  CHECK(t.find("while node 1 held the critical section (req 10.1, entered node-1.log:1") != std::string::npos);
  CHECK(t.find("until node-1.log:2") != std::string::npos);
  CHECK(r.violations[0].events.size() == 3);
  CHECK(r.summary() == "1 violation (1 overlap) in 2 entries and 0 commits");
}

TEST_CASE("trace checker: one section right after another is no overlap") {
  TraceScript s;
  s.enter(40, 1, {10, 1});
  s.exit(50, 1, {10, 1});
  s.enter(51, 2, {20, 2});
  s.exit(60, 2, {20, 2});
  CHECK(TraceChecker::check(s.events()).ok());
}

TEST_CASE("trace checker: a node that stopped inside holds the section until its last event") {
  TraceScript s;
  s.enter(40, 1, {10, 1});
  s.commit(60, 1, 1, "1-1", 1, 2);
  s.line(1000, 1, 0, "start", {{"incarnation", 7}, {"height", 0}});
  SUBCASE("another node entering after that last event is fine") {
    s.enter(500, 2, {20, 2});
    s.exit(510, 2, {20, 2});
    CHECK(TraceChecker::check(s.events()).ok());
  }
  SUBCASE("another node entering before it overlaps") {
    s.enter(55, 2, {20, 2});
    s.exit(70, 2, {20, 2});
    auto r = TraceChecker::check(s.events());
    REQUIRE(rules(r) == std::vector<std::string>{"overlap"});
    CHECK(r.violations[0].text.find("had not left by its last event before it restarted") != std::string::npos);
  }
}

TEST_CASE("trace checker: a node stopped inside holds the section until its stop") {
  TraceScript s;
  s.enter(40, 1, {10, 1});
  s.line(60, 1, 0, "stop");
  s.enter(70, 2, {20, 2});
  s.exit(80, 2, {20, 2});
  CHECK(TraceChecker::check(s.events()).ok());
  s.enter(50, 3, {30, 3});  // inside node 1's hold, which lasts until its stop at 60
  s.exit(55, 3, {30, 3});
  auto r = TraceChecker::check(s.events());
  REQUIRE(rules(r) == std::vector<std::string>{"overlap"});
  CHECK(r.violations[0].text.find("until it stopped, at 2024-05-01T12:00:00.000060Z") != std::string::npos);
}

TEST_CASE("trace checker: a node still inside when the events end holds the section to their end") {
  TraceScript s;
  s.enter(40, 1, {10, 1});
  s.commit(41, 1, 1, "1-1", 1, 2);
  s.enter(55, 2, {20, 2});
  auto r = TraceChecker::check(s.events());
  REQUIRE(rules(r) == std::vector<std::string>{"overlap"});
  CHECK(r.violations[0].text.ends_with("and had not left when the events end)"));
}

TEST_CASE("trace checker: entering without a later stamp from every peer names the silent one") {
  TraceScript s;
  const Stamp req{10, 1};
  s.message("request", 1, 2, req, 11, 0, 10);
  s.message("request", 1, 3, req, 11, 0, 10);
  s.message("reply", 2, 1, req, 13, 20, 30);
  SUBCASE("no word from node 3") {}
  SUBCASE("node 3 answered another request") { s.message("reply", 3, 1, Stamp{4, 1}, 14, 20, 30); }
  SUBCASE("node 3's message is stamped before the request") { s.message("release", 3, 1, Stamp{5, 3}, 9, 20, 30); }
  s.enter(40, 1, req);
  s.exit(50, 1, req);
  auto r = TraceChecker::check(s.events());
  REQUIRE(rules(r) == std::vector<std::string>{"stamp"});
  const std::string& t = r.violations[0].text;
  CHECK(t.starts_with("stamp: node 1 entered (req 10.1, node-1.log:"));
  CHECK(t.ends_with(") without a message stamped later than its request from node 3"));
}

TEST_CASE("trace checker: stamps tie-break by node id, as the queue orders requests") {
  TraceScript s;
  const Stamp req{10, 2};
  s.message("request", 2, 1, req, 11, 0, 10);
  s.message("request", 2, 3, req, 11, 0, 10);
  s.message("reply", 3, 2, req, 10, 20, 30);  // (10,3) is later than (10,2)
  s.message("reply", 1, 2, req, 10, 20, 30);  // (10,1) is not
  s.enter(40, 2, req);
  auto r = TraceChecker::check(s.events());
  REQUIRE(rules(r) == std::vector<std::string>{"stamp"});
  CHECK(r.violations[0].text.ends_with("from node 1"));
}

TEST_CASE("trace checker: a request or release stamped later counts as much as a reply") {
  TraceScript s;
  const Stamp req{10, 1};
  s.message("request", 1, 2, req, 11, 0, 10);
  s.message("request", 1, 3, req, 11, 0, 10);
  s.message("request", 2, 1, Stamp{12, 2}, 13, 5, 15);  // node 2 wants in too: no reply from it
  s.message("release", 3, 1, Stamp{2, 3}, 14, 20, 30);  // node 3 leaves an older section
  s.enter(40, 1, req);
  s.exit(50, 1, req);
  CHECK(TraceChecker::check(s.events()).ok());
}

TEST_CASE("trace checker: an entry ahead of an earlier request still queued breaks the queue rule") {
  TraceScript s;
  const Stamp early{10, 1}, late{20, 2};
  const auto early_request = s.message("request", 1, 2, early, 11, 0, 10);
  s.message("request", 2, 1, late, 21, 20, 30);
  s.message("request", 2, 3, late, 21, 20, 30);
  s.message("reply", 3, 2, late, 23, 40, 50);
  s.message("reply", 1, 2, late, 22, 40, 50);  // a faulty node 1 replies though its request is out
  SUBCASE("no release of the earlier request: violation") {
    s.enter(60, 2, late);
    auto r = TraceChecker::check(s.events());
    REQUIRE(rules(r) == std::vector<std::string>{"queue"});
    CHECK(r.violations[0].text.find("while node 1's earlier request 10.1 was still in its queue (received node-2.log:1") !=
          std::string::npos);
  }
  SUBCASE("released first: fine") {
    s.message("release", 1, 2, early, 24, 52, 55);
    s.enter(60, 2, late);
    CHECK(TraceChecker::check(s.events()).ok());
  }
  SUBCASE("released first, and the request's resends logged again after the release: fine") {
    // A paused node gets every resend at once when it resumes; the link takes each frame once.
    s.message("release", 1, 2, early, 24, 52, 55);
    s.received_again(early_request, 56);
    s.enter(60, 2, late);
    CHECK(TraceChecker::check(s.events()).ok());
  }
  SUBCASE("the link to node 1 went down since: not judged") {
    s.line(55, 2, 30, "peer_down", {{"peer", 1}});
    s.enter(60, 2, late);
    CHECK(TraceChecker::check(s.events()).ok());
  }
}

TEST_CASE("trace checker: a block with different transactions on two nodes is a different order") {
  TraceScript s;
  s.commit(10, 1, 1, "1-1", 1, 2);
  s.commit(10, 2, 1, "2-1", 2, 1);
  s.commit(10, 3, 1, "1-1", 1, 2);
  s.commit(20, 1, 2, "1-2", 1, 2);
  s.commit(20, 2, 2, "1-2", 1, 2);
  auto r = TraceChecker::check(s.events());
  REQUIRE(rules(r) == std::vector<std::string>{"order"});
  const std::string& t = r.violations[0].text;
  CHECK(t.starts_with("order: block 1 differs: node 1 committed 1-1 (node-1.log:1"));
  CHECK(t.find("node 2 committed 2-1 (node-2.log:1") != std::string::npos);
  CHECK(r.violations[0].events.size() == 3);
  CHECK(r.blocks == 2);
}

TEST_CASE("trace checker: a block lost in a crash and taken again after the restart is no disorder") {
  TraceScript s;
  s.commit(10, 1, 1, "1-1", 1, 2);  // not yet synced when node 1 crashed
  s.line(100, 1, 0, "start", {{"incarnation", 2}, {"height", 0}});
  s.commit(200, 1, 1, "2-1", 2, 1);
  s.commit(150, 2, 1, "2-1", 2, 1);
  CHECK(TraceChecker::check(s.events()).ok());
  SUBCASE("but twice in one incarnation is") {
    s.commit(300, 2, 1, "2-9", 2, 1);
    auto r = TraceChecker::check(s.events());
    REQUIRE(rules(r) == std::vector<std::string>{"order"});
    CHECK(r.violations[0].text.starts_with("order: node 2 committed block 1 twice: 2-1"));
  }
}

TEST_CASE("trace checker: an entry whose request was sent before the first event is counted, not judged") {
  TraceScript s;
  s.enter(40, 1, {10, 1});
  s.exit(50, 1, {10, 1});
  s.commit(60, 2, 1, "1-1", 1, 2);
  auto r = TraceChecker::check(s.events());
  CHECK(r.ok());
  CHECK(r.unjudged == 1);
  CHECK(r.summary() ==
        "ok: 1 entries, 1 commits checked (1 entry not judged by the stamp rule: its request was sent before the "
        "first event read)");
}

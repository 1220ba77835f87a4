// BankCore: console checks, queueing and batching under the critical section, one answer per client, txid retries, timeouts, the balance replica.
#include "actors/bank/bank_core.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "actors/ledger/ledger_core.hpp"
#include "core_outputs.hpp"
#include "ledger_fixtures.hpp"

using namespace bank;
using namespace bank::unit;

namespace {

std::vector<ConsoleOut> replies(const Outbox& out) { return sent<ConsoleOut>(out, Actor::console); }
std::size_t acquires(const Outbox& out) { return sent<Acquire>(out, Actor::mutex).size(); }
std::size_t withdraws(const Outbox& out) { return sent<Withdraw>(out, Actor::mutex).size(); }
nlohmann::json as_json(const ConsoleOut& o) { return console_reply_to_json(o.reply); }
// What a retry of a committed transfer answers: the same reply, marked a replay.
nlohmann::json replayed(const ConsoleOut& o) {
  auto j = as_json(o);
  j["replay"] = true;
  return j;
}

ConsoleIn transfer(std::uint64_t client, NodeId to, Cents amount, std::optional<std::string> txid = std::nullopt) {
  return ConsoleIn{client, TransferCmd{to, amount, std::move(txid)}};
}

// Node 1's bank with a real ledger behind it: the bank stages, the ledger decides.
struct Node {
  explicit Node(BankOptions options = {}, std::size_t batch = 1, TxidMemory memory = {})
      : bank(1, kOpening, options, std::move(memory)), ledger(1, Chain(genesis()), batch) {}

  // The bank on `in`, and every hop between bank and ledger it sets off (Stage, Acquire,
  // a retry's Recall and its miss, ...); what leaves for the mutex or the console is returned.
  Outbox step(const BusMessage& in) { return settle(Actor::bank, in); }
  // Our request is granted: the ledger's entry, its end not yet delivered to the bank.
  Outbox enter(Lamport ts) { return unit::step(ledger, Granted{{ts, 1}, ts + 1}); }
  // The entry's end reaches the bank: its answers and what it does next.
  Outbox decide(const Outbox& entry) {
    Outbox out;
    for (const Addressed& a : entry)
      if (a.to == Actor::bank) append(out, settle(Actor::bank, a.msg));
    return out;
  }
  Outbox grant_and_decide(Lamport ts) { return decide(enter(ts)); }

  BankCore bank;
  LedgerCore ledger;

 private:
  static void append(Outbox& to, Outbox more) {
    for (Addressed& a : more) to.push_back(std::move(a));
  }
  Outbox settle(Actor actor, const BusMessage& in) {
    Outbox out;
    for (Addressed& a : actor == Actor::bank ? unit::step(bank, in) : unit::step(ledger, in)) {
      if (a.to == Actor::bank || a.to == Actor::ledger)
        append(out, settle(a.to, a.msg));
      else
        out.push_back(std::move(a));
    }
    return out;
  }
};

// The transfers an entry appended, in order.
std::vector<Tx> appended(const Outbox& entry) {
  std::vector<Tx> txs;
  for (const auto& r : sent<Release>(entry, Actor::mutex))
    for (const Block& b : r.blocks) txs.push_back(*b.tx);
  return txs;
}

// Client 1's transfer "A" at time 0 (deadline 5000), client 2's "B" at 3000 (deadline 8000).
void queue_a_then_b(Node& n) {
  n.step(Tick{0});
  n.step(transfer(1, 2, 100, "A"));
  n.step(Tick{3000});
  n.step(transfer(2, 3, 100, "B"));
}

// By value: callers often pass a temporary vector.
ConsoleOut only_reply(const std::vector<ConsoleOut>& r, std::uint64_t client) {
  REQUIRE(r.size() == 1);
  CHECK(r[0].client == client);
  return r[0];
}

FailureReply failure(const ConsoleOut& o) {
  REQUIRE(std::holds_alternative<FailureReply>(o.reply));
  return std::get<FailureReply>(o.reply);
}

TransferDone done(const ConsoleOut& o) {
  REQUIRE(std::holds_alternative<TransferDone>(o.reply));
  return std::get<TransferDone>(o.reply);
}

}  // namespace

TEST_CASE("bank core: bad requests are rejected to their client, logged, and nothing is queued") {
  Node n;
  struct Bad {
    std::string name;
    ConsoleIn in;
    const char* mentions;
  };
  const std::vector<Bad> bad{
      {"transfer to oneself", transfer(5, 1, 100), "itself"},
      {"transfer to an unknown account", transfer(5, 9, 100), "9"},
      {"transfer to an unknown account with a txid", transfer(5, 4, 100, "t-1"), "4"},
      {"balance of an unknown account", ConsoleIn{5, BalanceCmd{7}}, "7"},
  };
  for (const auto& row : bad) {
    CAPTURE(row.name);
    Outbox out = n.step(row.in);
    const auto& f = failure(only_reply(replies(out), 5));
    CHECK(f.status == "rejected");
    CHECK(f.error.find(row.mentions) != std::string::npos);
    CHECK(error_logs(out) == 1);
    CHECK(acquires(out) == 0);
    CHECK(n.ledger.chain().height() == 0);
    CHECK(n.bank.pending() == 0);
  }
  CHECK(n.bank.memory().size() == 0);
  CHECK(n.bank.table().balances() == kOpening);
}

TEST_CASE("bank core: balances are answered from the local replica - chain, verify and status go on to who knows") {
  Node n;
  auto all = only_reply(replies(n.step(ConsoleIn{3, BalanceCmd{}})), 3);
  REQUIRE(std::holds_alternative<BalancesReply>(all.reply));
  CHECK(std::get<BalancesReply>(all.reply).balances == kOpening);

  auto one = only_reply(replies(n.step(ConsoleIn{4, BalanceCmd{2}})), 4);
  REQUIRE(std::holds_alternative<BalanceReply>(one.reply));
  CHECK(std::get<BalanceReply>(one.reply).id == 2);
  CHECK(std::get<BalanceReply>(one.reply).balance == 1000);

  // (The bank alone here: Node::step would carry these on through the ledger.)
  Outbox chain = unit::step(n.bank, ConsoleIn{5, ChainCmd{3, 2}});
  auto cq = sent<ChainQuery>(chain, Actor::ledger);
  REQUIRE(cq.size() == 1);
  CHECK(cq[0].client == 5);
  CHECK(cq[0].cmd == ChainCmd{3, 2});
  CHECK(replies(chain).empty());

  auto vq = sent<VerifyQuery>(unit::step(n.bank, ConsoleIn{6, VerifyCmd{}}), Actor::ledger);
  REQUIRE(vq.size() == 1);
  CHECK(vq[0].client == 6);

  auto sq = sent<StatusQuery>(n.step(ConsoleIn{7, StatusCmd{}}), Actor::mutex);
  REQUIRE(sq.size() == 1);
  CHECK(sq[0].client == 7);
}

TEST_CASE("bank core: a transfer queues and asks for the critical section once") {
  Node n;
  Outbox first = n.step(transfer(1, 2, 100));
  CHECK(acquires(first) == 1);
  CHECK(replies(first).empty());
  CHECK(n.bank.pending() == 1);

  Outbox second = n.step(transfer(2, 3, 200));
  CHECK(acquires(second) == 0);
  CHECK(second.empty());
  CHECK(n.bank.pending() == 2);

  CHECK(n.step(Tick{1000}).empty());  // well within the timeout
}

TEST_CASE("bank core: a grant appends at most batch staged transfers, in arrival order") {
  Node n(BankOptions{5000}, 2);
  n.step(transfer(1, 2, 100, "a"));
  n.step(transfer(2, 3, 200, "b"));
  n.step(transfer(3, 2, 300, "c"));

  Outbox a = n.enter(20);
  REQUIRE(sent<Release>(a, Actor::mutex).size() == 1);
  CHECK(sent<Release>(a, Actor::mutex)[0].req == Stamp{20, 1});
  auto txs = appended(a);
  REQUIRE(txs.size() == 2);
  CHECK(txs[0] == Tx{"a", 1, 2, 100, 21});  // stamped with the grant's clock
  CHECK(txs[1] == Tx{"b", 1, 3, 200, 21});
  CHECK(n.bank.pending() == 3);

  // The exit answers the two and asks again for the one left.
  Outbox exit = n.decide(a);
  auto r = replies(exit);
  REQUIRE(r.size() == 2);
  CHECK(r[0].client == 1);
  CHECK(r[1].client == 2);
  CHECK(acquires(exit) == 1);
  CHECK(n.bank.pending() == 1);

  Outbox rest = n.enter(30);
  REQUIRE(appended(rest).size() == 1);
  CHECK(appended(rest)[0].txid == "c");
  CHECK(acquires(n.decide(rest)) == 0);
  CHECK(n.bank.pending() == 0);
}

TEST_CASE("bank core: a transfer arriving inside the critical section waits for the next one") {
  Node n(BankOptions{}, 64);
  n.step(transfer(1, 2, 100));
  Outbox a = n.enter(5);
  Outbox during = n.step(transfer(2, 3, 50));
  CHECK(acquires(during) == 0);  // still inside: no new request yet
  Outbox exit = n.decide(a);
  CHECK(acquires(exit) == 1);
  CHECK(only_reply(replies(exit), 1).client == 1);
}

TEST_CASE("bank core: Committed answers each client once, committed or aborted") {
  Node n(BankOptions{5000}, 3);
  n.step(transfer(11, 2, 600, "p"));
  n.step(transfer(12, 3, 500, "q"));  // 400 left at its turn: aborted
  n.step(transfer(13, 3, 400, "r"));
  Outbox exit = n.grant_and_decide(8);

  auto r = replies(exit);
  REQUIRE(r.size() == 3);
  std::set<std::uint64_t> clients;
  for (const auto& o : r) clients.insert(o.client);
  CHECK(clients == std::set<std::uint64_t>{11, 12, 13});
  for (const auto& o : r) {
    CAPTURE(o.client);
    if (o.client == 12) {
      const auto& f = failure(o);
      CHECK(f.status == "aborted");
      CHECK(f.txid == std::optional<std::string>{"q"});
      CHECK_FALSE(f.error.empty());
    } else {
      const auto& d = done(o);
      CHECK(d.txid == (o.client == 11 ? "p" : "r"));
      CHECK(d.block.tx->txid == d.txid);
      CHECK(d.block == n.ledger.chain().at(o.client == 11 ? 1 : 2));
    }
  }
  CHECK(acquires(exit) == 0);
  CHECK(n.bank.pending() == 0);
  CHECK(n.bank.memory().size() == 3);
  CHECK(n.bank.table().balances() == Balances{{1, 0}, {2, 1600}, {3, 1400}});
}

TEST_CASE("bank core: a retry with a decided txid returns the earlier reply, marked a replay, and appends nothing") {
  Node n(BankOptions{5000}, 2);
  n.step(transfer(1, 2, 700, "pay-1"));
  n.step(transfer(2, 3, 700, "pay-2"));  // aborted
  auto first = replies(n.grant_and_decide(3));
  REQUIRE(first.size() == 2);
  const auto& committed = first[0].client == 1 ? first[0] : first[1];
  const auto& aborted = first[0].client == 2 ? first[0] : first[1];
  REQUIRE(std::holds_alternative<TransferDone>(committed.reply));
  REQUIRE(std::holds_alternative<FailureReply>(aborted.reply));
  const auto height = n.ledger.chain().height();

  Outbox again = n.step(transfer(9, 2, 700, "pay-1"));
  CHECK(as_json(only_reply(replies(again), 9)) == replayed(committed));
  CHECK(acquires(again) == 0);
  CHECK(again.size() == 1);

  Outbox again2 = n.step(transfer(10, 3, 700, "pay-2"));
  CHECK(as_json(only_reply(replies(again2), 10)) == as_json(aborted));
  CHECK(acquires(again2) == 0);

  CHECK(n.bank.pending() == 0);
  CHECK(n.ledger.chain().height() == height);
  CHECK(n.bank.table().balance(1) == 300);

  // A generated txid, once decided, is as good as a chosen one.
  n.step(transfer(20, 3, 100));
  auto gen = only_reply(replies(n.grant_and_decide(9)), 20);
  const std::string txid = done(gen).txid;
  auto gen_again = done(only_reply(replies(n.step(transfer(21, 3, 100, txid))), 21));
  CHECK(gen_again.replay);
  CHECK(gen_again.block == done(gen).block);
}

TEST_CASE("bank core: a decided txid reused for another transfer is rejected naming both, and nothing is paid") {
  Node n;
  n.step(transfer(1, 2, 100, "order-42"));
  n.grant_and_decide(2);
  Chain world(genesis());
  REQUIRE_FALSE(world.append(n.ledger.chain().at(1)));
  Block theirs = world.next_block(Tx{"theirs-7", 2, 3, 300, 4});  // node 2's client chose it
  REQUIRE_FALSE(world.append(theirs));
  step(n.ledger, ApplyBlocks{2, 5, {theirs}});
  n.step(Committed{{theirs}, {}, false});
  const auto height = n.ledger.chain().height();

  struct Row {
    const char* what;
    ConsoleIn in;
    std::vector<const char*> mentions;
  };
  const std::vector<Row> rows{
      {"another payee", transfer(5, 3, 100, "order-42"), {"order-42", "100 cents from 1 to 2", "100 cents from 1 to 3"}},
      {"another amount", transfer(5, 2, 101, "order-42"), {"order-42", "101 cents"}},
      {"another payer's txid", transfer(5, 3, 300, "theirs-7"), {"theirs-7", "300 cents from 2 to 3", "from 1 to 3"}},
  };
  for (const Row& row : rows) {
    CAPTURE(row.what);
    Outbox out = n.step(row.in);
    const auto f = failure(only_reply(replies(out), 5));
    CHECK(f.status == "rejected");
    for (const char* m : row.mentions) CHECK_MESSAGE(f.error.find(m) != std::string::npos, f.error);
    CHECK(acquires(out) == 0);
    CHECK(error_logs(out) == 1);
  }
  CHECK(n.bank.pending() == 0);
  CHECK(n.ledger.chain().height() == height);
  // The same parameters again: the earlier decision, as a replay.
  auto same = done(only_reply(replies(n.step(transfer(6, 2, 100, "order-42"))), 6));
  CHECK(same.replay);
  CHECK(same.block.index == 1);
}

TEST_CASE("bank core: a retry while the transfer is pending waits for the same outcome") {
  Node n;
  n.step(transfer(1, 2, 250, "k"));
  Outbox queued_retry = n.step(transfer(2, 2, 250, "k"));
  CHECK(queued_retry.empty());  // no answer, no second request
  CHECK(n.bank.pending() == 1);

  Outbox a = n.enter(4);
  CHECK(appended(a).size() == 1);
  Outbox cs_retry = n.step(transfer(3, 2, 250, "k"));  // appended already, not yet answered
  CHECK(cs_retry.empty());

  auto r = replies(n.decide(a));
  REQUIRE(r.size() == 3);
  std::set<std::uint64_t> clients;
  for (const auto& o : r) {
    clients.insert(o.client);
    CHECK(as_json(o) == as_json(r[0]));
    CHECK(done(o).txid == "k");
  }
  CHECK(clients == std::set<std::uint64_t>{1, 2, 3});
  CHECK(n.ledger.chain().height() == 1);  // paid once
  CHECK(n.bank.table().balance(1) == 750);
}

TEST_CASE("bank core: the same txid for a different transfer is rejected while the first is pending") {
  Node n;
  n.step(transfer(1, 2, 100, "k"));
  for (const auto& other : {transfer(2, 2, 101, "k"), transfer(2, 3, 100, "k")}) {
    Outbox out = n.step(other);
    const auto& f = failure(only_reply(replies(out), 2));
    CHECK(f.status == "rejected");
    CHECK(f.error.find("k") != std::string::npos);
    CHECK(error_logs(out) == 1);
    CHECK(acquires(out) == 0);
    CHECK(n.bank.pending() == 1);
  }
  auto r = replies(n.grant_and_decide(2));
  const auto& d = done(only_reply(r, 1));
  CHECK(d.block.tx->amount == 100);
  CHECK(d.block.tx->to == 2);
}

TEST_CASE("bank core: generated txids are unique and never reuse a decided or pending one") {
  Node n(BankOptions{5000}, 100);
  // Chosen txids that look like generated ones: "1-1" decided, "1-3" pending.
  n.step(transfer(1, 2, 1, "1-1"));
  n.grant_and_decide(2);
  REQUIRE(n.bank.memory().maybe_decided("1-1"));
  n.step(transfer(2, 2, 1, "1-3"));
  for (std::uint64_t c = 10; c < 60; ++c) n.step(transfer(c, c % 2 ? 2 : 3, 1));

  Outbox a = n.enter(5);
  REQUIRE(appended(a).size() == 51);
  std::set<std::string> txids;
  for (const Tx& tx : appended(a)) txids.insert(tx.txid);
  CHECK(txids.size() == 51);
  CHECK_FALSE(txids.contains("1-1"));
  CHECK(txids.contains("1-3"));  // the chosen one, once
  for (const Tx& tx : appended(a))
    if (tx.txid != "1-3") CHECK(tx.txid.rfind("1-", 0) == 0);

  auto r = replies(n.decide(a));
  CHECK(r.size() == 51);
  CHECK(n.bank.memory().size() == 52);
}

TEST_CASE("bank core: past the acquire timeout the bank withdraws once and answers timeout naming the silent peers") {
  Node n(BankOptions{5000}, 10);
  queue_a_then_b(n);

  CHECK(n.step(Tick{4999}).empty());
  Outbox w = n.step(Tick{5001});
  CHECK(withdraws(w) == 1);
  CHECK(w.size() == 1);
  CHECK(withdraws(n.step(Tick{6000})) == 0);  // once
  CHECK(withdraws(n.step(Tick{7000})) == 0);

  Outbox out = n.step(Withdrawn{.silent = {3}});
  const auto& f = failure(only_reply(replies(out), 1));
  CHECK(f.status == "timeout");
  CHECK(f.txid == std::optional<std::string>{"A"});
  CHECK(f.error.find("node 3") != std::string::npos);
  CHECK(acquires(out) == 1);  // B is still within its time
  CHECK(n.bank.pending() == 1);
  CHECK_FALSE(n.bank.memory().maybe_decided("A"));  // not decided: a retry tries anew

  CHECK(withdraws(n.step(Tick{7999})) == 0);
  CHECK(withdraws(n.step(Tick{8001})) == 1);
  Outbox out2 = n.step(Withdrawn{.silent = {2, 3}});
  const auto& f2 = failure(only_reply(replies(out2), 2));
  CHECK(f2.status == "timeout");
  CHECK(f2.txid == std::optional<std::string>{"B"});
  CHECK(f2.error.find("nodes 2 and 3") != std::string::npos);
  CHECK(acquires(out2) == 0);
  CHECK(n.bank.pending() == 0);
  CHECK(n.ledger.chain().height() == 0);

  // Retrying the timed-out txid queues it again.
  Outbox retry = n.step(transfer(3, 2, 100, "A"));
  CHECK(acquires(retry) == 1);
  CHECK(replies(retry).empty());
  CHECK(n.bank.pending() == 1);
}

TEST_CASE("bank core: an unreachable Withdrawn (a peer known down) answers every pending transfer at once, saying it did not wait") {
  Node n;
  queue_a_then_b(n);  // deadlines 5000 and 8000: neither expired
  Outbox out = n.step(Withdrawn{.silent = {3}, .unreachable = true});
  auto r = replies(out);
  REQUIRE(r.size() == 2);
  for (const auto& o : r) {
    const auto f = failure(o);
    CHECK(f.status == "timeout");
    CHECK(f.error.find("did not wait: node 3 is down") != std::string::npos);
  }
  CHECK(n.bank.pending() == 0);
  CHECK(acquires(out) == 0);
  CHECK(sent<Unstage>(out, Actor::ledger).empty());  // handed to the ledger in the same settle
  CHECK(n.ledger.chain().height() == 0);
  // The ledger took them back: a grant now appends nothing.
  CHECK(appended(n.enter(9)).empty());
}

TEST_CASE("bank core: a timeout names three silent peers in a list") {
  Node n;
  n.step(transfer(1, 2, 100));
  n.step(Tick{6000});
  const auto& f = failure(only_reply(replies(n.step(Withdrawn{.silent = {2, 3, 4}})), 1));
  CHECK(f.error.find("nodes 2, 3 and 4") != std::string::npos);
}

TEST_CASE("bank core: a grant arriving after the Withdraw was sent is honoured") {
  Node n;
  n.step(Tick{0});
  n.step(transfer(1, 2, 100, "late"));
  REQUIRE(withdraws(n.step(Tick{5001})) == 1);

  Outbox a = n.enter(9);  // the grant crossed our Withdraw: the mutex voids the Withdraw
  REQUIRE(appended(a).size() == 1);
  CHECK(appended(a)[0].txid == "late");
  Outbox exit = n.decide(a);
  const auto& d = done(only_reply(replies(exit), 1));
  CHECK(d.txid == "late");
  CHECK(n.bank.pending() == 0);
  CHECK(withdraws(n.step(Tick{20000})) == 0);
  CHECK(n.ledger.chain().height() == 1);
}

TEST_CASE("bank core: the balance replica follows committed blocks, own and peers'") {
  Node n;
  Chain world(genesis());
  Block peer = world.next_block(Tx{"2-1", 2, 3, 300, 4});
  REQUIRE_FALSE(world.append(peer));

  n.step(transfer(1, 3, 100));  // acquiring
  Outbox p = n.step(Committed{{peer}, {}, false});
  CHECK(replies(p).empty());
  CHECK(acquires(p) == 0);  // a peer's blocks do not end our wait
  CHECK(n.bank.table().balances() == Balances{{1, 1000}, {2, 700}, {3, 1300}});
  CHECK(n.bank.memory().size() == 1);  // every payer's txid: a txid names one transfer

  // Our ledger learns the peer's block too, then we commit on top of it.
  step(n.ledger, ApplyBlocks{2, 5, {peer}});
  n.grant_and_decide(6);
  CHECK(n.bank.table().balances() == Balances{{1, 900}, {2, 700}, {3, 1400}});
  CHECK(n.bank.table().balances() == n.ledger.chain().table().balances());

  auto all = only_reply(replies(n.step(ConsoleIn{9, BalanceCmd{}})), 9);
  CHECK(std::get<BalancesReply>(all.reply).balances == Balances{{1, 900}, {2, 700}, {3, 1400}});
  auto mine = only_reply(replies(n.step(ConsoleIn{9, BalanceCmd{3}})), 9);
  CHECK(std::get<BalanceReply>(mine.reply).balance == 1400);
  CHECK(n.bank.table().total() == 3000);
}

TEST_CASE("bank core: a txid that shares its memory key with a decided one is still a new transfer") {
  // Every txid gets the same key: each retry must be told apart by the block itself.
  Node n(BankOptions{5000}, 4, TxidMemory([](std::string_view) { return std::uint64_t{7}; }));
  n.step(transfer(1, 2, 100, "first"));
  auto first = only_reply(replies(n.grant_and_decide(2)), 1);
  CHECK(done(first).txid == "first");

  Outbox other = n.step(transfer(2, 3, 50, "second"));
  CHECK(replies(other).empty());  // not the earlier outcome: queued as new
  CHECK(acquires(other) == 1);
  auto second = only_reply(replies(n.grant_and_decide(4)), 2);
  CHECK(done(second).txid == "second");
  CHECK(n.ledger.chain().height() == 2);

  // And the real retries still find their own blocks.
  CHECK(as_json(only_reply(replies(n.step(transfer(3, 2, 100, "first"))), 3)) == replayed(first));
  CHECK(as_json(only_reply(replies(n.step(transfer(4, 3, 50, "second"))), 4)) == replayed(second));
  CHECK(n.ledger.chain().height() == 2);
  CHECK(n.bank.pending() == 0);
}

TEST_CASE("bank core: a transfer answered timeout is taken back from the ledger and never appended") {
  Node n(BankOptions{5000}, 10);
  queue_a_then_b(n);
  REQUIRE(withdraws(n.step(Tick{5001})) == 1);
  Outbox out = n.step(Withdrawn{.silent = {3}});
  CHECK(failure(only_reply(replies(out), 1)).status == "timeout");
  CHECK(acquires(out) == 1);  // for B

  Outbox entry = n.enter(40);
  REQUIRE(appended(entry).size() == 1);
  CHECK(appended(entry)[0].txid == "B");
  CHECK(done(only_reply(replies(n.decide(entry)), 2)).txid == "B");
  CHECK(n.ledger.chain().height() == 1);

  // A retry of A after its timeout is a new transfer: staged again, appended this time.
  n.step(transfer(3, 2, 100, "A"));
  CHECK(done(only_reply(replies(n.grant_and_decide(50)), 3)).txid == "A");
  CHECK(n.ledger.chain().height() == 2);
}

TEST_CASE("bank core: a retry racing its own commit through a shared memory key never pays twice") {
  // Every txid shares one key, so every retry goes by the ledger: the slow path under races.
  Node n(BankOptions{5000}, 4, TxidMemory([](std::string_view) { return std::uint64_t{7}; }));
  n.step(transfer(1, 2, 100, "first"));
  n.grant_and_decide(2);

  // A retry of a transfer still pending joins it at once: no look in the chain that a commit
  // could overtake.
  n.step(transfer(2, 3, 50, "X"));
  Outbox retry = unit::step(n.bank, transfer(3, 3, 50, "X"));
  CHECK(sent<Recall>(retry, Actor::ledger).empty());
  auto both = replies(n.grant_and_decide(4));
  REQUIRE(both.size() == 2);
  CHECK(done(both[0]).block == done(both[1]).block);
  CHECK(n.ledger.chain().height() == 2);

  // Two clients send a new "Y" at once; the second's look in the chain is overtaken by the
  // first's commit. Its miss comes back with a new candidate in memory: it looks again.
  Outbox c = unit::step(n.bank, transfer(4, 3, 25, "Y"));
  Outbox d = unit::step(n.bank, transfer(5, 3, 25, "Y"));
  REQUIRE(sent<Recall>(c, Actor::ledger).size() == 1);
  REQUIRE(sent<Recall>(d, Actor::ledger).size() == 1);
  Outbox c_miss = unit::step(n.ledger, sent<Recall>(c, Actor::ledger)[0]);
  REQUIRE(sent<RecallMiss>(c_miss, Actor::bank).size() == 1);
  n.step(sent<RecallMiss>(c_miss, Actor::bank)[0]);  // staged, acquiring
  auto first_y = only_reply(replies(n.grant_and_decide(6)), 4);
  CHECK(n.ledger.chain().height() == 3);
  Outbox d_answer = n.step(unit::step(n.ledger, sent<Recall>(d, Actor::ledger)[0]).front().msg);
  CHECK(as_json(only_reply(replies(d_answer), 5)) == replayed(first_y));
  CHECK(acquires(d_answer) == 0);
  CHECK(n.ledger.chain().height() == 3);  // paid once
  CHECK(n.bank.pending() == 0);
}

TEST_CASE("bank core: with security a transfer needs the owner's client key, other clients may only read") {
  Node n;
  ConsoleIn by_other = transfer(1, 2, 100);
  by_other.caller = 3;
  Outbox out = n.step(by_other);
  auto r = replies(out);
  REQUIRE(r.size() == 1);
  CHECK(as_json(r[0])["status"] == "denied");
  CHECK(as_json(r[0])["error"].get<std::string>().find("client 3 may only read at node 1") != std::string::npos);
  CHECK(acquires(out) == 0);  // nothing staged, nothing asked of the mutex
  CHECK(logs(out, "error").size() == 1);

  ConsoleIn read{2, BalanceCmd{}, 3};
  r = replies(n.step(read));
  REQUIRE(r.size() == 1);
  CHECK(as_json(r[0])["ok"] == true);

  ConsoleIn by_owner = transfer(3, 2, 100);
  by_owner.caller = 1;
  CHECK(acquires(n.step(by_owner)) == 1);
}

TEST_CASE("bank core: status says security is off when the node runs without it") {
  BankCore bank(1, kOpening, BankOptions{.acquire_timeout_ms = 1000, .security_off = true});
  auto q = sent<StatusQuery>(unit::step(bank, ConsoleIn{1, StatusCmd{}}), Actor::mutex);
  REQUIRE(q.size() == 1);
  CHECK(q[0].reply.security_off);
  CHECK(console_reply_to_json(q[0].reply)["security"] == "off");
}

TEST_CASE("bank core: once the chain diverged, a new transfer is rejected naming the peer and index - a decided one keeps its outcome") {
  Node n(BankOptions{5000}, 2);
  n.step(transfer(1, 2, 100, "pay-1"));
  auto first = only_reply(replies(n.grant_and_decide(3)), 1);
  REQUIRE(std::holds_alternative<TransferDone>(first.reply));

  n.step(Diverged{{3, 17}});
  Outbox refused = n.step(transfer(2, 2, 100));
  auto f = failure(only_reply(replies(refused), 2));
  CHECK(f.status == "rejected");
  CHECK(f.error.find("diverged from node 3's at index 17") != std::string::npos);
  CHECK(f.error.find("operator") != std::string::npos);
  CHECK(acquires(refused) == 0);
  CHECK(sent<Stage>(refused, Actor::ledger).empty());
  CHECK(n.bank.pending() == 0);
  CHECK(logs(refused, "error").size() == 1);

  // A second divergence is named too.
  n.step(Diverged{{2, 17}});
  auto both = failure(only_reply(replies(n.step(transfer(3, 2, 100, "pay-2"))), 3));
  CHECK(both.error.find("node 3's at index 17 and node 2's at index 17") != std::string::npos);

  // The retry of a decided transfer still gets its earlier reply.
  CHECK(as_json(only_reply(replies(n.step(transfer(4, 2, 100, "pay-1"))), 4)) == replayed(first));
  // Reading is not refused.
  CHECK(std::holds_alternative<BalancesReply>(only_reply(replies(n.step(ConsoleIn{5, BalanceCmd{}})), 5).reply));
}

TEST_CASE("bank core: metrics count transfers by outcome and refused requests, and time decided transfers on the Tick's clock") {
  Node n(BankOptions{100}, 2);
  n.step(Tick{1'000});
  n.step(transfer(1, 2, 100, "ok"));
  n.step(transfer(2, 3, 5000, "short"));  // more than node 1 holds
  n.step(Tick{1'004});
  auto answered = replies(n.grant_and_decide(5));  // both decided 4 ms after they came
  REQUIRE(answered.size() == 2);
  // Refused: two meanings, one that does not decode, one key that may only read.
  n.step(transfer(3, 1, 100));
  n.step(transfer(4, 9, 100));
  n.step(ConsoleUnreadable{5, "request is not JSON"});
  ConsoleIn by_other = transfer(6, 2, 100);
  by_other.caller = 3;
  n.step(by_other);
  // One that times out.
  n.step(Tick{2'000});
  n.step(transfer(7, 2, 100, "slow"));
  REQUIRE(withdraws(n.step(Tick{2'101})) == 1);
  REQUIRE(failure(only_reply(replies(n.step(Withdrawn{{3}})), 7)).status == "timeout");
  n.step(transfer(8, 2, 100, "waiting"));  // still pending when asked

  // Read by another client's key: metrics are a read.
  ConsoleIn ask{9, MetricsCmd{}, 2};
  Outbox out = n.step(ask);
  CHECK(replies(out).empty());
  auto q = sent<MetricsQuery>(out, Actor::mutex);  // through the ledger, which added its part
  REQUIRE(q.size() == 1);
  CHECK(q[0].client == 9);
  const MetricsReply& m = q[0].reply;
  CHECK(m.node == 1);
  const auto& c = m.metrics.counters;
  CHECK(c.at("transfers_committed") == 1);
  CHECK(c.at("transfers_aborted") == 1);
  CHECK(c.at("transfers_timed_out") == 1);
  CHECK(c.at("requests_rejected") == 3);
  CHECK(c.at("requests_denied") == 1);
  CHECK(m.metrics.gauges.at("pending_transfers") == 1);
  const auto& took = m.metrics.histograms.at("transfer_us");
  CHECK(took.count() == 2);  // decided ones: not the timeout
  CHECK(took.sum() == 2 * 4'000);
  CHECK(m.metrics.gauges.at("height") == 1);  // the ledger's part
  CHECK(m.metrics.histograms.at("transfers_per_entry").sum() == 1);
}

TEST_CASE("bank core: a request that does not decode is answered rejected and logged, as the shell used to") {
  Node n;
  Outbox out = n.step(ConsoleUnreadable{4, "field 'amount' of request must be positive"});
  const auto f = failure(only_reply(replies(out), 4));
  CHECK(f.status == "rejected");
  CHECK(f.error == "field 'amount' of request must be positive");
  auto errors = logs(out, "error");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].fields["error"] == "console: field 'amount' of request must be positive");
}

TEST_CASE("bank core: events go to the shell that keeps the feed, for any known client") {
  Node n;
  ConsoleIn ask{3, EventsCmd{12, 50}, 2};
  auto q = sent<EventsQuery>(n.step(ask), Actor::console);
  REQUIRE(q.size() == 1);
  CHECK(q[0].client == 3);
  CHECK(q[0].cmd == EventsCmd{12, 50});
}

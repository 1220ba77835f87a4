// Simulation: the seeded network, workload, event loop and invariant checker.
#include "simulation.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <queue>
#include <set>
#include <tuple>
#include <variant>

#include "actors/ledger/chain.hpp"
#include "sim_node.hpp"
#include "tests/unit/seeded_rng.hpp"

namespace bank::sim {

bool replies_only_rule(const MutexCore& m) {
  for (NodeId p : m.peers())
    if (!m.heard_after_own(p)) return false;
  return true;
}

namespace {

struct Event {
  std::int64_t at = 0;
  std::uint64_t order = 0;  // ties broken by creation order: deterministic
  enum class Kind { frame, tick, client, bus, crash, restart, cut, heal } kind = Kind::tick;
  NodeId node = 0;
  std::uint64_t epoch = 0;  // tick/bus: the node incarnation it belongs to; stale ones are void
  std::string bytes;      // frame
  std::uint64_t client = 0;
  Actor to = Actor::bank;                 // bus
  std::shared_ptr<BusMessage> msg;        // bus
  bool operator>(const Event& o) const { return at != o.at ? at > o.at : order > o.order; }
};

struct Client {
  NodeId node = 0;
  TransferCmd cmd;
  std::int64_t sent_at = 0;
  nlohmann::json reply;    // null until answered
  bool delivered = false;  // reached its node
  bool lost = false;       // its node crashed (or was down) before answering
};

std::uint64_t fnv(std::uint64_t h, std::string_view s) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

class Run {
 public:
  explicit Run(const SimOptions& o) : opt_(o), rng_(o.seed) {}

  SimResult go() {
    setup();
    while (!events_.empty() && !result_.violation) {
      Event e = events_.top();
      events_.pop();
      now_ = e.at;
      if (now_ > end_ms_) break;
      if (!calm_ && now_ >= calm_at_) calm_ = true;
      step(e);
      check_invariants();
      if (now_ > calm_at_ && all_answered() && quiet()) break;
    }
    if (!result_.violation) final_checks();
    result_.trace_hash = trace_;
    result_.sim_ms = now_;
    return result_;
  }

 private:
  std::int64_t pick(std::int64_t lo, std::int64_t hi) { return rng_.between(lo, hi); }
  bool chance(std::uint64_t permille) { return rng_.chance(permille, 1000); }

  Event event(std::int64_t at, Event::Kind kind, NodeId node) const {
    Event e;
    e.at = at;
    e.kind = kind;
    e.node = node;
    e.epoch = epoch_.count(node) ? epoch_.at(node) : 0;
    return e;
  }

  void push(Event e) {
    e.order = order_++;
    events_.push(std::move(e));
  }

  void setup() {
    std::size_t n = pick(3, 7);
    result_.nodes = n;
    std::vector<NodeId> ids;
    NodeId id = 0;
    for (std::size_t i = 0; i < n; ++i) ids.push_back(id += pick(1, 3));  // ids need not be dense
    Balances opening;
    for (NodeId i : ids) opening[i] = pick(0, 3) == 0 ? pick(0, 500) : 1000;
    for (const auto& [i, c] : opening) total_ += c;
    genesis_ = Chain::make_genesis(opening);
    ids_ = ids;
    drop_ = chance(700) ? pick(0, 100) : 0;
    dup_ = chance(500) ? pick(0, 50) : 0;
    reorder_ = chance(500) ? pick(0, 100) : 0;
    max_delay_ = pick(1, 15);
    bank_options_ = BankOptions{pick(300, 5000)};
    batch_ = static_cast<std::size_t>(pick(1, 4));
    for (NodeId i : ids) {
      stores_[i] = std::make_shared<MemoryBlockStore>(genesis_);
      incarnation_[i] = 1 + pick(0, 1000);
      boot(i);
    }
    std::int64_t workload_ms = pick(200, 2000);
    std::int64_t healed = workload_ms;
    // Faults: crashes (with a store that loses what was not synced, maybe tearing the last
    // record) and restarts; partitions that cut some nodes off from the rest.
    if (chance(500)) {
      for (std::int64_t k = pick(1, 3); k > 0; --k) {
        Event c = event(pick(0, workload_ms), Event::Kind::crash, ids[pick(0, n - 1)]);
        std::int64_t back = c.at + pick(50, 2500);
        Event r = event(back, Event::Kind::restart, c.node);
        push(std::move(c));
        push(std::move(r));
        healed = std::max(healed, back);
      }
    }
    if (chance(400)) {
      for (std::int64_t k = pick(1, 2); k > 0; --k) {
        Event c = event(pick(0, workload_ms), Event::Kind::cut, 0);
        c.client = pick(1, (std::int64_t{1} << n) - 2);  // a bit per node: this side against the other
        std::int64_t back = c.at + pick(100, 2500);
        Event h = event(back, Event::Kind::heal, 0);
        h.client = c.client;
        push(std::move(c));
        push(std::move(h));
        healed = std::max(healed, back);
      }
    }
    std::size_t per_node = pick(2, 12);
    std::vector<std::pair<NodeId, std::string>> explicit_ids;
    for (NodeId i : ids) {
      for (std::size_t k = 0; k < per_node; ++k) {
        Client c;
        c.node = i;
        do c.cmd.to = ids[pick(0, n - 1)];
        while (c.cmd.to == i);
        c.cmd.amount = pick(1, 600);  // a $10 account overdraws after a few
        c.sent_at = pick(0, workload_ms);
        if (chance(200)) {
          c.cmd.txid = "t" + std::to_string(i) + "-" + std::to_string(k);
          explicit_ids.emplace_back(i, *c.cmd.txid);
        }
        add_client(std::move(c));
      }
    }
    // Retries of explicit txids, some while the first is in flight, some long after.
    for (const auto& [node, txid] : explicit_ids) {
      if (!chance(500)) continue;
      for (std::uint64_t k = 0; k < clients_.size(); ++k) {
        if (clients_[k].cmd.txid != txid || clients_[k].node != node) continue;
        Client c = clients_[k];
        c.sent_at += pick(0, 1500);
        c.reply = nullptr;
        add_client(std::move(c));
        break;
      }
    }
    result_.transfers = clients_.size();
    calm_at_ = healed + 500;
    end_ms_ = calm_at_ + 30000;
    if (opt_.verbose)
      std::printf("seed %llu: %zu nodes, %zu transfers, drop 0.%03llu dup 0.%03llu reorder 0.%03llu delay<=%lldms batch %zu\n",
                  static_cast<unsigned long long>(opt_.seed), n, clients_.size(), static_cast<unsigned long long>(drop_),
                  static_cast<unsigned long long>(dup_), static_cast<unsigned long long>(reorder_),
                  static_cast<long long>(max_delay_), batch_);
  }

  // (Re)starts node i over its store, as a new incarnation.
  void boot(NodeId i) {
    incarnation_[i] += 1 + pick(0, 5);
    ++epoch_[i];
    NodeSettings settings;
    settings.self = i;
    settings.incarnation = incarnation_[i];
    settings.batch = batch_;
    settings.bank = bank_options_;
    settings.entry_rule = opt_.rule;
    for (NodeId n : ids_)
      if (n != i) settings.peers.push_back(n);
    nodes_[i] = std::make_unique<SimNode>(settings, stores_[i]);
    down_.erase(i);
    push(event(now_ + pick(0, 9), Event::Kind::tick, i));
  }

  void crash(NodeId i) {
    if (down_.contains(i)) return;
    faults_ = true;
    ++result_.crashes;
    if (opt_.verbose) std::printf("  t=%lld node %u crashes\n", static_cast<long long>(now_), i);
    stores_[i]->crash(pick(0, 3), chance(500));
    nodes_.erase(i);
    down_.insert(i);
    waiting_since_.erase(i);
    // Its clients lose their connection. One that named a txid tries again later with it.
    for (std::size_t k = 0; k < clients_.size(); ++k) {
      if (clients_[k].node != i || !clients_[k].delivered || !clients_[k].reply.is_null() || clients_[k].lost) continue;
      lost(k);
    }
  }

  void lost(std::size_t k) {
    clients_[k].lost = true;
    if (!clients_[k].cmd.txid) return;
    Client retry = clients_[k];
    retry.lost = false;
    retry.delivered = false;
    retry.sent_at = now_ + pick(100, 3000);
    add_client(std::move(retry));
  }

  bool cut(NodeId a, NodeId b) const {
    for (std::uint64_t side : cuts_) {
      auto on = [&](NodeId x) {
        std::size_t pos = std::find(ids_.begin(), ids_.end(), x) - ids_.begin();
        return (side >> pos) & 1;
      };
      if (on(a) != on(b)) return true;
    }
    return false;
  }

  void add_client(Client c) {
    Event e = event(c.sent_at, Event::Kind::client, c.node);
    e.client = clients_.size();
    push(std::move(e));
    clients_.push_back(std::move(c));
  }

  void step(const Event& e) {
    switch (e.kind) {
      case Event::Kind::crash: return crash(e.node);
      case Event::Kind::restart:
        if (!down_.contains(e.node)) return;
        if (opt_.verbose) std::printf("  t=%lld node %u restarts\n", static_cast<long long>(now_), e.node);
        boot(e.node);
        return;
      case Event::Kind::cut:
        faults_ = true;
        ++result_.partitions;
        cuts_.insert(e.client);
        return;
      case Event::Kind::heal:
        cuts_.erase(e.client);
        return;
      default: break;
    }
    if (down_.contains(e.node)) {
      if (e.kind == Event::Kind::client) lost(e.client);
      return;
    }
    if ((e.kind == Event::Kind::tick || e.kind == Event::Kind::bus) && e.epoch != epoch_[e.node]) return;
    SimNode& node = *nodes_.at(e.node);
    switch (e.kind) {
      case Event::Kind::tick:
        run(node, Actor::network, Tick{now_});
        run(node, Actor::bank, Tick{now_});
        run(node, Actor::ledger, Tick{now_});
        push(event(now_ + 10, Event::Kind::tick, e.node));
        break;
      case Event::Kind::frame:
        run(node, Actor::network, WireIn{e.bytes});
        break;
      case Event::Kind::client:
        clients_[e.client].delivered = true;
        run(node, Actor::bank, ConsoleIn{e.client, clients_[e.client].cmd});
        break;
      case Event::Kind::bus:
        --bus_in_flight_;
        run(node, e.to, *e.msg);
        break;
      default: break;
    }
    track_requests();
  }

  // One actor step; messages for other actors of the node travel as events of their own,
  // 0-3 ms later, in order per pair of actors (an inproc pipe is FIFO).
  void run(SimNode& node, Actor actor, const BusMessage& msg) {
    Outbox out;
    node.step(actor, msg, out);
    for (auto& a : out) {
      if (a.to == Actor::wire || a.to == Actor::console || a.to == Actor::log) {
        route(node.id(), a);
        continue;
      }
      auto& last = pipe_clock_[{node.id(), static_cast<int>(actor), static_cast<int>(a.to)}];
      std::int64_t at = std::max(now_ + pick(0, 3), last);
      last = at;
      Event e = event(at, Event::Kind::bus, node.id());
      e.epoch = epoch_[node.id()];
      e.to = a.to;
      e.msg = std::make_shared<BusMessage>(std::move(a.msg));
      ++bus_in_flight_;
      push(std::move(e));
    }
  }

  void route(NodeId from, Addressed& a) {
    if (auto* w = std::get_if<WireOut>(&a.msg)) {
      ++result_.frames;
      if (cut(from, w->to) || (!calm_ && chance(drop_))) return;
      int copies = (!calm_ && chance(dup_)) ? 2 : 1;
      for (int c = 0; c < copies; ++c) {
        std::int64_t delay = pick(1, max_delay_);
        if (!calm_ && chance(reorder_)) delay += pick(1, 50);
        // Frames on one link stay in order unless this one was picked to be late.
        auto& last = link_clock_[{from, w->to}];
        std::int64_t at = std::max(now_ + delay, delay > max_delay_ ? 0 : last);
        last = std::max(last, at);
        Event f = event(at, Event::Kind::frame, w->to);
        f.bytes = w->bytes;
        push(std::move(f));
      }
    } else if (auto* c = std::get_if<ConsoleOut>(&a.msg)) {
      auto j = console_reply_to_json(c->reply);
      trace_ = fnv(trace_, std::to_string(now_) + " " + std::to_string(from) + " " + j.dump());
      Client& cl = clients_[c->client];
      if (!cl.reply.is_null()) violation("client " + std::to_string(c->client) + " answered twice");
      cl.reply = j;
      if (opt_.verbose) std::printf("  t=%lld node %u client %llu: %s\n", static_cast<long long>(now_), from,
                                    static_cast<unsigned long long>(c->client), j.dump().c_str());
    } else if (auto* l = std::get_if<LogOut>(&a.msg)) {
      std::string line = std::to_string(now_) + " " + std::to_string(from) + " " + l->event + " " + std::to_string(l->lamport);
      if (l->event != "send" && l->event != "recv") line += l->fields.dump();
      trace_ = fnv(trace_, line);
      if (opt_.verbose && l->event != "send" && l->event != "recv") std::printf("  %s\n", line.c_str());
    }
  }

  void violation(std::string what) {
    if (!result_.violation) result_.violation = "t=" + std::to_string(now_) + "ms: " + std::move(what);
  }

  // Every request is granted within a bound once the network is calm.
  void track_requests() {
    for (auto& [id, n] : nodes_) {
      bool waiting = n->mutex.state() == MutexCore::State::requested || n->mutex.wanted();
      if (!waiting) {
        waiting_since_.erase(id);
      } else if (!waiting_since_.contains(id)) {
        waiting_since_[id] = now_;
      }
    }
  }

  void check_invariants() {
    int holders = 0;
    for (auto& [id, n] : nodes_)
      if (n->mutex.holding()) ++holders;
    if (holders > 1) return violation(std::to_string(holders) + " nodes hold the critical section at once");
    // Every chain, of a running node or on a crashed node's disk, is a prefix of the longest.
    const MemoryBlockStore* longest = nullptr;
    for (auto& [id, st] : stores_)
      if (!longest || st->size() > longest->size()) longest = st.get();
    for (auto& [id, st] : stores_) {
      auto last = st->read(st->size() - 1, 1).front();
      if (longest->read(last.index, 1).front().hash != last.hash)
        return violation("node " + std::to_string(id) + "'s chain is not a prefix of the longest");
    }
    for (auto& [id, n] : nodes_) {
      const Chain& c = n->ledger.chain();
      if (c.table().total() != total_) return violation("node " + std::to_string(id) + " does not conserve money");
      for (const auto& [acct, cents] : c.table().balances())
        if (cents < 0) return violation("account " + std::to_string(acct) + " is negative at node " + std::to_string(id));
      auto w = waiting_since_.find(id);
      if (calm_ && w != waiting_since_.end() && now_ - std::max(w->second, calm_at_) > grant_bound_ms_)
        return violation("node " + std::to_string(id) + "'s request waited over " + std::to_string(grant_bound_ms_) +
                         "ms on a calm network");
    }
  }

  bool all_answered() const {
    for (const auto& c : clients_)
      if (c.reply.is_null() && !c.lost) return false;
    return true;
  }

  bool quiet() const {
    if (bus_in_flight_ || !down_.empty()) return false;
    for (const auto& [id, n] : nodes_) {
      if (n->mutex.state() != MutexCore::State::idle || n->mutex.wanted() || n->bank.pending()) return false;
      for (const auto& [p, _] : nodes_)
        if (p != id && n->network.session(p)->unacked()) return false;
    }
    return true;
  }

  void final_checks() {
    if (!all_answered()) {
      std::string which;
      for (std::size_t k = 0; k < clients_.size(); ++k)
        if (clients_[k].reply.is_null() && !clients_[k].lost)
          which += " " + std::to_string(k) + "@node" + std::to_string(clients_[k].node) + "(t=" +
                   std::to_string(clients_[k].sent_at) + ")";
      return violation("transfers never answered:" + which);
    }
    std::uint64_t height = nodes_.begin()->second->ledger.chain().height();
    for (auto& [id, n] : nodes_) {
      const Chain& c = n->ledger.chain();
      if (c.height() != height) {
        std::string heights;
        for (auto& [i, m] : nodes_) {
          heights += " node " + std::to_string(i) + ": height " + std::to_string(m->ledger.chain().height()) + ", queue";
          for (const Stamp& q : m->mutex.queue()) heights += " (" + std::to_string(q.ts) + "," + std::to_string(q.node) + ")";
          heights += ";";
        }
        return violation("chains differ in height at the end:" + heights);
      }
      if (n->bank.table().balances() != c.table().balances())
        return violation("node " + std::to_string(id) + "'s bank and ledger disagree on balances at the end");
      auto v = Chain::verify(c.range(0, UINT64_MAX));
      if (!v) return violation("node " + std::to_string(id) + "'s chain fails verification: " + v.error().message);
    }
    const Chain& chain = nodes_.begin()->second->ledger.chain();
    std::map<std::pair<NodeId, std::string>, std::uint64_t> in_chain;  // (from, txid) -> index
    for (std::uint64_t i = 1; i <= chain.height(); ++i) {
      const Block block = chain.at(i);
      const Tx& tx = *block.tx;
      if (!in_chain.emplace(std::pair{tx.from, tx.txid}, i).second)
        return violation("txid " + tx.txid + " is in the chain twice");
    }
    std::map<std::pair<NodeId, std::string>, std::string> outcome;
    for (const auto& c : clients_) {
      if (c.lost) {
        ++result_.lost;
        continue;
      }
      const auto& r = c.reply;
      std::string status = r.value("status", "");
      if (status == "timeout") {
        // A calm network answers a 3 s acquire timeout in time; short ones may expire in a
        // queue of seven nodes repairing lost frames.
        if (!faults_ && bank_options_.acquire_timeout_ms >= 3000)
          return violation("a transfer timed out without partitions or crashes");
        ++result_.timeouts;
        continue;
      }
      std::string txid = r.value("txid", "");
      bool in = in_chain.contains({c.node, txid});
      if (status == "committed") {
        ++result_.committed;
        if (!in) return violation("committed transfer " + txid + " is not in the chain");
      } else if (status == "aborted") {
        ++result_.aborted;
        if (in) return violation("aborted transfer " + txid + " is in the chain");
      } else {
        return violation("unexpected reply " + r.dump());
      }
      if (c.cmd.txid) {
        auto [it, fresh] = outcome.emplace(std::pair{c.node, *c.cmd.txid}, status);
        if (!fresh && it->second != status) return violation("a retry of " + *c.cmd.txid + " changed its outcome");
      }
    }
  }

  SimOptions opt_;
  unit::SeededRng rng_;
  SimResult result_;
  std::map<NodeId, std::unique_ptr<SimNode>> nodes_;  // the running ones
  std::map<NodeId, std::shared_ptr<MemoryBlockStore>> stores_;  // every node's "disk"
  std::map<NodeId, std::uint64_t> incarnation_, epoch_;
  std::set<NodeId> down_;
  std::set<std::uint64_t> cuts_;  // partitions in force, as node bitmasks
  std::vector<NodeId> ids_;
  BankOptions bank_options_;
  std::size_t batch_ = 1;
  bool faults_ = false;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events_;
  std::uint64_t order_ = 0;
  std::size_t bus_in_flight_ = 0;
  std::vector<Client> clients_;
  std::map<std::pair<NodeId, NodeId>, std::int64_t> link_clock_;
  std::map<std::tuple<NodeId, int, int>, std::int64_t> pipe_clock_;
  std::map<NodeId, std::int64_t> waiting_since_;
  Block genesis_;
  Cents total_ = 0;
  std::uint64_t drop_ = 0, dup_ = 0, reorder_ = 0;  // per mille of frames, before the network calms
  std::int64_t max_delay_ = 1;
  std::int64_t now_ = 0, calm_at_ = 0, end_ms_ = 0;
  bool calm_ = false;
  std::uint64_t trace_ = 1469598103934665603ull;
  static constexpr std::int64_t grant_bound_ms_ = 3000;
};

}  // namespace

SimResult run_simulation(const SimOptions& options) { return Run(options).go(); }

}  // namespace bank::sim

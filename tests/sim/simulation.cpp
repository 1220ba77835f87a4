// Simulation: the event loop of one run: it draws the cluster and its faults, boots, crashes
// and restarts nodes, steps each SimNode's actors on the events that reach it, and hands
// frames to the SimNetwork, replies to the Workload and every step to the InvariantChecker.
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
#include "apps/trace/trace_time.hpp"
#include "invariant_checker.hpp"
#include "messages/log_line.hpp"
#include "sim_event.hpp"
#include "sim_network.hpp"
#include "sim_node.hpp"
#include "tests/unit/seeded_rng.hpp"
#include "workload.hpp"

namespace bank::sim {

bool replies_only_rule(const MutexCore& m) {
  for (NodeId p : m.peers())
    if (!m.heard_after_own(p)) return false;
  return true;
}

namespace {

std::uint64_t fnv(std::uint64_t h, std::string_view s) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

class Simulation {
 public:
  explicit Simulation(const SimOptions& o) : opt_(o), rng_(o.seed) {}

  SimResult run() {
    setup();
    while (!events_.empty() && !result_.violation) {
      SimEvent e = events_.top();
      events_.pop();
      now_ = e.at;
      if (now_ > end_ms_) break;
      if (!calm_ && now_ >= calm_at_) {
        calm_ = true;
        network_.calm();
      }
      step(e);
      if (auto broken = checker_.after_event(nodes_, stores_, now_, calm_)) violation(std::move(*broken));
      if (now_ > calm_at_ + settle_ms_ && workload_.all_answered() && quiet()) {
        if (opt_.plant_fork || same_heights()) break;
        // Everything else is done: a node behind must learn of it from the next heartbeat
        // (250 ms) and fetch; a lag that outlasts several is a catch-up that is stuck.
        if (!behind_since_) behind_since_ = now_;
        if (now_ - *behind_since_ > kCatchUpMs) violation(heights_behind());
      } else {
        behind_since_.reset();
      }
    }
    if (!result_.violation && !opt_.plant_fork) timeouts_never_appended();
    if (!result_.violation)
      if (auto broken = checker_.at_end(nodes_, workload_, faults_, bank_options_, result_)) violation(std::move(*broken));
    for (const auto& [id, n] : nodes_)
      trace_ = fnv(trace_, "head " + std::to_string(id) + " " + n->ledger.chain().head());
    result_.trace_hash = trace_;
    result_.sim_ms = now_;
    return result_;
  }

 private:
  SimEvent event(std::int64_t at, SimEvent::Kind kind, NodeId node) const {
    SimEvent e;
    e.at = at;
    e.kind = kind;
    e.node = node;
    e.epoch = epoch_.count(node) ? epoch_.at(node) : 0;
    return e;
  }

  void push(SimEvent e) {
    e.order = order_++;
    events_.push(std::move(e));
  }

  void push_client(std::size_t k) {
    SimEvent e = event(workload_.at(k).sent_at, SimEvent::Kind::client, workload_.at(k).node);
    e.client = k;
    push(std::move(e));
  }

  void setup() {
    const auto n = static_cast<std::size_t>(rng_.between(3, 7));
    result_.nodes = n;
    NodeId id = 0;
    for (std::size_t i = 0; i < n; ++i) ids_.push_back(id += rng_.between(1, 3));  // ids need not be dense
    Balances opening;
    for (NodeId i : ids_) opening[i] = rng_.between(0, 3) == 0 ? rng_.between(0, 500) : 1000;
    Cents total = 0;
    for (const auto& [i, c] : opening) total += c;
    const Block genesis = Chain::make_genesis(opening);
    auto keys = std::make_shared<KeyRing>();
    for (NodeId i : ids_) keys->add_signing_key(i, signer(i).public_key());
    keys_ = std::move(keys);
    network_ = SimNetwork(rng_, ids_);
    bank_options_ = BankOptions{rng_.between(300, 5000)};
    batch_ = static_cast<std::size_t>(rng_.between(1, 4));
    std::map<NodeId, std::vector<Block>> planted;
    if (opt_.plant_fork) {
      planted = plant_fork(genesis, opening);
      settle_ms_ = 2000;
    }
    for (NodeId i : ids_) {
      stores_[i] = std::make_shared<MemoryBlockStore>(genesis);
      for (const Block& b : planted[i]) stores_[i]->append(b);
      stores_[i]->sync();
      stores_[i]->set_sync_lies(opt_.plant == SimOptions::Plant::no_sync);
      incarnation_[i] = 1 + rng_.between(0, 1000);
      boot(i);
    }
    const std::int64_t workload_ms = rng_.between(200, 2000);
    const std::int64_t healed = draw_faults(workload_ms);
    workload_.draw(rng_, ids_, workload_ms);
    for (std::size_t k = 0; k < workload_.size(); ++k) push_client(k);
    result_.transfers = workload_.size();
    calm_at_ = healed + 500;
    end_ms_ = calm_at_ + 30000;
    checker_ = InvariantChecker(total, calm_at_, fork_);
    if (opt_.verbose)
      std::printf("seed %llu: %zu nodes, %zu transfers, drop 0.%03llu dup 0.%03llu reorder 0.%03llu delay<=%lldms batch %zu "
                  "acquire timeout %lldms\n",
                  static_cast<unsigned long long>(opt_.seed), n, workload_.size(),
                  static_cast<unsigned long long>(network_.drop_permille()),
                  static_cast<unsigned long long>(network_.dup_permille()),
                  static_cast<unsigned long long>(network_.reorder_permille()),
                  static_cast<long long>(network_.max_delay_ms()), batch_,
                  static_cast<long long>(bank_options_.acquire_timeout_ms));
  }

  // The planted fork: a shared prefix of 0-3 blocks, then node a's branch and node b's (1-2
  // blocks each, different from the first), synced on their disks; every other node holds a
  // part of the prefix. Returns each node's blocks after genesis.
  std::map<NodeId, std::vector<Block>> plant_fork(const Block& genesis, const Balances& opening) {
    NodeId payer = ids_.front();
    for (NodeId i : ids_)
      if (opening.at(i) > opening.at(payer)) payer = i;
    const NodeId payee = payer == ids_.front() ? ids_.back() : ids_.front();
    // Every block signed by its payer, checked against the cluster's keys as a node would.
    auto grow = [&](const std::vector<Block>& base, const std::string& tag, std::int64_t n, Cents amount) {
      Chain c(genesis, keys_);
      for (const Block& b : base) (void)c.append(b);
      std::vector<Block> out = base;
      for (std::int64_t k = 0; k < n; ++k) {
        Block b = c.next_block(Tx{tag + std::to_string(k), payer, payee, amount, 0});
        b.sig = signer(payer).sign_hash(b.hash);
        if (c.append(b)) break;  // the payer cannot pay (a cluster of empty accounts)
        out.push_back(std::move(b));
      }
      return out;
    };
    const auto last = static_cast<std::int64_t>(ids_.size()) - 1;
    const std::vector<Block> prefix = grow({}, "prefix-", rng_.between(0, 3), 1);
    Fork fork;
    fork.at = prefix.size() + 1;
    fork.a = ids_[rng_.between(0, last)];
    do fork.b = ids_[rng_.between(0, last)];
    while (fork.b == fork.a);
    std::map<NodeId, std::vector<Block>> held;
    const std::int64_t a_len = rng_.between(1, 2);
    held[fork.a] = grow(prefix, "fork-a-", a_len, 1);
    const std::int64_t b_len = rng_.between(1, 2);
    held[fork.b] = grow(prefix, "fork-b-", b_len, 2);
    for (NodeId i : ids_)
      if (i != fork.a && i != fork.b)
        held[i].assign(prefix.begin(), prefix.begin() + rng_.between(0, static_cast<std::int64_t>(prefix.size())));
    for (NodeId i : {fork.a, fork.b})
      for (std::size_t k = prefix.size(); k < held[i].size(); ++k) fork.planted[held[i][k].index].insert(held[i][k].hash);
    if (opt_.verbose)
      std::printf("fork planted at index %llu: node %u holds %zu blocks, node %u %zu, the others part of %zu\n",
                  static_cast<unsigned long long>(fork.at), fork.a, held[fork.a].size(), fork.b, held[fork.b].size(),
                  prefix.size());
    fork_ = std::move(fork);
    return held;
  }

  // Crashes (over a store that loses what was not synced, maybe tearing the last record)
  // and restarts; partitions that cut some nodes off from the rest. Returns when the last
  // fault is over (at least `workload_ms`).
  std::int64_t draw_faults(std::int64_t workload_ms) {
    const auto last = static_cast<std::int64_t>(ids_.size()) - 1;
    std::int64_t healed = workload_ms;
    if (rng_.chance(500, 1000)) {
      for (std::int64_t k = rng_.between(1, 3); k > 0; --k) {
        // One draw per statement: the order of a call's arguments is unspecified, and GCC
        // and Clang evaluate them in opposite orders.
        const NodeId node = ids_[rng_.between(0, last)];
        SimEvent c = event(rng_.between(0, workload_ms), SimEvent::Kind::crash, node);
        // Some come back at once (a supervisor's restart), before peers notice the silence.
        std::int64_t back = c.at + (rng_.chance(300, 1000) ? rng_.between(1, 30) : rng_.between(50, 2500));
        SimEvent r = event(back, SimEvent::Kind::restart, c.node);
        push(std::move(c));
        push(std::move(r));
        healed = std::max(healed, back);
      }
    }
    if (rng_.chance(400, 1000)) {
      for (std::int64_t k = rng_.between(1, 2); k > 0; --k) {
        SimEvent c = event(rng_.between(0, workload_ms), SimEvent::Kind::cut, 0);
        // Neither no node nor every node: both sides have someone.
        c.partition.side = static_cast<std::uint64_t>(rng_.between(1, (std::int64_t{1} << ids_.size()) - 2));
        std::int64_t back = c.at + rng_.between(100, 2500);
        SimEvent h = event(back, SimEvent::Kind::heal, 0);
        h.partition = c.partition;
        push(std::move(c));
        push(std::move(h));
        healed = std::max(healed, back);
      }
    }
    // A thread that stops for a while (a page fault, a scheduler that looks elsewhere): one
    // of a node's internal pipes delivers nothing for 20-200 ms, then all it held, in order.
    if (rng_.chance(300, 1000)) {
      for (std::int64_t k = rng_.between(1, 3); k > 0; --k) {
        Stall st;
        st.node = ids_[rng_.between(0, last)];
        st.to = static_cast<Actor>(rng_.between(0, 3));  // network, mutex, ledger or bank
        st.from = rng_.between(0, workload_ms);
        st.until = st.from + rng_.between(20, 200);
        healed = std::max(healed, st.until);
        stalls_.push_back(st);
      }
    }
    // A crash right after a node sent a protocol message (its n-th reply, release or ack),
    // when the receiver may hold what the sender's disk does not, and a restart 1-500 ms on.
    if (rng_.chance(300, 1000)) {
      for (std::int64_t k = rng_.between(1, 2); k > 0; --k) {
        static constexpr const char* kinds[] = {"reply", "release", "ack"};
        Armed a;
        a.node = ids_[rng_.between(0, last)];
        a.type = std::string("\"type\":\"") + kinds[rng_.between(0, 2)] + "\"";
        a.left = rng_.between(1, 20);
        a.down_ms = rng_.between(1, 500);
        armed_.push_back(std::move(a));
      }
      healed = std::max(healed, workload_ms + 2500);  // a late trigger: calm comes after its restart
    }
    return healed;
  }

  // A frame `from` sends: an armed crash whose message this is counts it, and fires on its last.
  void maybe_fire(NodeId from, const std::string& bytes) {
    for (Armed& a : armed_) {
      // Only before calm: a calm network is one whose faults are over.
      if (a.node != from || a.left == 0 || now_ >= calm_at_ || bytes.find(a.type) == std::string::npos) continue;
      if (--a.left > 0) continue;
      if (opt_.verbose) std::printf("  t=%lld node %u crashes after sending %s\n", static_cast<long long>(now_), from, a.type.c_str());
      push(event(now_, SimEvent::Kind::crash, from));
      push(event(now_ + a.down_ms, SimEvent::Kind::restart, from));
    }
  }

  // (Re)starts node i over its store, as a new incarnation.
  void boot(NodeId i) {
    incarnation_[i] += 1 + rng_.between(0, 5);
    ++epoch_[i];
    NodeSettings settings;
    settings.self = i;
    settings.incarnation = incarnation_[i];
    settings.batch = batch_;
    settings.bank = bank_options_;
    settings.entry_rule = opt_.rule;
    settings.keys = keys_;
    settings.signer = signer(i);
    for (NodeId p : ids_)
      if (p != i) settings.peers.push_back(p);
    nodes_[i] = std::make_unique<SimNode>(settings, stores_[i]);
    down_.erase(i);
    log_line(i, LogOut{"start", 0, {{"incarnation", incarnation_[i]}, {"height", nodes_[i]->ledger.chain().height()}}});
    push(event(now_ + rng_.between(0, 9), SimEvent::Kind::tick, i));
  }

  void crash(NodeId i) {
    if (down_.contains(i)) return;
    faults_ = true;
    ++result_.crashes;
    if (opt_.verbose) std::printf("  t=%lld node %u crashes\n", static_cast<long long>(now_), i);
    const bool torn = rng_.chance(500, 1000);
    const auto unsynced_kept = static_cast<std::size_t>(rng_.between(0, 3));
    stores_[i]->crash(unsynced_kept, torn);
    nodes_.erase(i);
    down_.insert(i);
    // Its clients lose their connection. One that named a txid tries again later with it.
    for (std::size_t retry : workload_.node_crashed(rng_, i, now_)) push_client(retry);
  }

  void step(const SimEvent& e) {
    switch (e.kind) {
      case SimEvent::Kind::crash: return crash(e.node);
      case SimEvent::Kind::restart:
        if (!down_.contains(e.node)) return;
        if (opt_.verbose) std::printf("  t=%lld node %u restarts\n", static_cast<long long>(now_), e.node);
        boot(e.node);
        return;
      case SimEvent::Kind::cut:
        faults_ = true;
        ++result_.partitions;
        network_.cut(e.partition);
        return;
      case SimEvent::Kind::heal: network_.heal(e.partition); return;
      default: break;
    }
    if (down_.contains(e.node)) {
      if (e.kind == SimEvent::Kind::client)
        if (auto retry = workload_.lose(rng_, e.client, now_)) push_client(*retry);
      return;
    }
    if ((e.kind == SimEvent::Kind::tick || e.kind == SimEvent::Kind::bus) && e.epoch != epoch_[e.node]) return;
    SimNode& node = *nodes_.at(e.node);
    switch (e.kind) {
      case SimEvent::Kind::tick:
        run(node, Actor::network, Tick{now_});
        run(node, Actor::bank, Tick{now_});
        run(node, Actor::ledger, Tick{now_});
        push(event(now_ + 10, SimEvent::Kind::tick, e.node));
        break;
      case SimEvent::Kind::frame: run(node, Actor::network, WireIn{e.bytes}); break;
      case SimEvent::Kind::client:
        workload_.delivered(e.client);
        run(node, Actor::bank, ConsoleIn{e.client, workload_.at(e.client).cmd});
        break;
      case SimEvent::Kind::bus:
        --bus_in_flight_;
        run(node, e.to, *e.msg);
        break;
      default: break;
    }
  }

  // One actor step; messages for other actors of the node travel as events of their own,
  // 0-3 ms later, in order per pair of actors (an inproc pipe is FIFO).
  void run(SimNode& node, Actor actor, const BusMessage& msg) {
    Outbox out;
    node.set_now_us(now_ * 1000);
    node.step(actor, msg, out);
    for (auto& a : out) {
      if (a.to == Actor::wire || a.to == Actor::console || a.to == Actor::log) {
        route(node.id(), a);
        continue;
      }
      if (opt_.plant == SimOptions::Plant::keep_timed_out && std::holds_alternative<Unstage>(a.msg)) continue;
      if (const auto* r = std::get_if<Release>(&a.msg))
        for (const Block& b : r->blocks) check_synced(node.id(), b, "released");
      if (const auto* d = std::get_if<Committed>(&a.msg); d && d->own_exit)
        for (const Block& b : d->blocks) own_commits_[{node.id(), b.tx->txid}].push_back(epoch_[node.id()]);
      auto& last = pipe_clock_[{node.id(), static_cast<int>(actor), static_cast<int>(a.to)}];
      std::int64_t at = std::max(now_ + rng_.between(0, 3), last);
      for (const Stall& st : stalls_)
        if (st.node == node.id() && st.to == a.to && st.from <= now_ && now_ < st.until) at = std::max(at, st.until);
      last = at;
      SimEvent e = event(at, SimEvent::Kind::bus, node.id());
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
      maybe_fire(from, w->bytes);
      for (std::int64_t at : network_.arrivals(rng_, from, w->to, now_)) {
        SimEvent f = event(at, SimEvent::Kind::frame, w->to);
        f.bytes = w->bytes;
        push(std::move(f));
      }
    } else if (auto* c = std::get_if<ConsoleOut>(&a.msg)) {
      if (const auto* d = std::get_if<TransferDone>(&c->reply)) check_synced(from, d->block, "told a client of");
      auto j = console_reply_to_json(c->reply);
      trace_ = fnv(trace_, std::to_string(now_) + " " + std::to_string(from) + " " + j.dump());
      if (opt_.verbose) std::printf("  t=%lld node %u client %llu: %s\n", static_cast<long long>(now_), from,
                                    static_cast<unsigned long long>(c->client), j.dump().c_str());
      if (!workload_.answer(c->client, std::move(j))) violation("client " + std::to_string(c->client) + " answered twice");
      answer_epoch_[c->client] = epoch_[from];
    } else if (auto* l = std::get_if<LogOut>(&a.msg)) {
      log_line(from, *l);
      std::string line = std::to_string(now_) + " " + std::to_string(from) + " " + l->event + " " + std::to_string(l->lamport);
      if (l->event != "send" && l->event != "recv") line += l->members.empty() ? l->fields.dump() : "{" + l->members + "}";
      trace_ = fnv(trace_, line);
      if (opt_.verbose && l->event != "send" && l->event != "recv") std::printf("  %s\n", line.c_str());
    }
  }

  // The line bank-node would write, for SimOptions::log_lines. Its clock never goes back
  // and no two lines share a microsecond, so the order of the lines is the order of events.
  void log_line(NodeId node, const LogOut& l) {
    // As a node with the default `log: protocol` writes: no heartbeats or acks.
    if (!opt_.log_lines || (l.upkeep && (l.event == "send" || l.event == "recv"))) return;
    log_us_ = std::max(now_ * 1000, log_us_ + 1);
    opt_.log_lines->push_back(SimLogLine{node, bank::log_line(l, node, trace::TraceTime::format(log_us_))});
  }

  // A transfer answered `timeout` is never appended, before or after the answer: the bank
  // takes it back from the ledger before it answers. Its txid may be appended all the same
  // by another request naming it (a retry), or, for a txid the node made, reused by the
  // node's next incarnation for a new transfer (k of `N-k` counts from 1 at each start).
  void timeouts_never_appended() {
    for (std::size_t k = 0; k < workload_.size(); ++k) {
      const auto& c = workload_.at(k);
      if (c.lost || c.reply.value("status", "") != "timeout") continue;
      const std::string txid = c.reply.value("txid", "");
      auto commits = own_commits_.find({c.node, txid});
      if (commits == own_commits_.end()) continue;
      const bool same_run = std::find(commits->second.begin(), commits->second.end(), answer_epoch_[k]) != commits->second.end();
      const bool retried = std::any_of(workload_.clients().begin(), workload_.clients().end(), [&](const auto& o) {
        return &o != &c && o.node == c.node && o.cmd.txid == txid && (o.lost || o.reply.value("status", "") != "timeout");
      });
      if (c.cmd.txid ? !retried : same_run) return violation("transfer " + txid + " was answered timeout, yet it was appended");
    }
  }

  // The durability promises, checked where they are made: a release carries only blocks
  // synced at its author, and a client hears `committed` only of a block synced at its node.
  void check_synced(NodeId node, const Block& b, const char* what) {
    if (b.index >= stores_.at(node)->synced_blocks())
      violation("node " + std::to_string(node) + " " + what + " block " + std::to_string(b.index) +
                " before it was synced");
  }

  void violation(std::string what) {
    if (!result_.violation) result_.violation = "t=" + std::to_string(now_) + "ms: " + std::move(what);
  }

  // Nothing left to happen by itself: no message or request under way and every link up
  // both ways. A restarted node whose old incarnation missed a release sends nothing and has
  // nothing unacked, yet it is still to greet its peers and learn their heights: the run
  // ends once the chains are as long as each other too (see run()), not before.
  bool quiet() const {
    if (bus_in_flight_ || !down_.empty()) return false;
    for (const auto& [id, n] : nodes_) {
      if (n->mutex.state() != MutexCore::State::idle || n->mutex.wanted() || n->bank.pending()) return false;
      for (const auto& [p, _] : nodes_)
        if (p != id && (n->network.session(p)->unacked() || !n->network.session(p)->up())) return false;
    }
    return true;
  }

  bool same_heights() const {
    const std::uint64_t height = nodes_.begin()->second->ledger.chain().height();
    for (const auto& [id, n] : nodes_)
      if (n->ledger.chain().height() != height) return false;
    return true;
  }

  std::string heights_behind() const {
    std::uint64_t top = 0;
    for (const auto& [id, n] : nodes_) top = std::max(top, n->ledger.chain().height());
    std::string behind;
    for (const auto& [id, n] : nodes_)
      if (const auto h = n->ledger.chain().height(); h < top)
        behind += " node " + std::to_string(id) + " at " + std::to_string(h) + ";";
    return "a node stayed behind a quiet cluster for " + std::to_string(kCatchUpMs) + " ms (height " +
           std::to_string(top) + "):" + behind;
  }

  SimOptions opt_;
  unit::SeededRng rng_;
  SimResult result_;
  SimNodes nodes_;    // the running ones
  SimStores stores_;  // every node's "disk"
  std::map<NodeId, std::uint64_t> incarnation_, epoch_;
  std::set<NodeId> down_;
  std::vector<NodeId> ids_;
  SimNetwork network_;
  Workload workload_;
  InvariantChecker checker_;
  BankOptions bank_options_;
  // Every node's signing key, derived from its id alone (so the schedule the seed draws is
  // the same as without keys); the chains check each batch's signature with them.
  std::shared_ptr<const KeyRing> keys_;
  static Signer signer(NodeId i) {
    std::array<unsigned char, 32> seed{};
    for (std::size_t k = 0; k < seed.size(); ++k) seed[k] = static_cast<unsigned char>(i * 31 + k);
    return Signer::from_seed(seed);
  }
  std::size_t batch_ = 1;
  bool faults_ = false;
  struct Stall {
    NodeId node = 0;
    Actor to = Actor::network;
    std::int64_t from = 0, until = 0;
  };
  std::vector<Stall> stalls_;
  struct Armed {
    NodeId node = 0;
    std::string type;       // the frame's "type":"..." member
    std::int64_t left = 0;  // frames of that type to send before the crash
    std::int64_t down_ms = 0;
  };
  std::vector<Armed> armed_;
  // Each own block a node appended, by (node, txid): the epochs (incarnations) it did so in.
  std::map<std::pair<NodeId, std::string>, std::vector<std::uint64_t>> own_commits_;
  std::map<std::size_t, std::uint64_t> answer_epoch_;  // client -> the epoch of the node that answered it
  std::priority_queue<SimEvent, std::vector<SimEvent>, std::greater<SimEvent>> events_;
  std::uint64_t order_ = 0;
  std::size_t bus_in_flight_ = 0;
  std::map<std::tuple<NodeId, int, int>, std::int64_t> pipe_clock_;
  std::int64_t now_ = 0, calm_at_ = 0, end_ms_ = 0;
  std::int64_t log_us_ = -1;  // the last log line's ts
  bool calm_ = false;
  std::uint64_t trace_ = 1469598103934665603ull;
  using Fork = InvariantChecker::Fork;
  std::optional<Fork> fork_;
  // Since when the cluster has been quiet with a node behind (see run()), and how long that
  // may last: several heartbeats (250 ms) and a catch-up's round trips.
  std::optional<std::int64_t> behind_since_;
  static constexpr std::int64_t kCatchUpMs = 3000;
  // With a planted fork, at least this long past calm before a quiet run may end: the links
  // come up and the catch-ups finish that find the fork.
  std::int64_t settle_ms_ = 0;
};

}  // namespace

SimResult run_simulation(const SimOptions& options) { return Simulation(options).run(); }

}  // namespace bank::sim

// ClusterWatch: one thread per node, so a silent node costs only its own rounds; each round's
// answers are gathered first and stored under the lock at once, so a snapshot never holds
// half a round.
#include "apps/live/cluster_watch.hpp"

#include <algorithm>

namespace bank::live {

namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using clock = std::chrono::steady_clock;

constexpr milliseconds kReplyWithin{1000};
constexpr milliseconds kConnectWithin{300};
constexpr std::size_t kMaxEventsKept = 20'000;  // per node, whatever keep_events says
constexpr std::uint64_t kPage = 1000;           // the most events a node gives per reply
constexpr std::uint64_t kRecentEvents = 300;    // a follower that is behind reads this many of the newest

std::int64_t now_ms() {
  return std::chrono::duration_cast<milliseconds>(clock::now().time_since_epoch()).count();
}

}  // namespace

Result<std::optional<ConsoleKeys>> ClusterWatch::reader_keys(const ClusterConfig& config, NodeId node,
                                                             const std::optional<std::filesystem::path>& key) {
  if (!config.security || key) return ConsoleClient::keys_for(config, node, key);
  NodeId reader = node;
  for (const auto& n : config.nodes)
    if (n.id > node) {
      reader = n.id;
      break;
    }
  if (reader == node && config.nodes.front().id != node) reader = config.nodes.front().id;
  return ConsoleClient::keys_for(config, node, config.keys_dir / ("client-" + std::to_string(reader) + ".secret"));
}

ClusterWatch::ClusterWatch(const ClusterConfig& config, std::optional<std::filesystem::path> key, Options options)
    : config_(config), key_(std::move(key)), options_(options) {
  for (const auto& n : config_.nodes) {
    auto& v = views_[n.id];
    v.id = n.id;
    v.endpoint = n.host + ":" + std::to_string(n.console);
    v.why_down = "not asked yet";
  }
}

ClusterWatch::~ClusterWatch() {
  stop_ = true;
  for (auto& t : threads_) t.join();
}

std::optional<Error> ClusterWatch::start() {
  std::map<NodeId, std::optional<ConsoleKeys>> keys;
  for (const auto& n : config_.nodes) {
    auto k = reader_keys(config_, n.id, key_);
    if (!k) return k.error();
    keys[n.id] = *k;
  }
  for (auto& [id, k] : keys) threads_.emplace_back([this, id = id, k = k] { follow(id, k); });
  threads_.emplace_back([this] { sample_rates(); });
  return std::nullopt;
}

std::map<NodeId, NodeView> ClusterWatch::snapshot() const {
  std::lock_guard lock(mutex_);
  return views_;
}

RateHistory ClusterWatch::rates() const {
  std::lock_guard lock(mutex_);
  return rates_;
}

void ClusterWatch::sample_rates() {
  auto next = clock::now();
  while (!stopping()) {
    {
      std::lock_guard lock(mutex_);
      std::map<NodeId, RateHistory::NodeCounts> counts;
      for (const auto& [id, v] : views_)
        if (v.up && !v.metrics.is_null())
          if (auto c = RateHistory::counts_of(v.metrics)) counts[id] = std::move(*c);
      rates_.add(now_ms(), counts);
    }
    next += std::chrono::seconds(1);
    while (!stopping() && clock::now() < next) std::this_thread::sleep_for(milliseconds(50));
  }
}

void ClusterWatch::follow(NodeId id, std::optional<ConsoleKeys> keys) {
  const auto* node = config_.find(id);
  ConsoleClient client(ctx_, node->host, node->console, std::move(keys));
  client.fail_fast(kConnectWithin);
  client.stop_when([this] { return stopping(); });
  // Where this node's feed is read up to; nullopt: find its newest event first (after a
  // start, or a restart, whose numbering begins again at 1).
  std::optional<std::uint64_t> since;
  std::uint64_t last_height = ~std::uint64_t{0};
  json blocks = json::array();
  auto ask = [&](const json& request) -> Result<json> {
    auto reply = client.exchange(request.dump(), kReplyWithin);
    if (!reply) return reply.error();
    auto j = json::parse(*reply, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return make_error("live.bad_reply", "the reply is not a JSON object");
    if (j.value("ok", false) != true)
      return make_error("live.refused", j.value("status", std::string("not ok")) + ": " + j.value("error", std::string()));
    return j;
  };
  // The newest event's number, knowing events above `known` exist or `known` is 0: the largest
  // S for which events above S exist, found with a few asks of one event each.
  auto newest_event = [&](std::uint64_t known) -> Result<std::uint64_t> {
    std::uint64_t lo = known, step = 1024, hi = lo + step;
    for (;;) {  // gallop: find an S with nothing above it
      auto r = ask({{"cmd", "events"}, {"since", hi}, {"limit", 1}});
      if (!r) return r.error();
      if (r->at("events").empty()) break;
      lo = hi;
      step *= 2;
      hi = lo + step;
    }
    while (hi - lo > 1) {  // events above lo exist (or lo is where we began), none above hi
      const auto mid = lo + (hi - lo) / 2;
      auto r = ask({{"cmd", "events"}, {"since", mid}, {"limit", 1}});
      if (!r) return r.error();
      (r->at("events").empty() ? hi : lo) = mid;
    }
    return lo;
  };

  while (!stopping()) {
    const auto round_start = clock::now();
    std::optional<Error> failed;
    std::vector<json> new_events;
    std::uint64_t missed = 0;
    bool restarted_feed = !since.has_value();
    auto status = ask({{"cmd", "status"}});
    if (!status) failed = status.error();
    json balances, metrics;
    if (!failed) {
      auto b = ask({{"cmd", "balance"}});
      if (!b) failed = b.error();
      else balances = (*b)["balances"];
    }
    if (!failed) {
      const auto height = status->value("height", std::uint64_t{0});
      if (height != last_height) {
        const auto from = height + 1 > kBlocks ? height + 1 - kBlocks : 0;
        auto c = ask({{"cmd", "chain"}, {"from", from}});
        if (!c) failed = c.error();
        else {
          blocks = (*c)["blocks"];
          last_height = height;
        }
      }
    }
    if (!failed) {
      auto m = ask({{"cmd", "metrics"}});
      if (!m) failed = m.error();
      else metrics = (*m)["metrics"];
    }
    if (!failed && options_.events) {
      // What a view shows is the last seconds: a follower that is behind (a page came full)
      // skips to the newest kRecentEvents rather than reading every event of a busy node.
      auto catch_up = [&](std::uint64_t known) {
        auto newest = newest_event(known);
        if (!newest) failed = newest.error();
        else since = std::max(since.value_or(0), *newest > kRecentEvents ? *newest - kRecentEvents : 0);
      };
      if (!since) catch_up(0);
      for (int page = 0; !failed && page < 2; ++page) {
        auto e = ask({{"cmd", "events"}, {"since", *since}, {"limit", kPage}});
        if (!e) {
          failed = e.error();
          break;
        }
        const auto first = e->value("first", std::uint64_t{0});
        if (first > *since + 1 && page == 0) missed += first - *since - 1;
        auto& evs = (*e)["events"];
        if (evs.size() >= kPage && page == 0) {  // behind: again from the newest ones
          restarted_feed = true;  // what was kept would leave a gap before them
          catch_up(e->value("next", *since));
          continue;
        }
        for (auto& ev : evs) new_events.push_back(std::move(ev));
        since = e->value("next", *since);
        break;
      }
    }

    {
      std::lock_guard lock(mutex_);
      auto& v = views_[id];
      if (failed) {
        v.up = false;
        v.in_cs = false;
        v.why_down = failed->message;
        since.reset();  // a node that comes back numbers its events from 1 again
        last_height = ~std::uint64_t{0};
      } else {
        v.up = true;
        v.answered = true;
        v.why_down.clear();
        v.status = std::move(*status);
        v.balances = std::move(balances);
        v.blocks = blocks;
        v.metrics = std::move(metrics);
        if (restarted_feed) {
          v.events.clear();
          v.arrivals.clear();
        }
        v.events_missed += missed;
        const auto arrived = now_ms();
        for (auto& ev : new_events) {
          const auto kind = ev.value("event", std::string());
          if (kind == "cs_enter") v.in_cs = true;
          if (kind == "cs_exit" || kind == "stop") v.in_cs = false;
          v.events.push_back(std::move(ev));
          v.arrivals.push_back(arrived);
        }
        const auto keep_from = arrived - options_.keep_events.count();
        while (!v.events.empty() && (v.events.size() > kMaxEventsKept || v.arrivals.front() < keep_from)) {
          v.events.pop_front();
          v.arrivals.pop_front();
        }
      }
    }
    auto next = round_start + options_.interval;
    while (!stopping() && clock::now() < next) std::this_thread::sleep_for(milliseconds(20));
  }
}

}  // namespace bank::live

// FeedFollower: one REQ at a time per node (ConsoleClient opens a fresh socket per ask, so a
// lost reply never wedges the next); a silent node costs at most a second per round.
#include "apps/trace/feed_follower.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <thread>

#include "client/console_client.hpp"

namespace bank::trace {

std::optional<Error> FeedFollower::follow(std::chrono::milliseconds how_long, const std::function<bool()>& stop,
                                          TraceReader& reader, std::FILE* progress) {
  using clock = std::chrono::steady_clock;
  zmq::context_t ctx(1);
  struct Node {
    std::unique_ptr<ConsoleClient> client;
    std::unique_ptr<FeedCursor> cursor;
    bool answered = false, said_silent = false;
  };
  std::map<NodeId, Node> nodes;
  for (const auto& n : config_.nodes) {
    auto keys = ConsoleClient::keys_for(config_, n.id, key_);
    if (!keys) return keys.error();
    const std::size_t source = reader.next_source();
    reader.name_source("node " + std::to_string(n.id) + " feed");
    nodes[n.id] = Node{std::make_unique<ConsoleClient>(ctx, n.host, n.console, *keys),
                       std::make_unique<FeedCursor>(n.id, source), false, false};
    nodes[n.id].client->stop_when(stop);
  }
  const auto deadline = clock::now() + how_long;
  auto said = clock::now();
  std::size_t events = 0;
  for (bool last_round = false;;) {
    for (auto& [id, n] : nodes) {
      for (bool more = true; more;) {
        more = false;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        auto timeout = std::clamp(left, std::chrono::milliseconds(300), std::chrono::milliseconds(1000));
        auto reply = n.client->ask_raw(n.cursor->request(), timeout);
        if (!reply) {
          if (!n.said_silent && progress && !(stop && stop()))
            std::fprintf(progress, "bank-trace: node %u does not answer (yet); asking again\n", id);
          n.said_silent = true;
          break;
        }
        n.answered = true;
        auto page = n.cursor->take(*reply);
        if (!page) return page.error();
        if (page->missed && progress)
          std::fprintf(progress, "bank-trace: node %u dropped %llu events from its feed before they were read\n", id,
                       static_cast<unsigned long long>(page->missed));
        events += page->events.size();
        reader.add_events(std::move(page->events));
        more = page->full && !(stop && stop());
      }
    }
    if (last_round || (stop && stop())) break;
    if (progress && clock::now() - said >= std::chrono::seconds(1)) {
      said = clock::now();
      auto left = std::chrono::duration_cast<std::chrono::seconds>(deadline - clock::now()).count();
      std::fprintf(progress, "bank-trace: following %zu nodes: %zu events so far, %llds left\n", nodes.size(), events,
                   static_cast<long long>(std::max<decltype(left)>(left, 0)));
    }
    if (clock::now() >= deadline) {
      last_round = true;  // one more page from each: what happened up to the deadline
      continue;
    }
    std::this_thread::sleep_for(std::min<clock::duration>(std::chrono::milliseconds(200), deadline - clock::now()));
  }
  for (const auto& [id, n] : nodes) {
    if (n.cursor->first_kept() > 1 && progress)
      std::fprintf(progress, "bank-trace: node %u's feed began at event %llu: older ones were no longer kept\n", id,
                   static_cast<unsigned long long>(n.cursor->first_kept()));
  }
  bool any = false;
  for (const auto& [id, n] : nodes) any = any || n.answered;
  if (!any) return make_error("trace.no_answer", "no node of the config answered the events command");
  return std::nullopt;
}

}  // namespace bank::trace

// CliSession: resolution of the target, one handler per command, and the chain's paging.
#include "apps/cli/cli_session.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <thread>

#include "apps/cli/arguments.hpp"
#include "apps/cli/reply_text.hpp"
#include "apps/cli/terminal_screen.hpp"
#include "apps/cli/watch_screen.hpp"
#include "apps/live/cluster_watch.hpp"
#include "apps/live/live_state.hpp"

namespace bank::cli {

namespace {

unsigned long long ull(std::uint64_t x) { return static_cast<unsigned long long>(x); }

std::string node_ids(const ClusterConfig& config) {
  std::string ids;
  for (const auto& n : config.nodes) ids += (ids.empty() ? "" : ", ") + std::to_string(n.id);
  return ids;
}

bool is_failure(const Result<ConsoleReply>& reply) {
  return !reply || std::holds_alternative<FailureReply>(*reply);
}

}  // namespace

CliSession::CliSession(zmq::context_t& ctx, Environment env) : ctx_(ctx), env_(std::move(env)) {}

const std::map<std::string, CliSession::Handler>& CliSession::handlers() {
  static const std::map<std::string, Handler> table = {
      {"transfer", &CliSession::transfer}, {"balance", &CliSession::balance}, {"chain", &CliSession::chain},
      {"status", &CliSession::status},     {"verify", &CliSession::verify},     {"metrics", &CliSession::metrics},
      {"events", &CliSession::events},     {"watch", &CliSession::watch},
  };
  return table;
}

std::filesystem::path CliSession::config_path(const Invocation& options) const {
  if (auto named = options.value("--config")) return *named;
  if (env_.config) return *env_.config;
  return env_.default_config;
}

Result<ClusterConfig> CliSession::config(const std::filesystem::path& path) {
  if (auto it = configs_.find(path); it != configs_.end()) return it->second;
  auto loaded = ClusterConfig::load(path);
  if (!loaded) return make_error(loaded.error().id, path.string() + ": " + loaded.error().message);
  configs_.emplace(path, *loaded);
  return loaded;
}

Result<Target> CliSession::target(const Invocation& options) {
  Target t;
  t.config_path = config_path(options);
  auto loaded = config(t.config_path);
  if (!loaded) return loaded.error();
  t.config = std::move(*loaded);
  NodeId id = 0;
  if (auto named = options.value("--node")) {
    id = *parse_node_id(*named);  // the grammar checked it
  } else if (env_.node) {
    auto from_env = parse_node_id(*env_.node);
    if (!from_env) return make_error("cli.env", "BANK_NODE: " + from_env.error().message);
    id = *from_env;
  } else if (!t.config.nodes.empty()) {
    id = t.config.nodes.front().id;  // sorted by id
    t.default_node = true;
  }
  const auto* node = t.config.find(id);
  if (!node)
    return make_error("cli.node", "node " + std::to_string(id) + " is not in " + t.config_path.string() +
                                      " (its nodes: " + node_ids(t.config) + ")");
  t.node = *node;
  std::optional<std::filesystem::path> key;
  if (auto k = options.value("--key")) key = *k;
  auto keys = ConsoleClient::keys_for(t.config, t.node.id, key);
  if (!keys) return keys.error();
  t.keys = *keys;
  if (auto s = options.value("--timeout"))
    t.timeout = std::max(std::chrono::milliseconds(1),
                         std::chrono::milliseconds(static_cast<long long>(*parse_seconds(*s) * 1000)));
  t.json = options.flag("--json");
  return t;
}

int CliSession::run(const Invocation& inv) {
  if (inv.command == "nodes") return nodes(inv);
  auto handler = handlers().find(inv.command);
  if (handler == handlers().end()) return usage_error("'" + inv.command + "' is not run here");
  auto t = target(inv);
  if (!t) return usage_error(t.error().message);
  return (this->*handler->second)(*t, inv);
}

int CliSession::usage_error(const std::string& message) {
  std::fprintf(stderr, "%s%s\n", error_prefix_.c_str(), message.c_str());
  return exit_usage;
}

int CliSession::transfer(const Target& t, const Invocation& inv) {
  return ask(t, TransferCmd{.to = *parse_node_id(*inv.value("TO")),
                            .amount = *parse_amount(*inv.value("DOLLARS")),
                            .txid = inv.value("--txid")});
}

int CliSession::balance(const Target& t, const Invocation& inv) {
  auto id = inv.value("ID");
  return ask(t, BalanceCmd{.id = id ? std::optional<NodeId>(*parse_node_id(*id)) : std::nullopt});
}

int CliSession::status(const Target& t, const Invocation&) { return ask(t, StatusCmd{}); }

int CliSession::verify(const Target& t, const Invocation&) { return ask(t, VerifyCmd{}); }

int CliSession::metrics(const Target& t, const Invocation&) { return ask(t, MetricsCmd{}); }

bool CliSession::pause(std::chrono::milliseconds ms) const {
  const auto end = std::chrono::steady_clock::now() + ms;
  while (std::chrono::steady_clock::now() < end) {
    if (stop_ && stop_()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return !(stop_ && stop_());
}

// The event feed a page at a time (the node sends at most max_events_page a reply): every
// event kept after --since up to the newest, at most --limit; with --follow on and on,
// asking again every 200 ms as tail -f does. A gap (events the node no longer keeps) is
// said on stderr. With --json, each reply that brings events is printed as it came.
int CliSession::events(const Target& t, const Invocation& inv) {
  std::uint64_t since = inv.value("--since") ? *parse_event_number(*inv.value("--since")) : 0;
  std::uint64_t left = inv.value("--limit") ? *parse_event_count(*inv.value("--limit")) : UINT64_MAX;
  const bool follow = inv.flag("--follow");
  for (bool first = true;; first = false) {
    auto e = exchange(t, EventsCmd{.since = since, .limit = std::min(left, max_events_page)});
    if (!e) return no_reply(t, e.error());
    const auto* page = e->reply ? std::get_if<EventsReply>(&*e->reply) : nullptr;
    if (!page) return show(t, *e);
    if (since > 0 && page->first > since + 1)
      std::fprintf(stderr, "events %llu to %llu are no longer kept by node %u (it keeps the newest 65,536)\n",
                   ull(since + 1), ull(page->first - 1), t.node.id);
    if (t.json) {
      if (first || !page->events.empty()) std::printf("%s\n", e->raw.c_str());
    } else {
      std::string text;
      for (std::size_t i = 0; i < page->events.size() && i < left; ++i) text += event_line(page->events[i]);
      std::fputs(text.c_str(), stdout);
    }
    std::fflush(stdout);
    left -= std::min<std::uint64_t>(left, page->events.size());
    since = page->next;
    if (left == 0 || (page->events.empty() && !follow)) return exit_ok;
    if (page->events.empty() && !pause(std::chrono::milliseconds(200))) return exit_ok;
  }
}

// Needs the config only: the nodes of a cluster whose keys are elsewhere are worth listing too.
// Every node of the config, redrawn each second from a ClusterWatch (bank-web's followers)
// until q, Ctrl-C, or the session is told to stop. It reads with --key if given, else as
// bank-web does (at each node another account's key, which may only read).
int CliSession::watch(const Target& t, const Invocation& inv) {
  std::optional<std::filesystem::path> key;
  if (auto k = inv.value("--key")) key = *k;
  live::ClusterWatch watch(t.config, key, {});
  if (auto err = watch.start()) return usage_error(err->message);
  TerminalScreen screen;
  const std::string title = t.config_path.filename().string();
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    const auto state = live::LiveState::make(watch.snapshot(), watch.rates(), now_ms);
    const std::time_t wall = std::time(nullptr);
    char clock[32];
    std::strftime(clock, sizeof clock, "%H:%M:%S UTC", std::gmtime(&wall));
    screen.draw(WatchScreen::text(state, title, clock) + "\nq quits\n");
    for (const auto until = now + std::chrono::seconds(1); std::chrono::steady_clock::now() < until;) {
      auto k = screen.key(std::chrono::milliseconds(50));
      if ((k && (*k == 'q' || *k == 'Q')) || TerminalScreen::interrupted() || (stop_ && stop_())) return exit_ok;
    }
  }
}

int CliSession::nodes(const Invocation& inv) {
  auto loaded = config(config_path(inv));
  if (!loaded) return usage_error(loaded.error().message);
  for (const auto& n : loaded->nodes)
    std::printf("%u %s %u %u %s\n", n.id, n.host.c_str(), n.port, n.console, loaded->node_dir(n.id).c_str());
  return exit_ok;
}

// The chain a page at a time: the node sends at most max_chain_page blocks a reply, each
// saying where the next begins. Without --from the last blocks are shown, which takes the
// node's height first (status).
int CliSession::chain(const Target& t, const Invocation& inv) {
  const bool all = inv.flag("--all");
  auto from = inv.value("--from") ? std::optional(*parse_block_index(*inv.value("--from"))) : std::nullopt;
  const std::uint64_t wanted = inv.value("--limit") ? *parse_count(*inv.value("--limit")) : CliGrammar::default_chain_page;
  std::optional<std::uint64_t> height;
  if (!from && !all) {
    auto s = exchange(t, StatusCmd{});
    if (!s) return no_reply(t, s.error());
    const auto* status = s->reply ? std::get_if<StatusReply>(&*s->reply) : nullptr;
    if (!status) return show(t, *s);
    height = status->height;
    from = status->height + 1 > wanted ? status->height + 1 - wanted : 0;
  }
  std::uint64_t at = from.value_or(0);
  std::uint64_t shown = 0;
  std::optional<std::uint64_t> more;  // where the chain goes on past what was shown
  for (;;) {
    const std::uint64_t left = all ? 0 : wanted - shown;
    auto e = exchange(t, ChainCmd{.from = at, .limit = all ? std::nullopt : std::optional(left)});
    if (!e) return no_reply(t, e.error());
    const auto* page = e->reply ? std::get_if<ChainReply>(&*e->reply) : nullptr;
    if (!page) return show(t, *e);
    if (t.json) {
      std::printf("%s\n", e->raw.c_str());
    } else {
      std::string text = shown == 0 ? chain_header() : "";
      for (const auto& b : page->blocks) text += block_row(b);
      std::fputs(text.c_str(), stdout);
    }
    shown += page->blocks.size();
    more = page->next;
    if (!page->next || page->blocks.empty() || (!all && shown >= wanted)) break;
    at = *page->next;
  }
  if (t.json || all) return exit_ok;
  const std::uint64_t first = from.value_or(0);
  const std::uint64_t last = first + shown - 1;
  if (shown == 0)
    std::printf("(no blocks from index %llu: the chain ends before it)\n", ull(first));
  else if (height && first > 0)
    std::printf("(blocks %llu to %llu of 0 to %llu: chain --from INDEX shows others, --all every block)\n",
                ull(first), ull(last), ull(std::max(*height, last)));
  else if (more)
    std::printf("(blocks %llu to %llu; more follow: chain --from %llu, or --all)\n", ull(first), ull(last), ull(*more));
  return exit_ok;
}

Result<CliSession::Exchanged> CliSession::exchange(const Target& t, const ConsoleRequest& request) {
  ConsoleClient client(ctx_, t.node.host, t.node.console, t.keys);
  client.fail_fast(connect_within);
  if (stop_) client.stop_when(stop_);
  auto raw = client.exchange(console_request_to_json(request).dump(), t.timeout);
  if (!raw) return raw.error();
  auto reply = decode_console_reply(*raw, request);
  return Exchanged{std::move(*raw), std::move(reply)};
}

int CliSession::ask(const Target& t, const ConsoleRequest& request) {
  auto e = exchange(t, request);
  if (!e) return no_reply(t, e.error());
  return show(t, *e);
}

int CliSession::show(const Target& t, const Exchanged& e) {
  if (t.json) {
    std::printf("%s\n", e.raw.c_str());
    return is_failure(e.reply) ? exit_not_ok : exit_ok;
  }
  if (!e.reply) {
    std::fprintf(stderr, "rejected: the node's reply is not a console reply: %s\n", e.reply.error().message.c_str());
    return exit_not_ok;
  }
  auto text = reply_text(*e.reply);
  std::fputs(text.out.c_str(), stdout);
  if (!text.error.empty()) std::fputs(text.error.c_str(), stderr);
  return is_failure(e.reply) ? exit_not_ok : exit_ok;
}

int CliSession::no_reply(const Target& t, const Error& why) {
  std::fflush(stdout);
  const std::string where = t.node.host + ":" + std::to_string(t.node.console);
  if (why.id == ConsoleClient::kStopped) {
    std::fprintf(stderr, "interrupted: no reply from node %u\n", t.node.id);
  } else if (why.id == ConsoleClient::kNotListening) {
    std::fprintf(stderr, "%snode %u at %s is not answering (is the cluster up? scripts/cluster status)\n",
                 error_prefix_.c_str(), t.node.id, where.c_str());
  } else {
    std::fprintf(stderr, "%snode %u (%s) did not answer within %g s%s\n", error_prefix_.c_str(), t.node.id,
                 where.c_str(), static_cast<double>(t.timeout.count()) / 1000,
                 t.keys ? " (is it up, and does it know this client's key?)" : "");
  }
  return exit_no_answer;
}

}  // namespace bank::cli

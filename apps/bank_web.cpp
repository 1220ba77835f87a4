// bank-web: a live view of a cluster in the browser (docs/dashboard.md), and its metrics for
// Prometheus.
//   bank-web [--config FILE] [--listen HOST:PORT] [--key FILE] [--allow-transfers]
// It follows every node of FILE through its console as a reader and serves, at
// http://HOST:PORT/, the dashboard (its files are inside this binary: no network needed),
// /api/state (JSON), /api/trace (SVG), /metrics (Prometheus text) and, with
// --allow-transfers, POST /api/transfer. SIGTERM or SIGINT: stop serving, exit 0. Exit 2: bad
// usage, a bad config, a missing key file, or an address it cannot listen on.
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>

#include "apps/live/cluster_watch.hpp"
#include "apps/web/web_server.hpp"
#include "client/default_config.hpp"
#include "config/cluster_config.hpp"

namespace {

namespace fs = std::filesystem;

int fail(const std::string& message) {
  std::fprintf(stderr, "bank-web: %s\n", message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Lamport Bank web: a live dashboard of a cluster, and its metrics for Prometheus", "bank-web"};
  app.set_version_flag("--version", "bank-web " BANK_VERSION);
  std::string config_path, listen = "127.0.0.1:8080", key_path;
  bool allow_transfers = false;
  double trace_seconds = 5;
  app.add_option("--config", config_path, "the cluster to follow (default config/cluster.yaml)");
  app.add_option("--listen", listen, "HOST:PORT to serve on (default 127.0.0.1:8080; 0.0.0.0:PORT for every address)");
  app.add_option("--key", key_path,
                 "client secret key to read the nodes with (default: at each node, another account's "
                 "keys_dir/client-M.secret, which that node lets read only)");
  app.add_flag("--allow-transfers", allow_transfers,
               "show the transfer form and send its transfers, each through the node chosen with that node's "
               "owner key (keys_dir/client-N.secret); off by default");
  app.add_option("--trace-seconds", trace_seconds, "the span of the space-time diagram (default 5)")
      ->check(CLI::Range(0.1, 60.0));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    return fail(std::string(e.what()) + " (try --help)");
  }
  const auto colon = listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos && colon + 1 < listen.size() && listen.find_first_not_of("0123456789", colon + 1) == std::string::npos &&
      listen.size() - colon - 1 <= 5)
    port = std::stoi(listen.substr(colon + 1));
  if (colon == 0 || port < 1 || port > 65535) return fail("--listen " + listen + ": give HOST:PORT, e.g. 127.0.0.1:8080");
  const std::string host = listen.substr(0, colon);

  const fs::path path = config_path.empty() ? bank::default_config_path() : fs::path(config_path);
  auto config = bank::ClusterConfig::load(path);
  if (!config) return fail(path.string() + ": " + config.error().message);

  // The signals go to the thread that waits for them, not to the server's threads.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::optional<fs::path> key;
  if (!key_path.empty()) key = key_path;
  bank::live::ClusterWatch watch(*config, key, {});
  if (auto err = watch.start()) return fail(err->message);
  bank::web::WebServer server(watch, {allow_transfers, trace_seconds});
  std::string why;
  if (!server.bind(host, port, why)) return fail(why);
  std::printf("bank-web: following %zu nodes of %s; the dashboard is at http://%s:%d/ (metrics at /metrics)%s\n",
              config->nodes.size(), path.c_str(), host == "0.0.0.0" ? "127.0.0.1" : host.c_str(), port,
              allow_transfers ? "; transfers allowed" : "");
  std::fflush(stdout);
  std::thread stopper([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    server.stop();
  });
  server.serve();
  // serve() also ends when the server fails; the stopper then still waits for a signal.
  pthread_kill(stopper.native_handle(), SIGTERM);
  stopper.join();
  return 0;
}

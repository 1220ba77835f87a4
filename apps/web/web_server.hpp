// WebServer: bank-web's HTTP side (cpp-httplib): the dashboard page and its files, the
// state it polls, the diagram of the last seconds, Prometheus' /metrics, and, only when
// started with --allow-transfers, transfers sent through a chosen node with that node's
// owner key. The routes and their answers are docs/dashboard.md's.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "apps/live/cluster_watch.hpp"

namespace bank::web {

class WebServer {
 public:
  struct Options {
    bool allow_transfers = false;
    double trace_seconds = 5;  // the diagram's span
    std::chrono::milliseconds transfer_timeout{10'000};
  };

  // An answer: HTTP status, content type, body.
  struct Answer {
    int status = 200;
    std::string type;
    std::string body;
    std::map<std::string, std::string> headers = {};
  };

  WebServer(live::ClusterWatch& watch, Options options);

  // Binds HOST:PORT; false (and `why`) when it cannot.
  bool bind(const std::string& host, int port, std::string& why);
  // Serves until stop() (from another thread).
  void serve();
  void stop();

  // The answers, apart from HTTP (the unit tests call them).
  Answer page() const;
  Answer state() const;
  Answer trace() const;
  Answer metrics() const;
  // The form's fields: node, to, amount (dollars, as people write them). `origin` and `host`
  // are the request's headers: a browser says where the page that posts came from, and a
  // page of another site (which could post here from a tab of the same browser) is refused;
  // a client that sends no Origin (curl, scripts) is not a browser page.
  Answer transfer(const std::map<std::string, std::string>& form, const std::string& origin = "",
                  const std::string& host = "");

 private:
  nlohmann::json state_json() const;

  live::ClusterWatch& watch_;
  Options options_;
  zmq::context_t ctx_{1};  // the transfers' console clients
  httplib::Server server_;
};

}  // namespace bank::web

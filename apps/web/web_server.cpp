// WebServer: every answer is made from one snapshot of the watch, so a page never mixes two
// moments. Transfers ask the node with a console client of their own (one per request: the
// server's threads never share a socket).
#include "apps/web/web_server.hpp"

#include <chrono>

#include "apps/cli/arguments.hpp"
#include "apps/cli/reply_text.hpp"
#include "apps/live/live_state.hpp"
#include "apps/live/prometheus_text.hpp"
#include "apps/trace/recent_trace.hpp"
#include "apps/web/web_assets.hpp"
#include "client/console_client.hpp"

namespace bank::web {

namespace {

using nlohmann::json;

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

WebServer::Answer json_answer(int status, const json& j) { return {status, "application/json", j.dump() + "\n"}; }

WebServer::Answer refusal(int status, const std::string& error, const std::string& kind = "rejected") {
  return json_answer(status, {{"ok", false}, {"status", kind}, {"error", error}});
}

}  // namespace

WebServer::WebServer(live::ClusterWatch& watch, Options options) : watch_(watch), options_(options) {
  auto send = [](httplib::Response& res, const Answer& a) {
    res.status = a.status;
    res.set_header("Cache-Control", "no-store");
    for (const auto& [k, v] : a.headers) res.set_header(k, v);
    res.set_content(a.body, a.type.c_str());
  };
  server_.Get("/", [this, send](const httplib::Request&, httplib::Response& res) { send(res, page()); });
  for (const auto& [name, type] : std::map<std::string, std::string>{{"app.js", "text/javascript; charset=utf-8"},
                                                                     {"style.css", "text/css; charset=utf-8"}}) {
    server_.Get("/" + name, [send, name = name, type = type](const httplib::Request&, httplib::Response& res) {
      send(res, {200, type, std::string(web_assets().at(name))});
    });
  }
  server_.Get("/api/state", [this, send](const httplib::Request&, httplib::Response& res) { send(res, state()); });
  server_.Get("/api/trace", [this, send](const httplib::Request&, httplib::Response& res) { send(res, trace()); });
  server_.Get("/metrics", [this, send](const httplib::Request&, httplib::Response& res) { send(res, metrics()); });
  server_.Post("/api/transfer", [this, send](const httplib::Request& req, httplib::Response& res) {
    std::map<std::string, std::string> form;
    for (const auto& [k, v] : req.params) form[k] = v;
    send(res, transfer(form, req.get_header_value("Origin"), req.get_header_value("Host")));
  });
  server_.set_error_handler([send](const httplib::Request& req, httplib::Response& res) {
    if (res.status == 404) send(res, refusal(404, "no such page: " + req.path, "not_found"));
  });
}

bool WebServer::bind(const std::string& host, int port, std::string& why) {
  if (server_.bind_to_port(host, port)) return true;
  why = "cannot listen on " + host + ":" + std::to_string(port) + " (in use, or not an address of this host)";
  return false;
}

void WebServer::serve() { server_.listen_after_bind(); }
void WebServer::stop() { server_.stop(); }

json WebServer::state_json() const {
  auto j = live::LiveState::make(watch_.snapshot(), watch_.rates(), steady_ms());
  j["transfers"] = options_.allow_transfers;
  return j;
}

WebServer::Answer WebServer::page() const {
  std::string html(web_assets().at("index.html"));
  // The first state inside the page, so it shows before the first poll; "</" escaped, so no
  // text from a node can end the script element.
  std::string state = state_json().dump();
  for (std::size_t at = state.find("</"); at != std::string::npos; at = state.find("</", at + 2)) state.replace(at, 2, "<\\/");
  const std::string marker = "<!--STATE-->";
  html.replace(html.find(marker), marker.size(),
               "<script id=\"initial-state\" type=\"application/json\">" + state + "</script>");
  const std::string trace_box = "<div id=\"trace\">";
  html.insert(html.find(trace_box) + trace_box.size(), trace().body);
  return {200, "text/html; charset=utf-8", html};
}

WebServer::Answer WebServer::state() const { return json_answer(200, state_json()); }

WebServer::Answer WebServer::trace() const {
  std::map<NodeId, std::deque<json>> feeds;
  for (auto& [id, v] : watch_.snapshot()) feeds[id] = std::move(v.events);
  auto picture = trace::RecentTrace::draw(feeds, options_.trace_seconds);
  return {200, "image/svg+xml", std::move(picture.svg), {{"X-Trace-Summary", picture.summary}}};
}

WebServer::Answer WebServer::metrics() const {
  std::map<NodeId, std::optional<json>> nodes;
  for (const auto& [id, v] : watch_.snapshot())
    nodes[id] = v.up && v.metrics.is_object() ? std::optional<json>(v.metrics) : std::nullopt;
  return {200, "text/plain; version=0.0.4; charset=utf-8", live::PrometheusText::render(nodes)};
}

WebServer::Answer WebServer::transfer(const std::map<std::string, std::string>& form, const std::string& origin,
                                      const std::string& host) {
  if (!options_.allow_transfers)
    return refusal(403, "transfers are off: bank-web sends them only when started with --allow-transfers", "denied");
  if (!origin.empty() && origin != "http://" + host)
    return refusal(403, "a page from " + origin + " may not send transfers through bank-web", "denied");
  const auto& config = watch_.config();
  auto field = [&](const char* name) { auto it = form.find(name); return it == form.end() ? std::string() : it->second; };
  auto node = cli::parse_node_id(field("node"));
  if (!node || !config.find(*node)) return refusal(400, "node: '" + field("node") + "' is not a node of the config");
  auto to = cli::parse_node_id(field("to"));
  if (!to || !config.find(*to)) return refusal(400, "to: '" + field("to") + "' is not an account of the config");
  if (*to == *node) return refusal(400, "to: a transfer goes to another account than the node's own");
  auto amount = cli::parse_amount(field("amount"));
  if (!amount) return refusal(400, "amount: " + amount.error().message);
  auto keys = ConsoleClient::keys_for(config, *node, std::nullopt);
  if (!keys) return refusal(500, "bank-web has no owner key for node " + std::to_string(*node) + ": " + keys.error().message, "denied");
  const auto* n = config.find(*node);
  ConsoleClient client(ctx_, n->host, n->console, *keys);
  client.fail_fast(std::chrono::milliseconds(1000));
  const json request = {{"cmd", "transfer"}, {"to", *to}, {"amount", *amount}};
  auto reply = client.exchange(request.dump(), options_.transfer_timeout);
  if (!reply) return refusal(504, "node " + std::to_string(*node) + " does not answer: " + reply.error().message, "no_answer");
  auto j = json::parse(*reply, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return refusal(502, "node " + std::to_string(*node) + " answered something that is not JSON", "bad_reply");
  if (j.contains("error") && j["error"].is_string()) j["error"] = cli::cents_as_dollars(j["error"].get<std::string>());
  return json_answer(200, j);
}

}  // namespace bank::web

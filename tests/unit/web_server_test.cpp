// WebServer's answers apart from HTTP: the page holds the first state and its files, the
// transfer form answers an error and sends nothing unless transfers are allowed, bad form
// input is refused with a sentence, /metrics of nodes not yet answering says they are down.
#include "apps/web/web_server.hpp"

#include <doctest/doctest.h>

#include "apps/web/web_assets.hpp"

using namespace bank;
using namespace bank::web;
using nlohmann::json;

namespace {

ClusterConfig config() {
  auto c = ClusterConfig::parse(R"(
initial_balance: 10.00
data_dir: data
security: off
nodes:
  - {id: 1, host: 127.0.0.1, port: 1, console: 2}
  - {id: 2, host: 127.0.0.1, port: 3, console: 4}
)", "/tmp");
  REQUIRE(c);
  return *c;
}

}  // namespace

TEST_CASE("web server: the page, its files and its first state come from the binary") {
  CHECK(web_assets().count("index.html") == 1);
  CHECK(web_assets().count("app.js") == 1);
  CHECK(web_assets().count("style.css") == 1);
  live::ClusterWatch watch(config(), std::nullopt, {});
  WebServer server(watch, {});
  auto page = server.page();
  CHECK(page.status == 200);
  CHECK(page.body.find("<script id=\"initial-state\" type=\"application/json\">{") != std::string::npos);
  CHECK(page.body.find("<!--STATE-->") == std::string::npos);
  CHECK(page.body.find("src=\"/app.js\"") != std::string::npos);
  for (const char* elsewhere : {"src=\"http", "href=\"http", "src=\"//", "href=\"//", "@import"})
    CHECK_MESSAGE(page.body.find(elsewhere) == std::string::npos, elsewhere);  // nothing fetched from elsewhere
  auto state = json::parse(server.state().body);
  CHECK(state["total"] == 2);
  CHECK(state["up"] == 0);
  CHECK(state["transfers"] == false);
  auto metrics = server.metrics();
  CHECK(metrics.type.rfind("text/plain; version=0.0.4", 0) == 0);
  CHECK(metrics.body.find("lamport_bank_up{node=\"2\"} 0\n") != std::string::npos);
  CHECK(server.trace().type == "image/svg+xml");
}

TEST_CASE("web server: transfers are refused unless allowed, and bad form input is named") {
  live::ClusterWatch watch(config(), std::nullopt, {});
  WebServer off(watch, {});
  auto r = off.transfer({{"node", "1"}, {"to", "2"}, {"amount", "1.00"}});
  CHECK(r.status == 403);
  CHECK(json::parse(r.body)["status"] == "denied");
  CHECK(json::parse(r.body)["ok"] == false);

  WebServer on(watch, {.allow_transfers = true});
  auto bad = [&](std::map<std::string, std::string> form, const std::string& words) {
    auto a = on.transfer(form);
    CHECK(a.status == 400);
    auto j = json::parse(a.body);
    CHECK(j["ok"] == false);
    CHECK(j["status"] == "rejected");
    CHECK_MESSAGE(j["error"].get<std::string>().find(words) != std::string::npos, j["error"]);
  };
  bad({{"node", "9"}, {"to", "2"}, {"amount", "1"}}, "not a node of the config");
  bad({{"to", "2"}, {"amount", "1"}}, "node");
  bad({{"node", "1"}, {"to", "7"}, {"amount", "1"}}, "not an account");
  bad({{"node", "1"}, {"to", "1"}, {"amount", "1"}}, "another account");
  bad({{"node", "1"}, {"to", "2"}, {"amount", "0.001"}}, "amount");
  bad({{"node", "1"}, {"to", "2"}, {"amount", "-4"}}, "amount");
  // A page of another site may not post here from the same browser; bank-web's own page may.
  auto foreign = on.transfer({{"node", "1"}, {"to", "2"}, {"amount", "1"}}, "http://evil.example", "127.0.0.1:8080");
  CHECK(foreign.status == 403);
  CHECK(json::parse(foreign.body)["status"] == "denied");
  auto own = on.transfer({{"node", "1"}, {"to", "2"}, {"amount", "0.001"}}, "http://127.0.0.1:8080", "127.0.0.1:8080");
  CHECK(own.status == 400);  // past the origin check, stopped by the amount
}

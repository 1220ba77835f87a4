// e2e web: bank-web following three real secured nodes. Headless Chromium loads the page
// and the test reads the DOM it built: every node's height and every balance equal to what
// the consoles answer, a node killed during the test shown down and then up after its
// restart, the transfer form committing transfers (its POST, and the form filled in and sent
// in Chromium through its DevTools protocol) that the consoles and the page then show
// (refused, with nothing sent, when bank-web runs without --allow-transfers), and a screenshot. /metrics is read with a strict reader of the Prometheus text format.
#include <doctest/doctest.h>
#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include <unistd.h>

#include "background_process.hpp"
#include "cluster_harness.hpp"
#include "devtools_pipe.hpp"
#include "prometheus_reader.hpp"

using namespace bank::e2e;
using nlohmann::json;
namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

std::string on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && access((fs::path(dir) / name).c_str(), X_OK) == 0) return (fs::path(dir) / name).string();
  return "";
}

struct Web {
  int port;
  std::unique_ptr<BackgroundProcess> process;
};

// bank-web on a free port, once it answers with every node up.
Web start_web(ClusterHarness& c, const std::string& name, std::vector<std::string> flags) {
  Web w{bank::ProcessCluster::free_port(), nullptr};
  std::vector<std::string> argv{BANK_WEB_BIN, "--config", c.config().string(), "--listen",
                                "127.0.0.1:" + std::to_string(w.port)};
  argv.insert(argv.end(), flags.begin(), flags.end());
  w.process = std::make_unique<BackgroundProcess>(argv, c.dir() / name);
  httplib::Client http("127.0.0.1", w.port);
  const auto deadline = std::chrono::steady_clock::now() + seconds(20);
  for (;;) {
    auto res = http.Get("/api/state");
    if (res && res->status == 200 && json::parse(res->body)["up"] == c.size()) break;
    REQUIRE_MESSAGE(w.process->running(), "bank-web exited: " << w.process->err());
    REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "bank-web did not see every node up: " << w.process->err());
    std::this_thread::sleep_for(milliseconds(100));
  }
  return w;
}

struct Page {
  std::map<int, std::pair<bool, std::string>> nodes;  // id -> (up, height)
  std::map<std::string, long long> balances;
  std::string dom;
};

Page parse_page(const std::string& dom) {
  Page p;
  p.dom = dom;
  static const std::regex node(R"re(<article class="[^"]*" id="node-(\d+)" data-node="\d+" data-up="(\d)" data-height="(\d*)")re");
  for (std::sregex_iterator it(dom.begin(), dom.end(), node), end; it != end; ++it)
    p.nodes[std::stoi((*it)[1])] = {(*it)[2] == "1", (*it)[3]};
  static const std::regex balance(R"re(<tr data-account="(\d+)" data-cents="(-?\d+)")re");
  for (std::sregex_iterator it(dom.begin(), dom.end(), balance), end; it != end; ++it)
    p.balances[(*it)[1]] = std::stoll((*it)[2]);
  return p;
}

class Browser {
 public:
  Browser(const std::string& chromium, const fs::path& dir)
      : flags_{chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
               "--user-data-dir=" + (dir / "chromium").string()} {}
  CommandResult run(std::vector<std::string> more) const {
    auto argv = flags_;
    argv.insert(argv.end(), more.begin(), more.end());
    return ClusterHarness::run(argv, "", seconds(90));
  }
  // The DOM Chromium builds from the page, loaded again until `ok` holds (or the deadline).
  Page until(const std::string& url, const std::function<bool(const Page&)>& ok, const char* what,
             seconds bound = seconds(60)) const {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    for (;;) {
      auto r = run({"--dump-dom", url});
      REQUIRE_MESSAGE(r.exit_code == 0, r.err);
      Page p = parse_page(r.out);
      if (ok(p)) return p;
      REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "the page never showed " << what << "; last DOM:\n" << r.out);
    }
  }

 private:
  std::vector<std::string> flags_;
};

// What the consoles say: each running node's height, and node 1's balances.
std::map<int, std::string> console_heights(ClusterHarness& c, const std::vector<int>& ids) {
  std::map<int, std::string> h;
  for (int id : ids) {
    auto s = c.ask(id, {{"cmd", "status"}});
    REQUIRE(s);
    h[id] = std::to_string((*s)["height"].get<long long>());
  }
  return h;
}

std::map<std::string, long long> console_balances(ClusterHarness& c, int id) {
  auto b = c.ask(id, {{"cmd", "balance"}});
  REQUIRE(b);
  std::map<std::string, long long> out;
  for (const auto& [k, v] : (*b)["balances"].items()) out[k] = v.get<long long>();
  return out;
}

bool shows(const Page& p, const std::map<int, std::string>& heights, const std::map<std::string, long long>& balances) {
  for (const auto& [id, h] : heights) {
    auto it = p.nodes.find(id);
    if (it == p.nodes.end() || !it->second.first || it->second.second != h) return false;
  }
  return p.balances == balances;
}

void transfer(ClusterHarness& c, int from, int to, long long cents) {
  auto r = c.ask(from, {{"cmd", "transfer"}, {"to", to}, {"amount", cents}});
  REQUIRE(r);
  REQUIRE_MESSAGE((*r)["status"] == "committed", r->dump());
}

}  // namespace

TEST_CASE("e2e web: the dashboard in Chromium shows what the consoles answer, a node going down and up, and its form's transfer") {
  const std::string chromium = on_path("chromium").empty() ? on_path("chromium-browser") : on_path("chromium");
  if (chromium.empty() || ClusterHarness::run({chromium, "--version"}).exit_code != 0) {
    MESSAGE("skipped: chromium cannot run here (scripts/deps.sh installs the Debian package)");
    return;
  }
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  Web web = start_web(c, "web", {"--allow-transfers"});
  const std::string url = "http://127.0.0.1:" + std::to_string(web.port) + "/";
  Browser browser(chromium, c.dir());

  transfer(c, 1, 2, 400);
  transfer(c, 2, 3, 150);
  transfer(c, 3, 1, 75);
  c.wait_same_height();
  auto heights = console_heights(c, {1, 2, 3});
  auto balances = console_balances(c, 1);
  CHECK(heights.at(1) == "3");
  Page page = browser.until(url, [&](const Page& p) { return shows(p, heights, balances); }, "the consoles' heights and balances");
  CHECK(page.nodes.size() == 3);
  // The last blocks with their txids, and the diagram of the last seconds drawn from the feeds.
  auto chain = c.ask(1, {{"cmd", "chain"}});
  REQUIRE(chain);
  for (const auto& b : (*chain)["blocks"])
    if (b.contains("tx")) CHECK_MESSAGE(page.dom.find(">" + b["tx"]["txid"].get<std::string>() + "<") != std::string::npos, b.dump());
  CHECK(page.dom.find("<rect class=\"cs") != std::string::npos);
  CHECK(page.dom.find("<g class=\"msg ") != std::string::npos);

  // Node 3 killed: the page says it is down, and the other two still show; back after restart.
  c.stop(3, SIGKILL);
  page = browser.until(url, [](const Page& p) { return p.nodes.count(3) && !p.nodes.at(3).first && p.nodes.at(1).first; },
                       "node 3 down");
  CHECK(page.dom.find("down") != std::string::npos);
  c.start(3);
  c.wait_ready();
  c.wait_same_height();
  heights = console_heights(c, {1, 2, 3});
  page = browser.until(url, [&](const Page& p) { return shows(p, heights, balances); }, "node 3 up again");

  // The form: shown (not hidden) with its fields; what it posts commits a transfer through
  // the chosen node with that node's owner key.
  CHECK(page.dom.find("<section id=\"transfer-box\">") != std::string::npos);
  for (const char* field : {"name=\"node\"", "name=\"to\"", "name=\"amount\""}) CHECK(page.dom.find(field) != std::string::npos);
  httplib::Client http("127.0.0.1", web.port);
  auto posted = http.Post("/api/transfer", "node=2&to=1&amount=2.50", "application/x-www-form-urlencoded");
  REQUIRE(posted);
  CHECK(posted->status == 200);
  auto reply = json::parse(posted->body);
  REQUIRE_MESSAGE(reply["status"] == "committed", posted->body);
  CHECK(reply["block"]["tx"]["from"] == 2);
  CHECK(reply["block"]["tx"]["amount"] == 250);
  const std::string txid = reply["txid"];
  c.wait_same_height();
  heights = console_heights(c, {1, 2, 3});
  balances = console_balances(c, 3);
  CHECK(heights.at(3) == "4");
  CHECK(balances.at("1") == 1000 - 400 + 75 + 250);
  page = browser.until(url, [&](const Page& p) { return shows(p, heights, balances) && p.dom.find(">" + txid + "<") != std::string::npos; },
                       "the form's transfer");
  // And as a person uses it, in Chromium (DevTools protocol): node 3, account 2, 1.25, Send;
  // the page says the outcome, and the consoles have the block.
  {
    DevtoolsPipe tab(chromium, c.dir() / "chromium-devtools");
    REQUIRE(tab.open(url));
    auto until = [&](const std::string& expression, const std::function<bool(const json&)>& ok, const char* what) {
      const auto deadline = std::chrono::steady_clock::now() + seconds(30);
      for (;;) {
        auto v = tab.eval(expression);
        if (v && ok(*v)) return *v;
        REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "the page never showed " << what);
        std::this_thread::sleep_for(milliseconds(100));
      }
    };
    until("document.getElementById('t-node').options.length", [](const json& v) { return v == 3; }, "the form's nodes");
    REQUIRE(tab.eval("document.getElementById('t-node').value = '3'; document.getElementById('t-to').value = '2';"
                     "document.getElementById('t-amount').value = '1.25'; document.querySelector('#transfer button').click(); true"));
    auto outcome = until("document.getElementById('transfer-outcome').textContent",
                         [](const json& v) { return v.is_string() && v.get<std::string>().rfind("committed", 0) == 0; },
                         "the form's outcome")
                       .get<std::string>();
    const std::string form_txid = outcome.substr(outcome.rfind(' ') + 1);
    MESSAGE("the form says: " << outcome);
    c.wait_same_height();
    auto blocks = c.ask(2, {{"cmd", "chain"}, {"from", 5}});
    REQUIRE(blocks);
    REQUIRE((*blocks)["blocks"].size() == 1);
    const auto& tx = (*blocks)["blocks"][0]["tx"];
    CHECK(tx["txid"] == form_txid);
    CHECK(tx["from"] == 3);
    CHECK(tx["to"] == 2);
    CHECK(tx["amount"] == 125);
  }
  heights = console_heights(c, {1, 2, 3});
  balances = console_balances(c, 1);

  // Bad input is refused with a sentence, and changes nothing.
  auto bad = http.Post("/api/transfer", "node=2&to=1&amount=0.001", "application/x-www-form-urlencoded");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  CHECK(json::parse(bad->body)["error"].get<std::string>().find("amount") != std::string::npos);

  // A screenshot of it: a PNG of the size asked for, with more than a blank page in it.
  const fs::path png = c.dir() / "dashboard.png";
  auto shot = browser.run({"--screenshot=" + png.string(), "--window-size=1280,1000", url});
  REQUIRE_MESSAGE(shot.exit_code == 0, shot.err);
  std::ifstream in(png, std::ios::binary);
  std::string head(8, '\0');
  REQUIRE(in.read(head.data(), 8));
  CHECK(head == "\x89PNG\r\n\x1a\n");
  CHECK(fs::file_size(png) > 20000);

  // Without --allow-transfers: no form on the page, and a POST is refused with nothing sent.
  Web readonly = start_web(c, "web-readonly", {});
  const std::string readonly_url = "http://127.0.0.1:" + std::to_string(readonly.port) + "/";
  page = browser.until(readonly_url, [&](const Page& p) { return shows(p, heights, balances); }, "the read-only dashboard");
  CHECK(page.dom.find("<section id=\"transfer-box\" hidden=\"\">") != std::string::npos);
  httplib::Client http2("127.0.0.1", readonly.port);
  auto refused = http2.Post("/api/transfer", "node=2&to=1&amount=1", "application/x-www-form-urlencoded");
  REQUIRE(refused);
  CHECK(refused->status == 403);
  CHECK(json::parse(refused->body)["status"] == "denied");
  CHECK(console_heights(c, {1}).at(1) == "5");
  CHECK(readonly.process->stop() == 0);
  CHECK(web.process->stop() == 0);
}

TEST_CASE("e2e web: /metrics is strict Prometheus text with every node's figures") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  transfer(c, 1, 2, 100);
  transfer(c, 1, 3, 100);
  transfer(c, 2, 3, 100);
  c.wait_same_height();
  Web web = start_web(c, "web", {});
  httplib::Client http("127.0.0.1", web.port);
  // Wait until bank-web's last round at every node is after the transfers.
  std::map<std::string, PromFamily> fams;
  const auto deadline = std::chrono::steady_clock::now() + seconds(20);
  for (;;) {
    auto res = http.Get("/metrics");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->get_header_value("Content-Type").rfind("text/plain; version=0.0.4", 0) == 0);
    try {
      fams = PrometheusReader::read(res->body);
    } catch (const std::exception& e) {
      FAIL("not strict Prometheus text: " << e.what() << "\n" << res->body);
    }
    bool all = fams.count("lamport_bank_height") && fams["lamport_bank_height"].samples.size() == 3;
    for (const auto& s : all ? fams["lamport_bank_height"].samples : std::vector<PromSample>{}) all = all && s.value == 3;
    if (all) break;
    REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, res->body);
    std::this_thread::sleep_for(milliseconds(100));
  }
  auto value = [&](const std::string& family, const std::string& name, const std::map<std::string, std::string>& labels) {
    for (const auto& s : fams.at(family).samples)
      if (s.name == name && s.labels == labels) return s.value;
    FAIL("no " << name << " with those labels");
    return -1.0;
  };
  for (std::string n : {"1", "2", "3"}) {
    CHECK(value("lamport_bank_up", "lamport_bank_up", {{"node", n}}) == 1);
    const double committed = value("lamport_bank_transfers_committed_total", "lamport_bank_transfers_committed_total", {{"node", n}});
    CHECK(committed == (n == "1" ? 2 : n == "2" ? 1 : 0));
    // Every entry waited once: the wait histogram counts the entries.
    CHECK(value("lamport_bank_cs_wait_seconds", "lamport_bank_cs_wait_seconds_count", {{"node", n}}) ==
          value("lamport_bank_cs_entries_total", "lamport_bank_cs_entries_total", {{"node", n}}));
    for (std::string peer : {"1", "2", "3"})
      if (peer != n) CHECK(value("lamport_bank_peer_up", "lamport_bank_peer_up", {{"node", n}, {"peer", peer}}) == 1);
  }
  CHECK(fams.at("lamport_bank_transfers_committed_total").type == "counter");
  CHECK(fams.at("lamport_bank_cs_wait_seconds").type == "histogram");
  CHECK(fams.at("lamport_bank_queue_depth").type == "gauge");
  for (const auto& [name, f] : fams) {
    CHECK_MESSAGE(name.rfind("lamport_bank_", 0) == 0, name);
    CHECK_MESSAGE(!f.help.empty(), name);
    const bool total = name.size() > 6 && name.compare(name.size() - 6, 6, "_total") == 0;
    if (f.type == "counter") CHECK_MESSAGE(total, name);
    CHECK_MESSAGE(name.find("_us") == std::string::npos, name);
  }
  // A node down: its up is 0 and its figures are gone, the others' still there.
  c.stop(2);
  const auto down_deadline = std::chrono::steady_clock::now() + seconds(20);
  for (;;) {
    auto res = http.Get("/metrics");
    REQUIRE(res);
    fams = PrometheusReader::read(res->body);
    if (value("lamport_bank_up", "lamport_bank_up", {{"node", "2"}}) == 0) break;
    REQUIRE(std::chrono::steady_clock::now() < down_deadline);
    std::this_thread::sleep_for(milliseconds(100));
  }
  CHECK(fams.at("lamport_bank_height").samples.size() == 2);
  CHECK(web.process->stop() == 0);
}

TEST_CASE("e2e web: the strict Prometheus reader refuses what the format forbids") {
  CHECK_NOTHROW(PrometheusReader::read("# TYPE a counter\na_total 1\n"));
  CHECK_THROWS(PrometheusReader::read("a 1"));                                               // no final newline
  CHECK_THROWS(PrometheusReader::read("# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n"));  // a family split
  CHECK_THROWS(PrometheusReader::read("# TYPE a gauge\na{x=\"1\"} 1\na{x=\"1\"} 2\n"));     // a series twice
  CHECK_THROWS(PrometheusReader::read("a{x=\"\\t\"} 1\n"));                                  // a bad escape
  CHECK_THROWS(PrometheusReader::read("a  1\n"));                                            // two spaces
  CHECK_THROWS(PrometheusReader::read("a one\n"));
  CHECK_THROWS(PrometheusReader::read("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"));
  CHECK_THROWS(PrometheusReader::read("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n"));  // no +Inf
  CHECK_THROWS(PrometheusReader::read("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n"));
  CHECK_THROWS(PrometheusReader::read("# TYPE a counter\na -1\n"));
  CHECK_THROWS(PrometheusReader::read("a 1\n# TYPE a gauge\n"));
}

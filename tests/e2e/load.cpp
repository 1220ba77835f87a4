// Load: closed-loop clients under faults; expect_flowing.
#include "load.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <random>

namespace bank::e2e {

using nlohmann::json;

Load::Load(ClusterHarness& c, int clients_per_node, int max_cents, std::string prefix, std::chrono::milliseconds pause)
    : c_(c), max_cents_(static_cast<unsigned>(max_cents)), prefix_(std::move(prefix)), pause_(pause) {
  for (int node = 1; node <= c.size(); ++node)
    for (int k = 0; k < clients_per_node; ++k) threads_.emplace_back([this, node, k] { run(node, k); });
}

std::vector<Outcome> Load::finish() {
  stop_ = true;
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  return outcomes_;
}

std::vector<Outcome> Load::since(std::size_t first) {
  std::lock_guard lock(mu_);
  if (first >= outcomes_.size()) return {};
  return {outcomes_.begin() + static_cast<std::ptrdiff_t>(first), outcomes_.end()};
}

void Load::wait_for(int more) const {
  const int target = decided() + more;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (decided() < target) {
    REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "the load decided " << decided() << " of " << target);
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

void Load::run(int node, int k) {
  std::mt19937 rng(node * 31 + k);
  for (int i = 0; !stop_; ++i) {
    int to = node;
    while (to == node) to = 1 + static_cast<int>(rng() % c_.size());
    json req{{"cmd", "transfer"}, {"to", to}, {"amount", 1 + rng() % max_cents_},
             {"txid", prefix_ + std::to_string(node) + "." + std::to_string(k) + "." + std::to_string(i)}};
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    for (;;) {
      auto r = c_.ask(node, req, std::chrono::seconds(3));
      if (r && ((*r)["status"] == "committed" || (*r)["status"] == "aborted")) {
        std::lock_guard lock(mu_);
        outcomes_.push_back({.node = node, .request = req, .reply = *r});
        ++decided_;
        break;
      }
      if (r) REQUIRE_MESSAGE(((*r)["status"] == "timeout"), r->dump());
      REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "txid " << req["txid"] << " never decided");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (pause_.count() > 0) std::this_thread::sleep_for(pause_);
  }
}

void expect_flowing(ClusterHarness& c) {
  int committed = 0;
  for (int node = 1; node <= c.size(); ++node) {
    auto b = c.ask(node, {{"cmd", "balance"}, {"id", node}});
    REQUIRE(b);
    // A balance is read locally: a credit on its way (the previous node's transfer to this
    // one, whose release has not arrived yet) can land before this transfer's turn. So a
    // cent read must pay, and none read may still pay.
    bool can_pay = (*b)["balance"].get<std::int64_t>() >= 1;
    auto r = c.ask(node, {{"cmd", "transfer"}, {"to", node % c.size() + 1}, {"amount", 1}}, std::chrono::seconds(10));
    REQUIRE(r);
    if (can_pay)
      CHECK_MESSAGE((*r)["status"] == "committed", r->dump());
    else
      CHECK_MESSAGE(((*r)["status"] == "committed" || (*r)["status"] == "aborted"), r->dump());
    committed += (*r)["status"] == "committed";
  }
  CHECK_MESSAGE(committed > 0, "no node could pay a cent");  // money is conserved: someone holds it
}

}  // namespace bank::e2e

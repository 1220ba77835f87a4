// Workload: drawing the transfers and following each client to its answer.
#include "workload.hpp"

#include <utility>

namespace bank::sim {

void Workload::draw(unit::SeededRng& rng, const std::vector<NodeId>& ids, std::int64_t until) {
  const auto n = static_cast<std::int64_t>(ids.size());
  std::int64_t per_node = rng.between(2, 12);
  std::vector<std::pair<NodeId, std::string>> explicit_ids;
  for (NodeId i : ids) {
    for (std::int64_t k = 0; k < per_node; ++k) {
      Client c;
      c.node = i;
      do c.cmd.to = ids[rng.between(0, n - 1)];
      while (c.cmd.to == i);
      c.cmd.amount = rng.between(1, 600);  // a $10 account overdraws after a few
      c.sent_at = rng.between(0, until);
      if (rng.chance(200, 1000)) {
        c.cmd.txid = "t" + std::to_string(i) + "-" + std::to_string(k);
        explicit_ids.emplace_back(i, *c.cmd.txid);
      }
      add(std::move(c));
    }
  }
  // Some txids come back for another transfer (another amount or payee): a client reusing
  // an idempotency key by mistake; it must never be told `committed` for what it asked.
  // Drawn from a copy of the generator, so the rest of the run is what it was before.
  unit::SeededRng side = rng;
  side.next();
  for (const auto& [node, txid] : explicit_ids) {
    if (!side.chance(300, 1000)) continue;
    for (std::size_t k = 0; k < clients_.size(); ++k) {
      if (clients_[k].cmd.txid != txid || clients_[k].node != node) continue;
      Client c = clients_[k];
      if (n > 2 && side.chance(1, 2)) {
        const NodeId before = c.cmd.to;
        do c.cmd.to = ids[side.between(0, n - 1)];
        while (c.cmd.to == node || c.cmd.to == before);
      } else {
        c.cmd.amount += side.between(1, 50);
      }
      c.sent_at += side.between(0, 3000);
      c.reply = nullptr;
      add(std::move(c));
      break;
    }
  }
  for (const auto& [node, txid] : explicit_ids) {
    if (!rng.chance(500, 1000)) continue;
    for (std::size_t k = 0; k < clients_.size(); ++k) {
      if (clients_[k].cmd.txid != txid || clients_[k].node != node) continue;
      Client c = clients_[k];
      c.sent_at += rng.between(0, 1500);
      c.reply = nullptr;
      add(std::move(c));
      break;
    }
  }
}

std::optional<std::size_t> Workload::lose(unit::SeededRng& rng, std::size_t k, std::int64_t now) {
  clients_[k].lost = true;
  if (!clients_[k].cmd.txid) return std::nullopt;
  Client retry = clients_[k];
  retry.lost = false;
  retry.delivered = false;
  retry.sent_at = now + rng.between(100, 3000);
  return add(std::move(retry));
}

std::vector<std::size_t> Workload::node_crashed(unit::SeededRng& rng, NodeId node, std::int64_t now) {
  std::vector<std::size_t> retries;
  // Retries are appended as we go; they are not delivered, so the loop passes over them.
  for (std::size_t k = 0; k < clients_.size(); ++k) {
    const Client& c = clients_[k];
    if (c.node != node || !c.delivered || !c.reply.is_null() || c.lost) continue;
    if (auto retry = lose(rng, k, now)) retries.push_back(*retry);
  }
  return retries;
}

bool Workload::answer(std::size_t k, nlohmann::json reply) {
  bool first = clients_[k].reply.is_null();
  clients_[k].reply = std::move(reply);
  return first;
}

bool Workload::all_answered() const {
  for (const auto& c : clients_)
    if (c.reply.is_null() && !c.lost) return false;
  return true;
}

std::string Workload::unanswered() const {
  std::string which;
  for (std::size_t k = 0; k < clients_.size(); ++k)
    if (clients_[k].reply.is_null() && !clients_[k].lost)
      which += " " + std::to_string(k) + "@node" + std::to_string(clients_[k].node) + "(t=" +
               std::to_string(clients_[k].sent_at) + ")";
  return which;
}

std::size_t Workload::add(Client c) {
  clients_.push_back(std::move(c));
  return clients_.size() - 1;
}

}  // namespace bank::sim

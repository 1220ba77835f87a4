// Workload: the clients of one run, each a transfer sent to a node at a drawn time, and what
// became of it: answered, or lost with its node and retried when it named a txid.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "messages/console_message.hpp"
#include "tests/unit/seeded_rng.hpp"

namespace bank::sim {

class Workload {
 public:
  struct Client {
    NodeId node = 0;
    TransferCmd cmd;
    std::int64_t sent_at = 0;
    nlohmann::json reply;    // null until answered
    bool delivered = false;  // reached its node
    bool lost = false;       // its node crashed (or was down) before answering
  };

  // A few transfers per node to random others, sent within [0, until]; some name a txid,
  // and some of those are sent again, while the first is in flight or long after, with the
  // same parameters (a retry) or others (a txid reused by mistake).
  void draw(unit::SeededRng& rng, const std::vector<NodeId>& ids, std::int64_t until);

  // Client k's node crashed (or was down) before answering. Returns the index of the retry
  // it sends later if it named a txid, else nothing.
  std::optional<std::size_t> lose(unit::SeededRng& rng, std::size_t k, std::int64_t now);
  // Every client whose request reached `node` and is unanswered loses its connection.
  // Returns the indices of their retries.
  std::vector<std::size_t> node_crashed(unit::SeededRng& rng, NodeId node, std::int64_t now);

  void delivered(std::size_t k) { clients_[k].delivered = true; }
  // Records client k's reply; false if it was answered before.
  bool answer(std::size_t k, nlohmann::json reply);

  bool all_answered() const;
  // The clients neither answered nor lost, as " k@nodeN(t=ms)" each.
  std::string unanswered() const;

  const Client& at(std::size_t k) const { return clients_[k]; }
  const std::vector<Client>& clients() const { return clients_; }
  std::size_t size() const { return clients_.size(); }

 private:
  std::size_t add(Client c);

  std::vector<Client> clients_;
};

}  // namespace bank::sim

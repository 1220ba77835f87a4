// TxidMemory: the outcome of every decided transfer of this node's account, by txid, so a
// retried transfer answers what it answered before and pays at most once.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "messages/console_message.hpp"

namespace bank {

class TxidMemory {
 public:
  void committed(const Block& block);
  void aborted(const std::string& txid, const std::string& reason);
  // The earlier reply for this txid, when it was decided.
  std::optional<ConsoleReply> recall(const std::string& txid) const;
  bool contains(const std::string& txid) const { return decided_.contains(txid); }
  std::size_t size() const { return decided_.size(); }

 private:
  std::map<std::string, ConsoleReply> decided_;
};

}  // namespace bank

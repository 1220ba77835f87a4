// TxidMemory: decided outcomes by txid.
#include "actors/bank/txid_memory.hpp"

namespace bank {

void TxidMemory::committed(const Block& block) { decided_[block.tx->txid] = TransferDone{block.tx->txid, block}; }

void TxidMemory::aborted(const std::string& txid, const std::string& reason) {
  decided_[txid] = FailureReply{"aborted", reason, txid};
}

std::optional<ConsoleReply> TxidMemory::recall(const std::string& txid) const {
  auto it = decided_.find(txid);
  if (it == decided_.end()) return std::nullopt;
  return it->second;
}

}  // namespace bank

// TxidMemory: every committed transfer of the chain (every payer's: a txid names one
// transfer cluster-wide) and every aborted one of this node's account, by txid, so a
// retried transfer answers what it answered before and pays at most once, and a txid
// reused for another transfer is refused.
//
// Bounded memory: a committed transfer is remembered as (64-bit key of its txid, index of
// its block), 16 bytes, not as its block: a node with a million blocks keeps 16 MB, and
// the block itself is read from the chain when a retry comes (the ledger does that, and
// checks the txid, so two txids with the same key are never confused). Aborted transfers
// have no block: the newest max_kept_aborts are kept whole, with their reason; an older one
// is forgotten (a retry of it is taken as new), so 20,000 overdrafts cost no more than 4,096.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bank {

class TxidMemory {
 public:
  using KeyFn = std::uint64_t (*)(std::string_view);
  static std::uint64_t default_key(std::string_view txid);
  TxidMemory() = default;
  explicit TxidMemory(KeyFn key) : key_(key) {}

  void committed(std::string_view txid, std::uint64_t index);
  void aborted(const std::string& txid, const std::string& reason);

  // The blocks that may hold this txid's transfer (those whose txid has the same key),
  // oldest first; empty when it was never committed.
  std::vector<std::uint64_t> candidates(std::string_view txid) const;
  std::optional<std::string> abort_reason(const std::string& txid) const;
  // True when the txid was decided, and (rarely) when another txid shares its key.
  bool maybe_decided(const std::string& txid) const;
  // Entries held: each commit counts (a block is committed once), each aborted txid once.
  std::size_t size() const { return sorted_.size() + recent_.size() + aborted_.size(); }

 private:
  struct Entry {
    std::uint64_t key;
    std::uint64_t index;
  };
  void merge_recent();
  static bool before(const Entry& a, const Entry& b) { return a.key != b.key ? a.key < b.key : a.index < b.index; }

  KeyFn key_ = default_key;
  std::deque<Entry> sorted_;   // by key, then index (a deque: no doubling copy as it grows)
  std::vector<Entry> recent_;  // newest, also by key then index; merged into sorted_ when it fills
  std::map<std::string, std::string> aborted_;
  std::deque<std::string> abort_order_;  // the keys of aborted_, oldest first
};

}  // namespace bank

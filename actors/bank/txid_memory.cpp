// TxidMemory: decided transfers by txid key (committed) and by txid (aborted).
#include "actors/bank/txid_memory.hpp"

#include <algorithm>
#include <functional>

#include "messages/abort_record.hpp"

namespace bank {

namespace {
constexpr std::size_t kRecentMax = 1024;  // an insertion moves at most this many entries

struct ByKey {
  template <class E>
  bool operator()(const E& e, std::uint64_t k) const { return e.key < k; }
  template <class E>
  bool operator()(std::uint64_t k, const E& e) const { return k < e.key; }
};
}

std::uint64_t TxidMemory::default_key(std::string_view txid) { return std::hash<std::string_view>{}(txid); }

// Both parts stay sorted, so a lookup is two binary searches (it was a scan of the recent
// part on every transfer).
void TxidMemory::committed(std::string_view txid, std::uint64_t index) {
  Entry e{key_(txid), index};
  recent_.insert(std::upper_bound(recent_.begin(), recent_.end(), e, before), e);
  if (recent_.size() >= kRecentMax) merge_recent();
}

void TxidMemory::merge_recent() {
  auto middle = sorted_.insert(sorted_.end(), recent_.begin(), recent_.end());
  std::inplace_merge(sorted_.begin(), middle, sorted_.end(), before);
  recent_.clear();
}

void TxidMemory::aborted(const std::string& txid, const std::string& reason) {
  auto [it, fresh] = aborted_.insert_or_assign(txid, reason);
  if (!fresh) return;
  abort_order_.push_back(txid);
  if (abort_order_.size() > max_kept_aborts) {
    aborted_.erase(abort_order_.front());
    abort_order_.pop_front();
  }
}

std::vector<std::uint64_t> TxidMemory::candidates(std::string_view txid) const {
  std::uint64_t key = key_(txid);
  std::vector<std::uint64_t> out;
  auto [from, to] = std::equal_range(sorted_.begin(), sorted_.end(), key, ByKey{});
  for (auto it = from; it != to; ++it) out.push_back(it->index);
  auto [rfrom, rto] = std::equal_range(recent_.begin(), recent_.end(), key, ByKey{});
  for (auto it = rfrom; it != rto; ++it) out.push_back(it->index);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::optional<std::string> TxidMemory::abort_reason(const std::string& txid) const {
  auto it = aborted_.find(txid);
  if (it == aborted_.end()) return std::nullopt;
  return it->second;
}

bool TxidMemory::maybe_decided(const std::string& txid) const {
  std::uint64_t key = key_(txid);
  return std::binary_search(recent_.begin(), recent_.end(), key, ByKey{}) ||
         std::binary_search(sorted_.begin(), sorted_.end(), key, ByKey{}) || aborted_.contains(txid);
}

}  // namespace bank

// TxidMemory: decided transfers by txid key (committed) and by txid (aborted).
#include "actors/bank/txid_memory.hpp"

#include <algorithm>
#include <functional>

#include "messages/abort_record.hpp"

namespace bank {

namespace {
constexpr std::size_t kRecentMax = 1024;  // a lookup scans at most this many unsorted entries
}

std::uint64_t TxidMemory::default_key(std::string_view txid) { return std::hash<std::string_view>{}(txid); }

void TxidMemory::committed(std::string_view txid, std::uint64_t index) {
  recent_.push_back(Entry{key_(txid), index});
  if (recent_.size() >= kRecentMax) merge_recent();
}

void TxidMemory::merge_recent() {
  auto by_key = [](const Entry& a, const Entry& b) { return a.key != b.key ? a.key < b.key : a.index < b.index; };
  std::sort(recent_.begin(), recent_.end(), by_key);
  auto middle = sorted_.insert(sorted_.end(), recent_.begin(), recent_.end());
  std::inplace_merge(sorted_.begin(), middle, sorted_.end(), by_key);
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
  auto lower = std::lower_bound(sorted_.begin(), sorted_.end(), key, [](const Entry& e, std::uint64_t k) { return e.key < k; });
  for (auto it = lower; it != sorted_.end() && it->key == key; ++it) out.push_back(it->index);
  for (const Entry& e : recent_)
    if (e.key == key) out.push_back(e.index);
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
  return aborted_.contains(txid) || !candidates(txid).empty();
}

}  // namespace bank

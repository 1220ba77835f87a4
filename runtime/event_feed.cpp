// EventFeed: a ring of event texts, each slot reused once the ring is full.
#include "runtime/event_feed.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace bank {

EventFeed::EventFeed(std::size_t capacity) : capacity_(capacity) {
  if (capacity_ == 0) throw std::logic_error("an event feed keeps at least one event");
}

bool EventFeed::keeps(const LogOut& e) {
  static constexpr std::array<std::string_view, 6> always{"cs_enter", "cs_exit", "commit",
                                                          "abort",    "peer_up", "peer_down"};
  if (e.event == "send" || e.event == "recv") return e.feed;
  return std::find(always.begin(), always.end(), e.event) != always.end();
}

void EventFeed::push(std::string_view ts, std::string_view fields, std::string_view msg) {
  std::lock_guard lock(mu_);
  const std::uint64_t seq = newest_ + 1;
  if (slots_.size() < capacity_) slots_.emplace_back();
  // Built in place: a reused slot keeps its capacity, so a full ring seldom allocates. One
  // too small for this event is replaced by one of the exact size, not grown by doubling
  // (which would leave most slots half empty: the ring is most of a node's memory); so is
  // one over twice too big, or every slot would come to hold the largest event it ever
  // held, and a full ring would keep growing for as long as the node runs.
  std::string& text = slots_[(seq - 1) % capacity_];
  const std::size_t size = 8 + ts.size() + 1 + fields.size() + (msg.empty() ? 0 : 7 + msg.size()) + 7 + 20 + 1;
  if (text.capacity() < size || text.capacity() > 2 * size) {
    std::string exact;
    exact.reserve(size);
    text = std::move(exact);
  }
  text.assign(R"({"ts":")");
  text += ts;
  text += '"';
  text += fields;
  if (!msg.empty()) {
    text += R"(,"msg":)";
    text += msg;
  }
  text += R"(,"seq":)";
  text += std::to_string(seq);
  text += '}';
  newest_ = seq;
}

std::uint64_t EventFeed::first_locked() const { return newest_ - slots_.size() + 1; }

std::uint64_t EventFeed::newest() const {
  std::lock_guard lock(mu_);
  return newest_;
}

std::size_t EventFeed::held_bytes() const {
  std::lock_guard lock(mu_);
  std::size_t bytes = 0;
  for (const auto& slot : slots_) bytes += slot.capacity();
  return bytes;
}

EventsReply EventFeed::read(std::uint64_t since, std::uint64_t limit) const {
  std::lock_guard lock(mu_);
  EventsReply page{.events = {}, .next = since, .first = first_locked()};
  if (since >= newest_ || limit == 0) return page;
  // Events older than `first` are gone: the page starts at the oldest kept.
  const std::uint64_t from = std::max(since + 1, page.first);
  const std::uint64_t to = from + std::min(limit, newest_ - from + 1) - 1;
  page.events.reserve(to - from + 1);
  for (std::uint64_t n = from; n <= to; ++n) page.events.push_back(slots_[(n - 1) % capacity_]);
  page.next = to;
  return page;
}

}  // namespace bank

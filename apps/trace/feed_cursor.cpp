// FeedCursor: a reply is checked whole before the cursor moves, so a bad one changes nothing.
#include "apps/trace/feed_cursor.hpp"

#include <nlohmann/json.hpp>

namespace bank::trace {

namespace {
using nlohmann::json;

bool is_uint(const json& j) { return j.is_number_unsigned() || (j.is_number_integer() && j.get<std::int64_t>() >= 0); }
}  // namespace

std::string FeedCursor::request() const {
  return json{{"cmd", "events"}, {"since", since_}, {"limit", kLimit}}.dump();
}

Result<FeedCursor::Page> FeedCursor::take(std::string_view reply) {
  const std::string who = "node " + std::to_string(node_);
  json j = json::parse(reply, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("ok") || !j["ok"].is_boolean())
    return make_error("trace.bad_reply", who + " answered something that is not a console reply");
  if (!j["ok"].get<bool>()) {
    std::string status = j.value("status", "?"), error = j.value("error", "");
    return make_error("trace.feed_refused", who + " refused the events command: " + status + ": " + error);
  }
  auto events = j.find("events");
  auto next = j.find("next");
  auto first = j.find("first");
  if (events == j.end() || !events->is_array() || next == j.end() || !is_uint(*next) || first == j.end() ||
      !is_uint(*first))
    return make_error("trace.bad_reply", who + "'s events reply lacks \"events\", \"next\" or \"first\"");
  Page page;
  for (const json& e : *events) {
    auto seq = e.find("seq");
    if (seq == e.end() || !is_uint(*seq)) return make_error("trace.bad_reply", who + " sent an event without \"seq\"");
    auto ev = TraceEvent::from_json(e);
    if (!ev)
      return make_error("trace.bad_reply", who + "'s event " + std::to_string(seq->get<std::uint64_t>()) + ": " +
                                               ev.error().message);
    if (!*ev) continue;
    TraceEvent& t = **ev;
    t.order = seq->get<std::uint64_t>();
    t.source = source_;
    t.where = who + " event " + std::to_string(t.order);
    page.events.push_back(std::move(t));
  }
  const auto first_seq = first->get<std::uint64_t>();
  // Past the oldest still kept: what lay between was dropped before we asked again.
  if (since_ > 0 && first_seq > since_ + 1) page.missed = first_seq - since_ - 1;
  if (taken_ == 0 && since_ == 0) first_kept_ = first_seq;
  page.full = events->size() >= kLimit;
  since_ = next->get<std::uint64_t>();
  taken_ += events->size();
  missed_ += page.missed;
  return page;
}

}  // namespace bank::trace

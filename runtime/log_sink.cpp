// LogSink: JSON Lines with a timestamp taken at the moment of writing.
#include "runtime/log_sink.hpp"

#include <chrono>
#include <ctime>
#include <utility>

#include "messages/json/json_text.hpp"

namespace bank {

LogSink::LogSink(std::FILE* out, NodeId node, LogDetail detail, EventFeed* feed)
    : out_(out), node_(node), detail_(detail), feed_(feed) {}

std::string LogSink::rfc3339_now() {
  auto now = std::chrono::system_clock::now();
  return rfc3339(std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count());
}

// Every log line takes a timestamp: strftime and gmtime once per line were a few percent of
// a busy node's thread.
std::string LogSink::rfc3339(std::int64_t us) {
  thread_local std::int64_t cached_secs = -1;
  thread_local char date_time[32];  // "YYYY-MM-DDTHH:MM:SS"
  thread_local std::size_t date_time_len = 0;
  const std::int64_t secs = us / 1000000;
  if (secs != cached_secs) {
    std::time_t t = secs;
    std::tm tm{};
    gmtime_r(&t, &tm);
    date_time_len = std::strftime(date_time, sizeof date_time, "%Y-%m-%dT%H:%M:%S", &tm);
    cached_secs = secs;
  }
  std::string out(date_time, date_time_len);
  char frac[9] = ".000000Z";
  for (auto f = us % 1000000, i = std::int64_t{6}; i >= 1; --i, f /= 10) frac[i] = static_cast<char>('0' + f % 10);
  out.append(frac, 8);
  return out;
}

// The timestamp is read under the lock, so the order of lines in one file is the order of
// their ts; across nodes of one machine the same clock orders them. The rest of the line is
// put together as text before: the fields in order, then "msg" (already JSON text) as it is.
// The event feed gets the same line (a release's "msg" briefer) under the same lock.
void LogSink::write(const LogOut& e) {
  // The log setting leaves link upkeep (or every send and recv) out of the file, never an
  // event out of the feed.
  const bool logged = detail_ == LogDetail::all || !(e.upkeep || detail_ == LogDetail::none) ||
                      (e.event != "send" && e.event != "recv");
  const bool kept = feed_ && EventFeed::keeps(e);
  if (!logged && !kept) return;
  std::string rest;
  rest.reserve(128 + e.members.size() + e.msg.size());
  rest += ",\"node\":";
  rest += std::to_string(node_);
  rest += ",\"lamport\":";
  rest += std::to_string(e.lamport);
  rest += ",\"event\":";
  append_json_string(rest, e.event);  // our own event names: ASCII
  if (!e.members.empty()) {
    rest += ',';
    rest += e.members;
  } else if (e.fields.is_object() && !e.fields.empty()) {
    // The fields in one dump (an object prints its keys sorted), spliced in without braces.
    std::string fields = e.fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    rest += ',';
    rest.append(fields, 1, fields.size() - 2);
  }
  const std::size_t before_msg = rest.size();
  if (!e.msg.empty()) {
    rest += ",\"msg\":";
    rest += e.msg;
  }
  rest += "}\n";
  std::lock_guard lock(mu_);
  const std::string ts = rfc3339_now();
  if (kept) feed_->push(ts, std::string_view(rest).substr(0, before_msg), e.brief.empty() ? e.msg : e.brief);
  if (!logged) return;
  buffer_ += "{\"ts\":\"";
  buffer_ += ts;
  buffer_ += '"';
  buffer_ += rest;
  // Who holds the critical section is what a reader of the log watches for: those lines
  // go out at once, cs_exit before the release that follows it leaves.
  if (buffer_.size() >= kFlushBytes || e.event == "cs_enter" || e.event == "cs_exit") write_out();
}

void LogSink::flush() {
  std::lock_guard lock(mu_);
  write_out();
}

std::FILE* LogSink::replace(std::FILE* out) {
  std::lock_guard lock(mu_);
  write_out();
  return std::exchange(out_, out);
}

void LogSink::write_out() {
  if (buffer_.empty()) return;
  std::fwrite(buffer_.data(), 1, buffer_.size(), out_);
  std::fflush(out_);
  bytes_written_.fetch_add(buffer_.size(), std::memory_order_relaxed);
  buffer_.clear();
}

}  // namespace bank

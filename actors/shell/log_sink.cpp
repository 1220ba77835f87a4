// LogSink: JSON Lines with a timestamp taken at the moment of writing.
#include "actors/shell/log_sink.hpp"

#include <chrono>
#include <ctime>

namespace bank {

LogSink::LogSink(std::FILE* out, NodeId node) : out_(out), node_(node) {}

std::string LogSink::rfc3339_now() {
  auto now = std::chrono::system_clock::now();
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  std::time_t secs = us / 1000000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%06lldZ", static_cast<long long>(us % 1000000));
  return buf;
}

// The timestamp is read under the lock, so the order of lines in one file is the order of
// their ts; across nodes of one machine the same clock orders them.
void LogSink::write(const LogOut& e) {
  nlohmann::ordered_json line;
  std::lock_guard lock(mu_);
  line["ts"] = rfc3339_now();
  line["node"] = node_;
  line["lamport"] = e.lamport;
  line["event"] = e.event;
  for (const auto& [k, v] : e.fields.items()) line[k] = v;
  auto text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text += '\n';
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fflush(out_);
}

}  // namespace bank

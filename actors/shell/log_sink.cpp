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
// their ts; across nodes of one machine the same clock orders them. The line is put together
// as text: the fields in order, then "msg" (already JSON text) as it is.
void LogSink::write(const LogOut& e) {
  std::string text;
  text.reserve(160 + e.msg.size());
  auto field = [&](const char* key, const nlohmann::json& value) {
    text += text.empty() ? "{" : ",";
    text += nlohmann::json(key).dump();
    text += ":";
    text += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  std::lock_guard lock(mu_);
  field("ts", rfc3339_now());
  field("node", node_);
  field("lamport", e.lamport);
  field("event", e.event);
  for (const auto& [k, v] : e.fields.items()) field(k.c_str(), v);
  if (!e.msg.empty()) {
    text += ",\"msg\":";
    text += e.msg;
  }
  text += "}\n";
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fflush(out_);
}

}  // namespace bank

// LogStats: a chunked line scanner over the node log.
#include "apps/bench/log_stats.hpp"

#include <cstdio>
#include <memory>
#include <string_view>
#include <vector>

namespace bank::bench {

LogStats LogStats::scan(const std::filesystem::path& log) {
  LogStats s;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(log.c_str(), "rb"), &std::fclose);
  if (!f) return s;
  std::vector<char> buf(1 << 20);
  std::string carry;  // a line cut by the end of a chunk
  for (;;) {
    std::size_t n = std::fread(buf.data(), 1, buf.size(), f.get());
    if (n == 0) break;
    s.bytes_ += n;
    std::string_view chunk(buf.data(), n);
    for (;;) {
      auto nl = chunk.find('\n');
      if (nl == std::string_view::npos) {
        carry.append(chunk);
        break;
      }
      if (carry.empty()) {
        s.line(chunk.substr(0, nl));
      } else {
        carry.append(chunk.substr(0, nl));
        s.line(carry);
        carry.clear();
      }
      chunk.remove_prefix(nl + 1);
    }
  }
  if (!carry.empty()) s.line(carry);
  return s;
}

// A send line holds the event's "type" and, inside "msg", the message's own "type"; both name
// the message. Key order is not assumed (nodes have written "msg" before the event's fields
// and after them): the first `"type":"` after the event is taken. JSON escapes quotes inside
// strings, so no string value (a txid, an error) can fake `"event":"…"` or `"type":"`.
void LogStats::line(std::string_view l) {
  if (l.find("\"event\":\"send\"") != std::string_view::npos) {
    ++sends_;
    static constexpr std::string_view key = "\"type\":\"";
    auto at = l.find(key, l.find("\"event\":\"send\""));
    if (at != std::string_view::npos) {
      auto from = at + key.size();
      auto end = l.find('"', from);
      if (end != std::string_view::npos) ++by_type_[std::string(l.substr(from, end - from))];
    }
  } else if (l.find("\"event\":\"cs_enter\"") != std::string_view::npos) {
    ++cs_enters_;
  } else if (l.find("\"event\":\"peer_down\"") != std::string_view::npos) {
    ++peer_downs_;
  } else if (l.find("\"event\":\"error\"") != std::string_view::npos) {
    if (errors_++ == 0) first_error_ = std::string(l.substr(0, 300));
  }
}

LogStats& LogStats::operator+=(const LogStats& o) {
  sends_ += o.sends_;
  for (const auto& [t, n] : o.by_type_) by_type_[t] += n;
  cs_enters_ += o.cs_enters_;
  peer_downs_ += o.peer_downs_;
  if (errors_ == 0) first_error_ = o.first_error_;
  errors_ += o.errors_;
  bytes_ += o.bytes_;
  return *this;
}

long long LogStats::sends_of(const std::string& type) const {
  auto it = by_type_.find(type);
  return it == by_type_.end() ? 0 : it->second;
}

}  // namespace bank::bench

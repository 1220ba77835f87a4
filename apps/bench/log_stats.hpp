// LogStats: counts in one node's JSON-lines log, found by substring, line by line, without
// parsing JSON (a log under load runs to hundreds of MB): sent peer messages by type,
// critical-section entries, peer_down and error events.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace bank::bench {

class LogStats {
 public:
  // Reads the file in large chunks; a missing file gives all zeros.
  static LogStats scan(const std::filesystem::path& log);

  LogStats& operator+=(const LogStats& other);

  long long sends() const { return sends_; }
  long long sends_of(const std::string& type) const;
  // request + reply + release: the messages of Lamport's algorithm itself, 3(N-1) per entry
  long long lamport_sends() const { return sends_of("request") + sends_of("reply") + sends_of("release"); }
  const std::map<std::string, long long>& sends_by_type() const { return by_type_; }
  long long cs_enters() const { return cs_enters_; }
  long long peer_downs() const { return peer_downs_; }
  long long errors() const { return errors_; }
  const std::string& first_error() const { return first_error_; }
  std::uintmax_t bytes() const { return bytes_; }

 private:
  void line(std::string_view l);

  long long sends_ = 0;
  std::map<std::string, long long> by_type_;
  long long cs_enters_ = 0;
  long long peer_downs_ = 0;
  long long errors_ = 0;
  std::string first_error_;
  std::uintmax_t bytes_ = 0;
};

}  // namespace bank::bench

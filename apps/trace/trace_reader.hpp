// TraceReader: gathers the events of a run from the nodes' JSON-lines logs: files, or
// folders holding node-N.log files (run/logs, a bank-bench --keep folder, or a folder
// whose logs/ holds them), or text handed over whole (bank-sim's logs, tests). A line that
// is not a log line is an error naming the file and line, except a torn last line (a node
// killed while writing), which is skipped and counted.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apps/trace/trace_event.hpp"
#include "messages/result.hpp"

namespace bank::trace {

class TraceReader {
 public:
  // A log file, or every node-N.log of a folder (or of its logs/ folder). trace.missing:
  // no such file, or a folder without node logs; trace.bad_line: names the file and line.
  std::optional<Error> add_path(const std::filesystem::path& path);
  std::optional<Error> add_file(const std::filesystem::path& file);
  // One log's text, named `name` in messages.
  std::optional<Error> add_text(std::string_view text, const std::string& name);
  // Events that came some other way (the console's feed); `source` as from next_source().
  void add_events(std::vector<TraceEvent> events);
  std::size_t next_source() { return sources_.size(); }
  void name_source(const std::string& name) { sources_.push_back(name); }

  // Every event read, in trace order.
  std::vector<TraceEvent> take_events();

  const std::vector<std::string>& sources() const { return sources_; }
  std::size_t lines() const { return lines_; }
  std::size_t torn() const { return torn_; }        // torn last lines skipped
  std::uintmax_t bytes() const { return bytes_; }

  // The node-N.log files of a folder, by N; empty when it holds none.
  static std::vector<std::filesystem::path> node_logs(const std::filesystem::path& folder);

 private:
  // One line (without its newline) of source `src`; `last` when no newline ended it.
  std::optional<Error> line(std::string_view l, std::size_t number, bool last, const std::string& name);

  std::vector<TraceEvent> events_;
  std::vector<std::string> sources_;
  std::size_t lines_ = 0, torn_ = 0;
  std::uintmax_t bytes_ = 0;
};

}  // namespace bank::trace

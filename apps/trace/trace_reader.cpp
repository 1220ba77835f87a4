// TraceReader: files are read in large chunks, line by line; lines of events the trace
// leaves out are recognised without parsing them (a log under load is mostly heartbeats,
// acks and catch-up).
#include "apps/trace/trace_reader.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <regex>

namespace bank::trace {

namespace fs = std::filesystem;

std::vector<fs::path> TraceReader::node_logs(const fs::path& folder) {
  static const std::regex name(R"(node-([0-9]{1,9})\.log)");
  std::map<unsigned long, fs::path> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    std::smatch m;
    const std::string file = entry.path().filename().string();
    if (entry.is_regular_file(ec) && std::regex_match(file, m, name)) found[std::stoul(m[1].str())] = entry.path();
  }
  std::vector<fs::path> out;
  for (auto& [id, p] : found) out.push_back(std::move(p));
  return out;
}

std::optional<Error> TraceReader::add_path(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    auto logs = node_logs(path);
    if (logs.empty() && fs::is_directory(path / "logs", ec)) logs = node_logs(path / "logs");
    if (logs.empty())
      return make_error("trace.missing", path.string() + ": no node-N.log files in this folder (nor in its logs/)");
    for (const auto& f : logs)
      if (auto err = add_file(f)) return err;
    return std::nullopt;
  }
  return add_file(path);
}

std::optional<Error> TraceReader::add_file(const fs::path& file) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(file.c_str(), "rb"), &std::fclose);
  std::error_code ec;
  if (!f || fs::is_directory(file, ec))
    return make_error("trace.missing", file.string() + ": " + (f ? "a folder" : "cannot be read (no such file?)"));
  const std::string name = file.filename().string();
  sources_.push_back(file.string());
  std::vector<char> buf(1 << 20);
  std::string carry;  // a line cut by the end of a chunk
  std::size_t number = 0;
  for (;;) {
    std::size_t n = std::fread(buf.data(), 1, buf.size(), f.get());
    if (n == 0) break;
    bytes_ += n;
    std::string_view chunk(buf.data(), n);
    for (;;) {
      auto nl = chunk.find('\n');
      if (nl == std::string_view::npos) {
        carry.append(chunk);
        break;
      }
      std::optional<Error> err;
      if (carry.empty()) {
        err = line(chunk.substr(0, nl), ++number, false, name);
      } else {
        carry.append(chunk.substr(0, nl));
        err = line(carry, ++number, false, name);
        carry.clear();
      }
      if (err) return err;
      chunk.remove_prefix(nl + 1);
    }
  }
  if (std::ferror(f.get())) return make_error("trace.missing", file.string() + ": read error");
  if (!carry.empty()) return line(carry, ++number, true, name);
  return std::nullopt;
}

std::optional<Error> TraceReader::add_text(std::string_view text, const std::string& name) {
  sources_.push_back(name);
  bytes_ += text.size();
  std::size_t number = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    const bool last = nl == std::string_view::npos;
    if (auto err = line(text.substr(0, last ? text.size() : nl), ++number, last, name)) return err;
    text.remove_prefix(last ? text.size() : nl + 1);
  }
  return std::nullopt;
}

std::optional<Error> TraceReader::line(std::string_view l, std::size_t number, bool last, const std::string& name) {
  ++lines_;
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  if (l.find_first_not_of(" \t") == std::string_view::npos) return std::nullopt;  // a blank line
  if (TraceEvent::left_out(l)) return std::nullopt;
  auto e = TraceEvent::parse_line(l);
  if (!e) {
    // A node killed in the middle of a write leaves a last line without its newline.
    if (last) {
      ++torn_;
      return std::nullopt;
    }
    return make_error("trace.bad_line", name + ":" + std::to_string(number) + ": " + e.error().message);
  }
  if (!*e) return std::nullopt;
  TraceEvent& ev = **e;
  ev.where = name + ":" + std::to_string(number);
  ev.source = sources_.size() - 1;
  ev.order = number;
  events_.push_back(std::move(ev));
  return std::nullopt;
}

void TraceReader::add_events(std::vector<TraceEvent> events) {
  for (auto& e : events) events_.push_back(std::move(e));
}

std::vector<TraceEvent> TraceReader::take_events() {
  std::stable_sort(events_.begin(), events_.end(), trace_order);
  return std::move(events_);
}

}  // namespace bank::trace

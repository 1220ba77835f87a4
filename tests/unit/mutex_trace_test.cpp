// MutexCore scenarios as scripted traces: every file under traces/mutex/ replays exactly.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "mutex_trace.hpp"

namespace {

// Expected and actual output side by side, line by line: "  " same, "- " expected, "+ " actual.
std::string diff(const std::string& expected, const std::string& actual) {
  auto lines = [](const std::string& text) {
    std::vector<std::string> ls;
    std::string l;
    for (char c : text) {
      if (c != '\n') {
        l += c;
        continue;
      }
      ls.push_back(l);
      l.clear();
    }
    return ls;
  };
  auto want = lines(expected), got = lines(actual);
  std::string d;
  for (std::size_t i = 0; i < std::max(want.size(), got.size()); ++i) {
    if (i < want.size() && i < got.size() && want[i] == got[i]) {
      d += "    " + want[i] + "\n";
      continue;
    }
    if (i < want.size()) d += "  - " + want[i] + "\n";
    if (i < got.size()) d += "  + " + got[i] + "\n";
  }
  return d;
}

}  // namespace

// MUTEX_TRACE_REWRITE=1 writes each file back with the outputs it got, to review with git diff.
TEST_CASE("mutex trace: every scenario under traces/mutex replays with the outputs it expects") {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(TRACES_DIR "/mutex"))
    if (entry.path().extension() == ".txt") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  REQUIRE_FALSE(files.empty());
  const bool rewrite = std::getenv("MUTEX_TRACE_REWRITE") != nullptr;
  for (const auto& file : files) {
    const std::string path = file.string();
    bank::unit::MutexTrace trace(path);
    for (const auto& m : trace.run())
      ADD_FAIL_CHECK_AT(path.c_str(), static_cast<int>(m.line), m.command << "\n" << diff(m.expected, m.actual));
    if (rewrite) std::ofstream(file) << trace.rewritten();
  }
}

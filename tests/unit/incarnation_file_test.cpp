// IncarnationFile: each start's incarnation is above the last one, whatever the clock does;
// the number is kept in the data folder; a damaged file is refused and left as it is.
#include "node/incarnation_file.hpp"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

using namespace bank;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = "/tmp/incarnation_file_test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

constexpr std::uint64_t kNow = 1'700'000'000'000'000;  // microseconds since the epoch
constexpr std::uint64_t kHour = 3'600'000'000;

}  // namespace

TEST_CASE("IncarnationFile: the clock when it is well ahead of the last start, else the last plus the gap") {
  CHECK(IncarnationFile::next(kNow, std::nullopt) == kNow);
  CHECK(IncarnationFile::next(kNow + kHour, kNow) == kNow + kHour);
  // Set back an hour, or not moved on enough: still above, with room for the links' own
  // raises (one per session started over).
  CHECK(IncarnationFile::next(kNow - kHour, kNow) == kNow + IncarnationFile::kGap);
  CHECK(IncarnationFile::next(kNow, kNow) == kNow + IncarnationFile::kGap);
  CHECK(IncarnationFile::next(kNow + 1, kNow) == kNow + IncarnationFile::kGap);
}

TEST_CASE("IncarnationFile: starts with the clock set back and forth keep rising, and the last one is on disk") {
  TempDir dir;
  auto first = IncarnationFile::advance(dir.path, kNow, true);
  REQUIRE(first);
  CHECK(*first == kNow);
  CHECK(slurp(dir.path / "incarnation") == std::to_string(kNow) + "\n");
  auto back = IncarnationFile::advance(dir.path, kNow - kHour, true);  // the clock set back an hour
  REQUIRE(back);
  CHECK(*back > *first);
  auto again = IncarnationFile::advance(dir.path, kNow - kHour, true);  // and started again there
  REQUIRE(again);
  CHECK(*again > *back);
  auto forward = IncarnationFile::advance(dir.path, kNow + 2 * kHour, false);  // then set forward
  REQUIRE(forward);
  CHECK(*forward == kNow + 2 * kHour);
  CHECK(slurp(dir.path / "incarnation") == std::to_string(kNow + 2 * kHour) + "\n");
  CHECK_FALSE(fs::exists(dir.path / "incarnation.tmp"));
}

TEST_CASE("IncarnationFile: a file that holds no number is refused, named, and left as it is") {
  TempDir dir;
  for (std::string bad : {"", "12x\n", "-5\n", "hello\n", "1 2\n"}) {
    { std::ofstream(dir.path / "incarnation", std::ios::trunc) << bad; }
    auto r = IncarnationFile::advance(dir.path, kNow, true);
    REQUIRE_FALSE(r);
    CHECK(r.error().id == "incarnation.corrupt");
    CHECK(r.error().message.find((dir.path / "incarnation").string()) != std::string::npos);
    CHECK(slurp(dir.path / "incarnation") == bad);
  }
}

// The replay driver: a main for a fuzz target without libFuzzer, so every build (any
// compiler) checks that the target still passes its whole corpus. Feeds each file named on
// the command line, and each file of each folder named (in name order), to the target's
// LLVMFuzzerTestOneInput. Exit 0 when every input passed and there was at least one; a
// broken property aborts, and the driver names the input it was running.
#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

// The input in hand, for the signal handler (which may only write(2) what is ready).
char current[4096] = "";

void name_input_and_die(int sig) {
  const char head[] = "fuzz replay: crashed on input ";
  [[maybe_unused]] auto a = write(2, head, sizeof head - 1);
  [[maybe_unused]] auto b = write(2, current, std::strlen(current));
  [[maybe_unused]] auto c = write(2, "\n", 1);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

std::vector<fs::path> inputs_of(const fs::path& arg) {
  std::vector<fs::path> out;
  if (!fs::is_directory(arg)) return {arg};
  for (const auto& entry : fs::directory_iterator(arg))
    if (entry.is_regular_file()) out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_FOLDER_OR_FILE...\n", argv[0]);
    return 2;
  }
  for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) std::signal(sig, name_input_and_die);
  std::size_t count = 0;
  for (int i = 1; i < argc; ++i) {
    std::error_code ec;
    if (!fs::exists(argv[i], ec)) {
      std::fprintf(stderr, "fuzz replay: no such file or folder: %s\n", argv[i]);
      return 2;
    }
    for (const fs::path& file : inputs_of(argv[i])) {
      std::snprintf(current, sizeof current, "%s", file.c_str());
      std::ifstream in(file, std::ios::binary);
      if (!in) {
        std::fprintf(stderr, "fuzz replay: cannot read %s\n", file.c_str());
        return 2;
      }
      const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
      ++count;
    }
  }
  if (count == 0) {
    std::fprintf(stderr, "fuzz replay: no inputs: a corpus must hold at least one\n");
    return 1;
  }
  std::printf("fuzz replay: %zu inputs passed\n", count);
  return 0;
}

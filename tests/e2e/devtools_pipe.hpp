// DevtoolsPipe: headless Chromium driven through its DevTools protocol over
// --remote-debugging-pipe (JSON messages ended by NUL on file descriptors 3 and 4: no
// WebSocket needed): open a page, run JavaScript in it, read what it returns. The test uses
// it to fill in and submit bank-web's transfer form as a person would. Every wait is bounded.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace bank::e2e {

class DevtoolsPipe {
 public:
  DevtoolsPipe(const std::string& chromium, const std::filesystem::path& profile);
  ~DevtoolsPipe();  // closes the browser
  DevtoolsPipe(const DevtoolsPipe&) = delete;
  DevtoolsPipe& operator=(const DevtoolsPipe&) = delete;

  // Opens `url` in a new tab and attaches to it; false when Chromium does not answer.
  bool open(const std::string& url);
  // The value of `expression` in the page (promises awaited); nullopt on no answer or an exception.
  std::optional<nlohmann::json> eval(const std::string& expression, std::chrono::milliseconds bound = std::chrono::seconds(10));

 private:
  std::optional<nlohmann::json> call(const std::string& method, const nlohmann::json& params, bool in_page,
                                     std::chrono::milliseconds bound);

  pid_t pid_ = -1;
  int to_ = -1, from_ = -1;
  int next_id_ = 1;
  std::string buffer_;
  std::string session_;
};

}  // namespace bank::e2e

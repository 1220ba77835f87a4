// StopSignal: remembers a Ctrl-C (SIGINT) or SIGTERM so every bench loop can stop and clean up.
#pragma once

namespace bank::bench {

class StopSignal {
 public:
  // Installs the handlers (without SA_RESTART, so a blocking wait returns early).
  static void install();
  static bool requested();
};

}  // namespace bank::bench

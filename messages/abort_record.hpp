// AbortRecord: a transfer refused for funds, remembered across restarts so a retry answers
// the same; its codec is one line of a node's aborts.jsonl (docs/file-formats.md).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "messages/result.hpp"

namespace bank {

struct AbortRecord {
  std::string txid;
  std::string reason;
  bool operator==(const AbortRecord&) const = default;
};

inline constexpr std::size_t max_abort_record = 64 * 1024;
// Aborted transfers a node remembers, at most: the newest ones, in memory (TxidMemory) and
// in aborts.jsonl (which FileBlockStore compacts to them once it holds twice as many). A
// retry comes seconds after a lost reply, and 4,096 aborts is minutes of the busiest
// overdrawing; some 150 bytes each, it keeps memory under 1 MB and the file under 2 MB.
// A retry of an older aborted txid is taken as a new transfer (docs/console-protocol.md).
inline constexpr std::size_t max_kept_aborts = 4096;

// {"reason":"...","txid":"..."}: canonical JSON, without the line's newline.
std::string abort_record_text(const AbortRecord& abort);
// Total: a JSON object whose "txid" is a txid and whose "reason" is a string, or an error
// value. Other keys are let be, as the log has always been read.
Result<AbortRecord> decode_abort_record(std::string_view line);

}  // namespace bank

// JSON text written directly, byte for byte what nlohmann's dump() prints, for the hot
// paths (block text, log lines) where building a JSON value to dump it costs more.
#pragma once

#include <string>
#include <string_view>

namespace bank {

// Appends `s` as a JSON string as dump() writes it: quote, backslash and control characters
// escaped, everything else as it is. False for bytes beyond ASCII (dump() checks UTF-8).
bool append_json_string(std::string& out, std::string_view s);

}  // namespace bank

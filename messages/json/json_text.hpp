// JSON text written directly, byte for byte what nlohmann's dump() prints, for the hot
// paths (block text, peer frames, log lines) where building a JSON value to dump it costs more.
// nlohmann's dump() is the reference: tests/unit/json_text_test.cpp holds these to it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace bank {

// Appends `s` as a JSON string as dump() writes it: quote, backslash and control characters
// escaped, everything else as it is. False for bytes beyond ASCII (dump() checks UTF-8).
bool append_json_string(std::string& out, std::string_view s);
// Appends a number as dump() writes an unsigned integer: its decimal digits.
void append_json_number(std::string& out, std::uint64_t x);

// Untrusted bytes as a log line or an error may quote them: at most `max` of them,
// printable ASCII but the backslash as it is, every other byte as \xNN, and "..." where
// they were cut. Never the raw bytes: no control character, nothing beyond ASCII, no
// length an attacker picks.
std::string printable_excerpt(std::string_view bytes, std::size_t max = 64);

}  // namespace bank

// The structured log's line (docs/file-formats.md#structured-log) as text, for bank-sim to
// write the logs of the nodes it simulates in the form LogSink writes a node's, so that
// bank-trace reads both alike (tests/unit/log_line_test.cpp holds the two to the same bytes).
#pragma once

#include <string>
#include <string_view>

#include "messages/bus_message.hpp"

namespace bank {

// Appends everything of the line after its "ts" member: `,"node":N,"lamport":L,"event":E`,
// the event's fields, `"msg"` when it has one, the closing brace and the newline.
void append_log_line_rest(std::string& out, const LogOut& e, NodeId node);

// The whole line, newline included, with `ts` (RFC 3339) as given.
std::string log_line(const LogOut& e, NodeId node, std::string_view ts);

}  // namespace bank

// The log line's text: the fields in order, then "msg" (already JSON text) as it is.
#include "messages/log_line.hpp"

#include "messages/json/json_text.hpp"

namespace bank {

void append_log_line_rest(std::string& rest, const LogOut& e, NodeId node) {
  rest.reserve(rest.size() + 128 + e.members.size() + e.msg.size());
  rest += ",\"node\":";
  rest += std::to_string(node);
  rest += ",\"lamport\":";
  rest += std::to_string(e.lamport);
  rest += ",\"event\":";
  append_json_string(rest, e.event);  // our own event names: ASCII
  if (!e.members.empty()) {
    rest += ',';
    rest += e.members;
  } else if (e.fields.is_object() && !e.fields.empty()) {
    // The fields in one dump (an object prints its keys sorted), spliced in without braces.
    std::string fields = e.fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    rest += ',';
    rest.append(fields, 1, fields.size() - 2);
  }
  if (!e.msg.empty()) {
    rest += ",\"msg\":";
    rest += e.msg;
  }
  rest += "}\n";
}

std::string log_line(const LogOut& e, NodeId node, std::string_view ts) {
  std::string line = "{\"ts\":\"";
  line += ts;
  line += '"';
  append_log_line_rest(line, e, node);
  return line;
}

}  // namespace bank

// What the core tests read out of an Outbox (messages by type and actor, log lines), and one step of a core.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "messages/bus_message.hpp"

namespace bank::unit {

// Every message of type T the core addressed to `to`, in order.
template <class T>
std::vector<T> sent(const Outbox& out, Actor to) {
  std::vector<T> found;
  for (const auto& a : out)
    if (a.to == to)
      if (const T* m = std::get_if<T>(&a.msg)) found.push_back(*m);
  return found;
}

// Every message of type T in `out`, in order, with the actor it is addressed to.
template <class T>
std::vector<std::pair<Actor, T>> all_of(const Outbox& out) {
  std::vector<std::pair<Actor, T>> found;
  for (const auto& a : out)
    if (const T* t = std::get_if<T>(&a.msg)) found.emplace_back(a.to, *t);
  return found;
}

// A log event's fields, whether the core gave them as JSON or as members text (which must
// then be valid JSON members).
inline LogOut with_fields(LogOut l) {
  if (!l.members.empty()) l.fields = nlohmann::json::parse("{" + l.members + "}");
  return l;
}

// Every log line of `event`, in order, its fields as JSON.
inline std::vector<LogOut> logs(const Outbox& out, const std::string& event) {
  std::vector<LogOut> found;
  for (const auto& l : sent<LogOut>(out, Actor::log))
    if (l.event == event) found.push_back(with_fields(l));
  return found;
}

// How many `error` lines were logged.
inline std::size_t error_logs(const Outbox& out) { return logs(out, "error").size(); }

// What `core` puts out for one input.
template <class Core>
Outbox step(Core& core, const BusMessage& in) {
  Outbox out;
  core.step(in, out);
  return out;
}

}  // namespace bank::unit

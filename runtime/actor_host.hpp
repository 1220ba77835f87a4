// ActorHost: what a shell may ask of whatever hosts it (an ActorThread): step its core on
// something one of its own sockets brought, and write a log line. A shell knows its host
// only through this, so neither reaches into the other.
#pragma once

#include "messages/bus_message.hpp"

namespace bank {

class ActorShell;

class ActorHost {
 public:
  virtual ~ActorHost() = default;
  // Steps `shell`'s core on `in` and routes its outputs.
  virtual void feed(ActorShell& shell, const BusMessage& in) = 0;
  virtual void write_log(const LogOut& e) = 0;
};

}  // namespace bank

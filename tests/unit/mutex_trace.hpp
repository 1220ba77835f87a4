// MutexTrace: replays one scripted trace file against MutexCore cores and compares what each
// command puts out with the expectation the file writes under it.
//
// A file is a list of blocks, each a command line, a "----" line and the expected output up
// to a blank line; "#" lines between blocks are comments. Arguments are key=value or bare
// flags; stamps are ts.node (3.2), lists are comma-separated, blocks are index:txid (the
// transfer 1 -> 2 of 100 with that txid, as the tests build them).
//
//   new node=1 peers=2,3            a core, alone
//   cluster ids=1,2,3               a core per id, greeted by every other at lamport 0, and a
//                                   FIFO link per ordered pair that carries their PeerOuts
//   greet lamport=0                 a LinkUp from every peer (not restarted)
//   linkup peer=2 lamport=7 [restarted] [height=3] [inc=41] [ungreeted]  (ungreeted: the frame was not addressed to us)
//   linkdown peer=2 | refuse peer=3 why="another genesis"
//   recv from=2 lamport=5 request=5.2 [height=9] | reply=5.1 [height=9] | release=5.2 [blocks=1:a]
//        | heartbeat | sync=4 | blocks-msg [blocks=..] [height=..]
//   acquire | withdraw | release req=3.1 [blocks=1:a,2:b] | local-height height=5
//   send to=2 sync=5                a PeerOut another actor passes through the mutex
//   status [client=42] [height=5] [head=abc]
//   state                           clock, state, own request, wanted, queue, heard, silent, links up
//   deliver from=1 to=2             the oldest message in flight on that link
//   deliver-all                     every message in flight, lowest (from, to) link first
//   in-flight                       what the links carry
//
// With more than one core a command names its core with node=N. Each output is one line,
// "<actor>: <message>"; a command without output shows "(no output)". In a cluster, a step
// after which two cores hold the critical section adds a line "!! N cores hold".
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "actors/mutex/mutex_core.hpp"

namespace bank::unit {

class MutexTrace {
 public:
  struct Mismatch {
    std::size_t line = 0;  // of the command
    std::string command;
    std::string expected;
    std::string actual;
  };

  explicit MutexTrace(std::string path);

  // Runs every command in order. Returns the blocks whose output differs from the file's.
  std::vector<Mismatch> run();
  // The file as it would read with the outputs of the last run as its expectations.
  const std::string& rewritten() const { return rewritten_; }

 private:
  using Args = std::map<std::string, std::string>;

  std::vector<std::string> execute(const std::string& command, Args& args);
  std::vector<std::string> step(NodeId node, const BusMessage& in);
  std::vector<std::string> deliver(NodeId from, NodeId to);
  std::vector<std::string> state(NodeId node) const;
  std::vector<std::string> in_flight() const;
  NodeId target(Args& args) const;
  void create(NodeId self, std::vector<NodeId> peers);

  std::string path_;
  std::string rewritten_;
  std::map<NodeId, MutexCore> cores_;
  bool cluster_ = false;
  std::map<std::pair<NodeId, NodeId>, std::deque<PeerIn>> links_;  // (from, to) -> in flight
};

}  // namespace bank::unit

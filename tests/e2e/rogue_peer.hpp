// RoguePeer: a compromised node in an end-to-end test. The real node is stopped and the
// test speaks for it with its stolen keys, frame by frame, as plain JSON written here (apart
// from the product's codec). It listens on the node's peer port as a CURVE server with the
// node's key, so the other nodes' DEALERs reach it as they would the node, and it holds a
// DEALER with the node's key to each node it talks to, so their ZAP handlers admit it.
//
// It follows the link protocol as far as a test needs: a hello with a fresh incarnation (a
// wall-clock one, below the real node's next start), sequenced frames numbered from 1 and
// addressed to the peer's incarnation as its hellos announce it, and, unless told not to,
// cumulative acks of what it received in order. Everything else (what to send, and when)
// is the test's.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "cluster_harness.hpp"

namespace bank::e2e {

class RoguePeer {
 public:
  // Binds node `as`'s peer port (the node must be stopped). `genesis` is the cluster's
  // genesis hash, which every hello carries.
  RoguePeer(const ClusterHarness& c, int as, std::string genesis);
  ~RoguePeer() { close(); }
  RoguePeer(const RoguePeer&) = delete;
  RoguePeer& operator=(const RoguePeer&) = delete;

  // Hellos to node `to` until it has answered with a hello addressed to our incarnation;
  // false if it did not within `bound`. `height` and `head` are the chain we claim.
  bool greet(int to, std::uint64_t height = 0, const std::string& head = "",
             std::chrono::milliseconds bound = std::chrono::seconds(10));
  // A sequenced frame to `to`: `type` with its own `fields`; the envelope is filled in.
  // False when the socket would not take it within a second.
  bool send(int to, const std::string& type, nlohmann::json fields);
  // An unsequenced frame (heartbeat or ack) with its own `fields` (a heartbeat's height),
  // which carries our ack like every frame.
  bool send_plain(int to, const std::string& type, const nlohmann::json& fields = nlohmann::json::object());
  // Reads what the nodes sent us for up to `wait` (at least one pass), keeping each
  // sender's incarnation and our in-order receipt current. Returns the frames read.
  std::vector<nlohmann::json> read(std::chrono::milliseconds wait);
  // Reads until a frame that `match` accepts arrives; nullopt when none did within `bound`.
  std::optional<nlohmann::json> await(const std::function<bool(const nlohmann::json&)>& match,
                                      std::chrono::milliseconds bound = std::chrono::seconds(10));
  // Closes every socket and frees the port for the real node; the rogue is done then.
  void close();

  // Whether our frames acknowledge what we received (true unless a test turns it off).
  bool acks = true;
  std::uint64_t incarnation() const { return inc_; }
  // Our clock: above every stamp we sent or received.
  std::uint64_t lamport() const { return lamport_; }
  // The highest seq node `from` sent us in order.
  std::uint64_t received(int from) const;
  // Waits (reading) until node `to` has acknowledged our frames up to `seq`; false when it
  // did not within `bound`. A sender that runs far ahead of the acks it hears makes its own
  // acks stale by as much (they wait in the same queues), and the peer's link would start over.
  bool wait_acked(int to, std::uint64_t seq, std::chrono::milliseconds bound = std::chrono::seconds(10));
  // Waits (reading) until node `from` has sent us its frames up to `seq`, in order.
  bool wait_received(int from, std::uint64_t seq, std::chrono::milliseconds bound = std::chrono::seconds(10));

 private:
  struct Link {
    zmq::socket_t dealer;
    std::uint64_t peer_inc = 0;  // the node's incarnation on this link, from its frames
    std::uint64_t next_seq = 1;
    std::uint64_t received = 0;
    std::uint64_t acked = 0;     // the highest of our seqs it acknowledged
  };
  Link& link(int to);
  nlohmann::json envelope(int to, const std::string& type, std::uint64_t seq);
  bool put(Link& l, const nlohmann::json& frame);
  void take(const nlohmann::json& frame);
  bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds bound);

  const ClusterHarness& c_;
  int self_;
  std::string genesis_;
  std::uint64_t inc_;
  std::uint64_t lamport_ = 1;
  std::uint64_t height_ = 0;
  std::string head_;
  zmq::context_t ctx_{1};
  zmq::socket_t router_;
  std::map<int, Link> links_;
};

}  // namespace bank::e2e

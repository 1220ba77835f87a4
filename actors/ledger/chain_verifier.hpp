// ChainVerifier: console `verify` requests, each re-reading and re-checking the whole stored
// chain a slice at a time (constant memory), one slice per ledger step, so the node keeps
// serving while a long chain is checked. Verifications run one after another.
#pragma once

#include <cstdint>
#include <deque>

#include "actors/ledger/chain.hpp"
#include "messages/bus_message.hpp"

namespace bank {

class ChainVerifier {
 public:
  // Blocks re-checked per step (about 10 ms here).
  static constexpr std::uint64_t kSliceBlocks = 2048;

  // Queues a verification for `client`; the first of the queue asks for a VerifySlice.
  void start(std::uint64_t client, const Chain& chain, Lamport lamport, Outbox& out);
  // Checks the next slice of the first verification; answers it when done and asks for
  // the next slice while any verification remains.
  void slice(const Chain& chain, Lamport lamport, Outbox& out);

 private:
  struct Verification {
    std::uint64_t client = 0;
    ChainState state;
    std::uint64_t next = 1;  // the next block to re-read
  };
  static void failed(std::uint64_t client, const Error& e, Lamport lamport, Outbox& out);

  std::deque<Verification> verifying_;
};

}  // namespace bank

// ChainVerifier: a verify, slice by slice.
#include "actors/ledger/chain_verifier.hpp"

namespace bank {

void ChainVerifier::start(std::uint64_t client, const Chain& chain, Lamport lamport, Outbox& out) {
  auto genesis = chain.range(0, 1);
  auto checked = Chain::verify(genesis);
  if (!checked) return failed(client, checked.error(), lamport, out);
  if (genesis.front().hash != chain.genesis_hash())
    return failed(client, make_error("ledger.genesis", "block 0 is not this cluster's genesis"), lamport, out);
  verifying_.push_back(Verification{.client = client, .state = ChainState(genesis.front(), chain.state().keys()), .next = 1});
  if (verifying_.size() == 1) out.push_back({Actor::ledger, VerifySlice{}});
}

void ChainVerifier::slice(const Chain& chain, Lamport lamport, Outbox& out) {
  if (verifying_.empty()) return;
  Verification& v = verifying_.front();
  auto blocks = chain.range(v.next, kSliceBlocks);
  std::optional<Error> error;
  for (const Block& b : blocks)
    if (auto e = v.state.append(b)) {
      error = make_error(e->id, "block " + std::to_string(b.index) + ": " + e->message);
      break;
    }
  if (!error && blocks.size() == kSliceBlocks) {
    v.next += kSliceBlocks;
  } else {
    // Failed, or up to the head as it is now.
    if (!error && v.state.head() != chain.head())
      error = make_error("ledger.head", "the stored chain ends before the head");
    if (!error && !v.state.covered())
      error = make_error("ledger.unsigned", "blocks from " + std::to_string(v.state.run_start()) +
                                               " on are not covered by a signature of their payer");
    if (error)
      failed(v.client, *error, lamport, out);
    else
      out.push_back({Actor::console, ConsoleOut{v.client, VerifyReply{v.state.height()}}});
    verifying_.pop_front();
  }
  if (!verifying_.empty()) out.push_back({Actor::ledger, VerifySlice{}});
}

void ChainVerifier::failed(std::uint64_t client, const Error& e, Lamport lamport, Outbox& out) {
  out.push_back({Actor::console, ConsoleOut{client, FailureReply{"corrupt", e.message, {}}}});
  out.push_back({Actor::log, LogOut{"error", lamport, {{"error", e.message}}}});
}

}  // namespace bank

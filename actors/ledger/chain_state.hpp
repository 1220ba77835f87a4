// ChainState: what a chain's blocks add up to (height, head hash, balances) and every
// acceptance check of a next block: index, prev, hash, the payer's signature, and funds. It
// keeps no blocks, so a million-block log can be verified in constant memory.
//
// The signature rule (with keys; docs/file-formats.md#signatures): a transfer block either
// carries its payer's valid `sig`, or the next block has the same payer, so each run of one
// payer's blocks ends with a signed block that covers the run through the hash chain. The
// state remembers the payer of an open (not yet signed) run; covered() says there is none.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "domain/balance_table.hpp"
#include "messages/block.hpp"
#include "security/key_ring.hpp"

namespace bank {

class ChainState {
 public:
  // Precondition: a valid genesis. Without keys no signature is asked for or checked (a
  // cluster run with security off).
  explicit ChainState(const Block& genesis, std::shared_ptr<const KeyRing> keys = nullptr);

  // Where a block comes from. `own`: built on this very state by Chain::block_after and
  // signed by this node's signer a moment ago, so its hash and signature hold by
  // construction and are not computed again (an Ed25519 verify costs more than the sign,
  // on the critical path of every entry). Every other check stays. Peers' blocks and blocks
  // read from disk are always `checked` in full.
  enum class Source { checked, own };

  // Error ids: ledger.index, ledger.prev, ledger.not_tx, ledger.hash, ledger.signature (a
  // `sig` that is not the payer's), ledger.unsigned (a block of another payer after an open
  // run), and the BalanceTable ids for funds and accounts.
  Check check(const Block& block, Source source = Source::checked) const;
  Check append(const Block& block, Source source = Source::checked);  // check, then take it in

  std::uint64_t height() const { return height_; }
  const std::string& head() const { return head_; }
  const std::string& genesis_hash() const { return genesis_hash_; }
  const BalanceTable& table() const { return table_; }
  const std::shared_ptr<const KeyRing>& keys() const { return keys_; }
  // Start-up's fast path: signatures are not verified here but handed, with the block they
  // sign, to `sink` as each signed block is taken in (the caller verifies them on other
  // cores, and must refuse the chain if one fails). Every other check stays.
  struct SignedBlock {
    std::uint64_t index = 0;
    NodeId payer = 0;
    std::string hash, sig;
  };
  using SignatureSink = std::function<void(SignedBlock)>;
  void defer_signatures(SignatureSink sink) { sink_ = std::move(sink); }

  // No run of unsigned blocks is open at the head (always true without keys).
  bool covered() const { return open_run_ == 0; }
  // The index of the first block of the open run (height()+1 when covered).
  std::uint64_t run_start() const { return run_start_; }

 private:
  std::uint64_t height_ = 0;
  std::string head_;
  std::string genesis_hash_;
  BalanceTable table_;
  std::shared_ptr<const KeyRing> keys_;
  SignatureSink sink_;
  NodeId open_run_ = 0;          // the payer of the unsigned blocks at the head, 0: none
  std::uint64_t run_start_ = 1;  // where that run starts
};

}  // namespace bank

// Blocks of the ledger (docs/file-formats.md#blocks): genesis with the opening balances, then one
// committed transfer per block. Plain data plus its JSON form; hashing lives in ledger/.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "messages/json/json_cursor.hpp"
#include "messages/result.hpp"
#include "messages/types.hpp"

namespace bank {

struct Tx {
  std::string txid;
  NodeId from = 0;
  NodeId to = 0;
  Cents amount = 0;
  Lamport lamport = 0;
  bool operator==(const Tx&) const = default;
};

// An Ed25519 signature in hex: 64 bytes.
inline constexpr std::size_t kSigHexDigits = 128;

using Balances = std::map<NodeId, Cents>;  // ordered: it reaches hashes and output

struct Block {
  std::uint64_t index = 0;
  std::string prev;                 // 64 lowercase hex digits
  std::optional<Balances> genesis;  // exactly one of genesis and tx
  std::optional<Tx> tx;
  std::string hash;                 // 64 lowercase hex digits; empty before hashing
  // The payer's Ed25519 signature over the 32 bytes of `hash`, 128 lowercase hex digits;
  // empty when unsigned (genesis, or a block inside a payer's run whose last block signs).
  std::string sig;
  bool operator==(const Block&) const = default;
};

// The block as JSON; without_hash drops the hash and sig fields (the canonical form that is
// hashed).
nlohmann::json block_to_json(const Block& block, bool without_hash = false);
// A list of blocks as a JSON array, each as block_to_json writes it.
nlohmann::json blocks_to_json(const std::vector<Block>& blocks);
// The same as one line of text, exactly what block_to_json(block, without_hash).dump()
// prints (canonical JSON: sorted keys, no whitespace), but written directly for a transfer
// block: this is the hot path of hashing and of the block log.
std::string block_text(const Block& block, bool without_hash = false);
Result<Block> block_from_json(const nlohmann::json& j);
// The fast path of the decoders: a transfer block in the plain form block_text writes (any
// key order or spacing), read in place at the cursor. nullopt for anything else (escapes,
// a genesis block, a missing, unknown, duplicate or out-of-range field): the caller then
// reads it through nlohmann, which words the error. What this takes, that path takes too
// and reads the same.
std::optional<Block> read_plain_block(JsonCursor& c);
// One block as text (a line of the block log): read in place when plain, else through
// nlohmann. Total: bad text is an error value.
Result<Block> decode_block(std::string_view text, std::size_t max_bytes);

}  // namespace bank

// Fuzz target: a line of a node's block log, or a block as it comes in a peer frame or a
// console reply (decode_block). The line read in place and the same line through nlohmann
// must give the same answer; a block that decodes must encode (block_text, exactly what
// dump() prints, with and without its hash) back to itself.
#include "messages/block.hpp"

#include "messages/json/json_reader.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {
// The limit the block log reads its lines with.
constexpr std::size_t kMaxLine = 1024 * 1024;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bank;
  const std::string_view line = fuzz::as_text(data, size);
  const Result<Block> decoded = decode_block(line, kMaxLine);
  auto j = JsonReader::try_parse(line, kMaxLine);
  const Result<Block> reference = j ? block_from_json(*j) : Result<Block>(j.error());
  fuzz::expect_alike(decoded, reference, "decode_block reads a line as nlohmann does");
  fuzz::expect_error_form(decoded, "codec.");
  if (!decoded) return 0;

  const std::string text = block_text(*decoded);
  fuzz::expect(text == block_to_json(*decoded).dump(), "block_text prints what dump() prints");
  fuzz::expect(block_text(*decoded, true) == block_to_json(*decoded, true).dump(),
               "block_text without the hash prints what dump() prints");
  const Result<Block> again = decode_block(text, kMaxLine);
  fuzz::expect(again.ok() && *again == *decoded, "a decoded block encodes back to itself");
  return 0;
}

// Fuzz target: a peer frame as a node reads it off its peer port (decode_peer). The frame
// read in place and the same frame through nlohmann must give the same answer; a frame
// that decodes must encode (encode_peer, exactly what dump() prints) back to itself.
#include "messages/peer_message.hpp"

#include "messages/json/json_reader.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bank;
  const std::string_view bytes = fuzz::as_text(data, size);
  const Result<PeerMessage> decoded = decode_peer(bytes);
  auto j = JsonReader::try_parse(bytes, max_peer_frame);
  const Result<PeerMessage> reference = j ? peer_from_json(*j) : Result<PeerMessage>(j.error());
  fuzz::expect_alike(decoded, reference, "decode_peer reads a frame as nlohmann does");
  fuzz::expect_error_form(decoded, "codec.");
  if (!decoded) return 0;

  const std::string text = encode_peer(*decoded);
  fuzz::expect(text == peer_to_json(*decoded).dump(), "encode_peer prints what dump() prints");
  const Result<PeerMessage> again = decode_peer(text);
  fuzz::expect(again.ok() && *again == *decoded, "a decoded frame encodes back to itself");
  return 0;
}

// Fuzz target: a console request as a node reads it from a client (decode_console_request).
// Total; a request that decodes must encode (console_request_to_json) to text that decodes
// to the same request.
#include "messages/console_message.hpp"

#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bank;
  const Result<ConsoleRequest> decoded = decode_console_request(fuzz::as_text(data, size));
  fuzz::expect_error_form(decoded, "codec.");
  if (!decoded) return 0;
  const Result<ConsoleRequest> again = decode_console_request(console_request_to_json(*decoded).dump());
  fuzz::expect(again.ok() && *again == *decoded, "a decoded request encodes back to itself");
  return 0;
}

// Fuzz target: a node's reply as bank-cli and bank-bench read it (decode_console_reply),
// read as the answer to each kind of request. A committed transfer's reply read in place
// must read as it does through nlohmann (a leading space keeps a text off the in-place
// path, which only takes a text that starts with '{"block":'); a reply that decodes must encode (console_reply_text, exactly what dump() prints)
// back to itself.
#include "messages/console_message.hpp"

#include <string>

#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bank;
  const std::string_view bytes = fuzz::as_text(data, size);
  static const ConsoleRequest requests[] = {TransferCmd{2, 400, std::nullopt}, BalanceCmd{}, BalanceCmd{2}, ChainCmd{},
                                            StatusCmd{}, VerifyCmd{}, MetricsCmd{}, EventsCmd{}};
  for (const ConsoleRequest& request : requests) {
    const Result<ConsoleReply> decoded = decode_console_reply(bytes, request);
    fuzz::expect_error_form(decoded, "codec.");
    if (std::holds_alternative<TransferCmd>(request) && bytes.starts_with(R"({"block":)")) {
      const Result<ConsoleReply> reference = decode_console_reply(" " + std::string(bytes), request);
      fuzz::expect_alike(decoded, reference, "a committed reply read in place reads as through nlohmann");
    }
    if (!decoded) continue;
    const std::string text = console_reply_text(*decoded);
    fuzz::expect(text == console_reply_to_json(*decoded).dump(), "console_reply_text prints what dump() prints");
    const Result<ConsoleReply> again = decode_console_reply(text, request);
    fuzz::expect(again.ok() && *again == *decoded, "a decoded reply encodes back to itself");
  }
  return 0;
}

// Fuzz target: a line of a node's aborts.jsonl (decode_abort_record). Total; a record that
// decodes must encode (abort_record_text) to a line that decodes to the same record.
#include "messages/abort_record.hpp"

#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bank;
  const Result<AbortRecord> decoded = decode_abort_record(fuzz::as_text(data, size));
  fuzz::expect_error_form(decoded, "codec.");
  if (!decoded) return 0;
  const Result<AbortRecord> again = decode_abort_record(abort_record_text(*decoded));
  fuzz::expect(again.ok() && *again == *decoded, "a decoded abort record encodes back to itself");
  return 0;
}

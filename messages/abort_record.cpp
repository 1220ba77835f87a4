// AbortRecord to and from its line of JSON.
#include "messages/abort_record.hpp"

#include <nlohmann/json.hpp>

#include "messages/json/json_reader.hpp"

namespace bank {

std::string abort_record_text(const AbortRecord& abort) {
  return nlohmann::json{{"txid", abort.txid}, {"reason", abort.reason}}.dump();
}

Result<AbortRecord> decode_abort_record(std::string_view line) {
  try {
    auto j = JsonReader::parse(line, max_abort_record);
    JsonReader r(j, "abort record");
    return AbortRecord{r.txid("txid"), r.string("reason", max_abort_record)};
  } catch (const DecodeFailure& f) {
    return f.error;
  }
}

}  // namespace bank

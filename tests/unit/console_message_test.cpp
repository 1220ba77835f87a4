// The console codec (docs/console-protocol.md): golden requests and replies, strict refusal of bad ones, round trips.
#include "messages/console_message.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "message_fixtures.hpp"

using bank::BalanceCmd;
using bank::Balances;
using bank::ChainCmd;
using bank::ConsoleReply;
using bank::ConsoleRequest;
using bank::EventsCmd;
using bank::MetricsCmd;
using bank::StatusCmd;
using bank::TransferCmd;
using bank::VerifyCmd;
using bank::unit::chain;
using bank::unit::check_refused;
using bank::unit::fixture;
using bank::unit::nested_arrays;
using bank::unit::replaced;
using nlohmann::json;

namespace {

// Seeded console requests, every command among them.
struct ConsoleDraw : bank::unit::Draw {
  ConsoleRequest request() {
    switch (below(7)) {
      case 0: {
        TransferCmd t{node(), static_cast<bank::Cents>(1 + u64(INT64_MAX - 1)), std::nullopt};
        if (below(2)) t.txid = txid();
        return t;
      }
      case 1: return below(2) ? BalanceCmd{node()} : BalanceCmd{};
      case 2: {
        ChainCmd c{u64(UINT64_MAX), std::nullopt};
        if (below(2)) c.limit = 1 + u64(UINT64_MAX - 1);
        return c;
      }
      case 3: return StatusCmd{};
      case 4: return MetricsCmd{};
      case 5: {
        EventsCmd e{u64(UINT64_MAX), std::nullopt};
        if (below(2)) e.limit = 1 + u64(UINT64_MAX - 1);
        return e;
      }
      default: return VerifyCmd{};
    }
  }
};

bank::Histogram histogram(std::vector<std::uint64_t> bounds, std::vector<std::uint64_t> counts, std::uint64_t sum) {
  return *bank::Histogram::from_parts(bounds, counts, sum);
}

// The reply of console_reply_metrics.json.
bank::MetricsReply metrics_reply() {
  bank::MetricSet own{.counters = {{"cs_entries", 4}, {"transfers_committed", 3}},
                      .gauges = {{"height", 3}},
                      .histograms = {{"cs_wait_us", histogram({100, 1000}, {1, 3, 0}, 2100)}}};
  bank::MetricSet peer{.counters = {{"resends", 0}},
                       .gauges = {{"up", 1}},
                       .histograms = {{"rtt_us", histogram({100, 1000}, {2, 0, 1}, 1300)}}};
  return bank::MetricsReply{.node = 1, .metrics = own, .peers = {{2, peer}}};
}

// The reply of console_reply_events.json: two events, each as dump() prints it.
bank::EventsReply events_reply() {
  return bank::EventsReply{
      .events = {R"({"event":"cs_enter","lamport":8,"node":1,"req":{"node":1,"ts":3},"seq":7,"ts":"2026-11-29T11:03:18.872550Z"})",
                 R"({"amount":400,"event":"commit","from":1,"index":1,"lamport":8,"node":1,"seq":8,"to":2,"ts":"2026-11-29T11:03:18.872816Z","txid":"1-1"})"},
      .next = 8,
      .first = 1};
}

}  // namespace

TEST_CASE("codec: every console request fixture decodes to its command and encodes to the same text") {
  struct Row {
    const char* fixture;
    ConsoleRequest request;
  };
  const std::vector<Row> rows{
      {"console_request_transfer", TransferCmd{2, 400, std::nullopt}},
      {"console_request_transfer_txid", TransferCmd{2, 400, "cli-7f3a:0001"}},
      {"console_request_balance", BalanceCmd{}},
      {"console_request_balance_id", BalanceCmd{2}},
      {"console_request_chain", ChainCmd{}},
      {"console_request_chain_from_limit", ChainCmd{1, 50}},
      {"console_request_status", StatusCmd{}},
      {"console_request_verify", VerifyCmd{}},
      {"console_request_metrics", MetricsCmd{}},
      {"console_request_events", EventsCmd{}},
      {"console_request_events_since_limit", EventsCmd{17, 100}},
  };
  std::set<std::size_t> cmds;
  for (const Row& row : rows) {
    INFO("fixture " << row.fixture);
    const std::string text = fixture(row.fixture);
    auto decoded = bank::decode_console_request(text);
    REQUIRE_MESSAGE(decoded.ok(), decoded.error().id << ": " << decoded.error().message);
    CHECK(*decoded == row.request);
    CHECK(bank::console_request_to_json(row.request).dump() == text);
    cmds.insert(row.request.index());
  }
  CHECK(cmds.size() == std::variant_size_v<ConsoleRequest>);
}

TEST_CASE("codec: requests as a person types them decode like their canonical form") {
  struct Row {
    const char* bytes;
    ConsoleRequest request;
  };
  const std::vector<Row> rows{
      {R"({"cmd": "transfer", "to": 2, "amount": 400})", TransferCmd{2, 400, std::nullopt}},
      {" {\n  \"amount\" : 400 ,\"to\":2,\r\n\t\"cmd\":\"transfer\"}\n ", TransferCmd{2, 400, std::nullopt}},
      {R"({"cmd":"transfer","to":2,"amount":400,"txid":"r\u0065try-1"})", TransferCmd{2, 400, "retry-1"}},
      {R"({"cmd":"chain","from":0})", ChainCmd{}},
      {R"({"cmd":"chain","limit":1})", ChainCmd{0, 1}},
      {R"({"cmd":"balance","id":2147483647})", BalanceCmd{2147483647}},
      {R"({"cmd":"events","since":0})", EventsCmd{}},
      {R"({"limit":5000,"cmd":"events"})", EventsCmd{0, 5000}},
  };
  for (const Row& row : rows) {
    INFO(row.bytes);
    auto decoded = bank::decode_console_request(row.bytes);
    REQUIRE_MESSAGE(decoded.ok(), decoded.error().id << ": " << decoded.error().message);
    CHECK(*decoded == row.request);
  }
}

TEST_CASE("codec: every console reply encodes to its fixture's text") {
  const auto c = chain();
  struct Row {
    const char* fixture;
    ConsoleReply reply;
  };
  const std::vector<Row> rows{
      {"console_reply_committed", bank::TransferDone{.txid = "1-1", .block = c[1]}},
      {"console_reply_balances", bank::BalancesReply{Balances{{1, 600}, {2, 1250}, {3, 1150}}}},
      {"console_reply_balance", bank::BalanceReply{2, 1250}},
      {"console_reply_chain", bank::ChainReply{c}},
      {"console_reply_status", bank::StatusReply{1, 17, 2, c[2].hash, {{12, 2}, {15, 3}}, {{2, true, ""}, {3, false, ""}}}},
      {"console_reply_status_diverged",
       bank::StatusReply{1, 21, 2, c[2].hash, {}, {{2, true, ""}, {3, false, ""}}, false, {{3, 2}}}},
      {"console_reply_verify", bank::VerifyReply{2}},
      {"console_reply_metrics", metrics_reply()},
      {"console_reply_events", events_reply()},
      {"console_reply_aborted", bank::FailureReply{"aborted", "node 1 holds 6.00, short of 40.00.", "1-9"}},
      {"console_reply_rejected",
       bank::FailureReply{"rejected", "field 'amount' of request must be positive", std::nullopt}},
      {"console_reply_timeout",
       bank::FailureReply{"timeout", "no reply from node 3 in time; the request was withdrawn.", "1-10"}},
  };
  std::set<std::size_t> kinds;
  for (const Row& row : rows) {
    INFO("fixture " << row.fixture);
    const std::string text = fixture(row.fixture);
    const json j = bank::console_reply_to_json(row.reply);
    CHECK(j.dump() == text);
    CHECK(bank::console_reply_text(row.reply) == text);  // what the node sends
    // What every script checks first: ok is true exactly for the success kinds.
    CHECK(j.at("ok") == !std::holds_alternative<bank::FailureReply>(row.reply));
    kinds.insert(row.reply.index());
  }
  CHECK(kinds.size() == std::variant_size_v<ConsoleReply>);

  // A txid that needs escaping: the text written directly still equals dump().
  bank::Block b = c[1];
  b.tx->txid = "q\"uo\\te";
  const ConsoleReply odd = bank::TransferDone{.txid = b.tx->txid, .block = b};
  CHECK(bank::console_reply_text(odd) == bank::console_reply_to_json(odd).dump());

  // A replay says so, and reads back as one; a first answer carries no replay field.
  const ConsoleReply replay = bank::TransferDone{.txid = "1-1", .block = c[1], .replay = true};
  const auto text = bank::console_reply_text(replay);
  CHECK(nlohmann::json::parse(text).at("replay") == true);
  CHECK_FALSE(nlohmann::json::parse(bank::console_reply_text(bank::TransferDone{.txid = "1-1", .block = c[1]})).contains("replay"));
  auto back = bank::decode_console_reply(text, TransferCmd{2, 400, std::nullopt});
  REQUIRE(back.ok());
  CHECK(*back == replay);
}

TEST_CASE("codec: malformed console requests are refused with their error id") {
  const std::string transfer = fixture("console_request_transfer");  // {"amount":400,"cmd":"transfer","to":2}
  const std::string status = fixture("console_request_status");
  const std::string chain_req = fixture("console_request_chain_from_limit");
  const std::string balance = fixture("console_request_balance_id");
  const std::string with_txid = fixture("console_request_transfer_txid");
  struct Row {
    const char* name;
    std::string bytes;
    const char* id;
  };
  const std::vector<Row> rows{
      {"empty request", "", "codec.not_json"},
      {"a shell command", "transfer 2 4.00", "codec.not_json"},
      {"single quotes", "{'cmd':'status'}", "codec.not_json"},
      {"trailing garbage", transfer + "x", "codec.not_json"},
      {"two requests in one", status + "\n" + status, "codec.not_json"},
      {"a trailing comma", replaced(status, "}", ",}"), "codec.not_json"},
      {"cut short", transfer.substr(0, transfer.size() - 1), "codec.not_json"},
      {"a NUL byte, then more after the request", transfer + std::string(1, '\0') + "x", "codec.not_json"},
      {"a NUL byte inside", replaced(status, "status", std::string("sta\0tus", 7)), "codec.not_json"},
      {"a byte 0xff in the txid", replaced(with_txid, "cli-", "cli\xff-"), "codec.not_json"},
      {"Latin-1 instead of UTF-8", replaced(with_txid, "cli-", "cl\xe9-"), "codec.not_json"},
      {"amount 1e400", replaced(transfer, "400", "1e400"), "codec.not_json"},
      {"30000 unclosed arrays", std::string(30000, '['), "codec.not_json"},
      {"a JSON array on top", "[" + transfer + "]", "codec.not_object"},
      {"a JSON string on top", R"("status")", "codec.not_object"},
      {"a JSON number on top", "400", "codec.not_object"},
      {"true on top", "true", "codec.not_object"},
      {"30000 nested arrays on top", nested_arrays(30000), "codec.not_object"},
      {"30000 nested arrays in an unknown field", replaced(status, "{", "{\"x\":" + nested_arrays(30000) + ","),
       "codec.unknown_field"},
      {"30000 nested arrays as the amount", replaced(transfer, "400", nested_arrays(30000)), "codec.type"},
      {"100000 nested arrays", nested_arrays(100000), "codec.too_large"},
      {"a request over 64 KiB", transfer + std::string(bank::max_console_frame, ' '), "codec.too_large"},
      {"no cmd", R"({"to":2,"amount":400})", "codec.missing_field"},
      {"cmd as a number", R"({"cmd":1})", "codec.type"},
      {"cmd null", R"({"cmd":null})", "codec.type"},
      {"cmd in capitals", replaced(transfer, "transfer", "Transfer"), "codec.unknown_cmd"},
      {"an unknown cmd", R"({"cmd":"deposit","to":2,"amount":400})", "codec.unknown_cmd"},
      {"empty cmd", R"({"cmd":""})", "codec.unknown_cmd"},
      {"transfer without to", R"({"cmd":"transfer","amount":400})", "codec.missing_field"},
      {"transfer without amount", R"({"cmd":"transfer","to":2})", "codec.missing_field"},
      {"amount 0", replaced(transfer, "400", "0"), "codec.range"},
      {"amount -400", replaced(transfer, "400", "-400"), "codec.range"},
      {"amount -0", replaced(transfer, "400", "-0"), "codec.range"},
      {"amount 4.5", replaced(transfer, "400", "4.5"), "codec.type"},
      {"amount 400.0", replaced(transfer, "400", "400.0"), "codec.type"},
      {"amount 4e2", replaced(transfer, "400", "4e2"), "codec.type"},
      {"amount in dollars as a string", replaced(transfer, "400", "\"4.00\""), "codec.type"},
      {"amount null", replaced(transfer, "400", "null"), "codec.type"},
      {"amount 2^63", replaced(transfer, "400", "9223372036854775808"), "codec.range"},
      {"amount 2^64", replaced(transfer, "400", "18446744073709551616"), "codec.type"},
      {"amount -2^63", replaced(transfer, "400", "-9223372036854775808"), "codec.range"},
      {"to account 0", replaced(transfer, "\"to\":2", "\"to\":0"), "codec.range"},
      {"to account -1", replaced(transfer, "\"to\":2", "\"to\":-1"), "codec.range"},
      {"to account as a string", replaced(transfer, "\"to\":2", "\"to\":\"2\""), "codec.type"},
      {"to account 2.0", replaced(transfer, "\"to\":2", "\"to\":2.0"), "codec.type"},
      {"to account 2^31", replaced(transfer, "\"to\":2", "\"to\":2147483648"), "codec.range"},
      {"txid of 65 characters", replaced(with_txid, "cli-7f3a:0001", std::string(65, 'x')), "codec.bad_txid"},
      {"empty txid", replaced(with_txid, "cli-7f3a:0001", ""), "codec.bad_txid"},
      {"txid with a space", replaced(with_txid, "cli-7f3a:0001", "cli 1"), "codec.bad_txid"},
      {"txid with a tab", replaced(with_txid, "cli-7f3a:0001", "cli\\t1"), "codec.bad_txid"},
      {"txid with a non-ASCII letter", replaced(with_txid, "cli-7f3a:0001", "na\xc3\xafve"), "codec.bad_txid"},
      {"txid with DEL", replaced(with_txid, "cli-7f3a:0001", "cli\\u007f"), "codec.bad_txid"},
      {"txid as a number", replaced(with_txid, "\"cli-7f3a:0001\"", "7"), "codec.type"},
      {"txid null", replaced(with_txid, "\"cli-7f3a:0001\"", "null"), "codec.type"},
      {"a transfer naming its payer", replaced(transfer, "{", "{\"from\":1,"), "codec.unknown_field"},
      {"a transfer with a memo", replaced(transfer, "{", "{\"memo\":\"rent\","), "codec.unknown_field"},
      {"balance of account 0", replaced(balance, "\"id\":2", "\"id\":0"), "codec.range"},
      {"balance id as a string", replaced(balance, "\"id\":2", "\"id\":\"2\""), "codec.type"},
      {"balance with to", replaced(balance, "\"id\"", "\"to\""), "codec.unknown_field"},
      {"chain from -1", replaced(chain_req, "\"from\":1", "\"from\":-1"), "codec.range"},
      {"chain from as a string", replaced(chain_req, "\"from\":1", "\"from\":\"1\""), "codec.type"},
      {"chain limit 0", replaced(chain_req, "\"limit\":50", "\"limit\":0"), "codec.range"},
      {"chain limit 2.5", replaced(chain_req, "\"limit\":50", "\"limit\":2.5"), "codec.type"},
      {"status with an option", replaced(status, "{", "{\"verbose\":true,"), "codec.unknown_field"},
      {"verify from an index", R"({"cmd":"verify","from":3})", "codec.unknown_field"},
      {"metrics of one peer", R"({"cmd":"metrics","peer":2})", "codec.unknown_field"},
      {"events since -1", R"({"cmd":"events","since":-1})", "codec.range"},
      {"events since as a string", R"({"cmd":"events","since":"5"})", "codec.type"},
      {"events since 1.5", R"({"cmd":"events","since":1.5})", "codec.type"},
      {"events limit 0", R"({"cmd":"events","limit":0})", "codec.range"},
      {"events limit -3", R"({"cmd":"events","limit":-3})", "codec.range"},
      {"events limit null", R"({"cmd":"events","limit":null})", "codec.type"},
      {"events from", R"({"cmd":"events","from":3})", "codec.unknown_field"},
  };
  for (const Row& row : rows) {
    INFO(std::string(row.name) << ": " << row.bytes.substr(0, 200));
    check_refused(bank::decode_console_request(row.bytes), row.id);
  }
}

TEST_CASE("codec: a console request of exactly 64 KiB is read, one byte more is not") {
  const std::string status = fixture("console_request_status");
  const std::string at_limit = status + std::string(bank::max_console_frame - status.size(), ' ');
  REQUIRE(at_limit.size() == bank::max_console_frame);
  auto ok = bank::decode_console_request(at_limit);
  REQUIRE_MESSAGE(ok.ok(), ok.error().id << ": " << ok.error().message);
  CHECK(*ok == ConsoleRequest{StatusCmd{}});
  auto over = bank::decode_console_request(at_limit + " ");
  REQUIRE_FALSE(over.ok());
  CHECK(over.error().id == "codec.too_large");
}

TEST_CASE("codec: the largest amount, account and txid are accepted") {
  std::string every_printable;
  for (char c = 0x21; c <= 0x7e; ++c) every_printable += c;
  // Every printable ASCII character but the space is allowed in a txid; 94 of them, in two txids.
  for (const std::string& txid : {every_printable.substr(0, 64), every_printable.substr(30)}) {
    const TransferCmd t{2147483647, INT64_MAX, txid};
    const std::string text = bank::console_request_to_json(t).dump();
    INFO(text);
    auto back = bank::decode_console_request(text);
    REQUIRE_MESSAGE(back.ok(), back.error().id << ": " << back.error().message);
    CHECK(*back == ConsoleRequest{t});
  }
}

TEST_CASE("codec: a few hundred seeded console requests survive encode then decode") {
  ConsoleDraw draw{{std::mt19937_64{4000}}};
  std::set<std::size_t> cmds;
  for (int i = 0; i < 300; ++i) {
    const ConsoleRequest r = draw.request();
    cmds.insert(r.index());
    const std::string text = bank::console_request_to_json(r).dump();
    INFO("request " << i << ": " << text);
    auto back = bank::decode_console_request(text);
    REQUIRE_MESSAGE(back.ok(), back.error().id << ": " << back.error().message);
    CHECK(*back == r);
  }
  CHECK(cmds.size() == std::variant_size_v<ConsoleRequest>);
}

namespace {

// The reply fixtures, each with the request it answers and the reply it holds.
struct ReplyRow {
  const char* fixture;
  ConsoleRequest request;
  ConsoleReply reply;
};

std::vector<ReplyRow> reply_rows() {
  const auto c = chain();
  return {
      {"console_reply_committed", TransferCmd{2, 400, std::nullopt}, bank::TransferDone{.txid = "1-1", .block = c[1]}},
      {"console_reply_balances", BalanceCmd{}, bank::BalancesReply{Balances{{1, 600}, {2, 1250}, {3, 1150}}}},
      {"console_reply_balance", BalanceCmd{2}, bank::BalanceReply{2, 1250}},
      {"console_reply_chain", ChainCmd{}, bank::ChainReply{c}},
      {"console_reply_status", StatusCmd{},
       bank::StatusReply{1, 17, 2, c[2].hash, {{12, 2}, {15, 3}}, {{2, true, ""}, {3, false, ""}}}},
      {"console_reply_status_diverged", StatusCmd{},
       bank::StatusReply{1, 21, 2, c[2].hash, {}, {{2, true, ""}, {3, false, ""}}, false, {{3, 2}}}},
      {"console_reply_verify", VerifyCmd{}, bank::VerifyReply{2}},
      {"console_reply_metrics", MetricsCmd{}, metrics_reply()},
      {"console_reply_events", EventsCmd{}, events_reply()},
      {"console_reply_aborted", TransferCmd{2, 4000, std::nullopt},
       bank::FailureReply{"aborted", "node 1 holds 6.00, short of 40.00.", "1-9"}},
      {"console_reply_rejected", TransferCmd{2, 400, std::nullopt},
       bank::FailureReply{"rejected", "field 'amount' of request must be positive", std::nullopt}},
      {"console_reply_timeout", TransferCmd{3, 400, std::nullopt},
       bank::FailureReply{"timeout", "no reply from node 3 in time; the request was withdrawn.", "1-10"}},
  };
}

}  // namespace

TEST_CASE("codec: every console reply fixture decodes, as the answer to its request, to its reply") {
  std::set<std::size_t> kinds;
  for (const ReplyRow& row : reply_rows()) {
    INFO("fixture " << row.fixture);
    const std::string text = fixture(row.fixture);
    auto decoded = bank::decode_console_reply(text, row.request);
    REQUIRE_MESSAGE(decoded.ok(), decoded.error().id << ": " << decoded.error().message);
    CHECK(*decoded == row.reply);
    CHECK(bank::console_reply_text(*decoded) == text);
    kinds.insert(row.reply.index());
  }
  CHECK(kinds.size() == std::variant_size_v<ConsoleReply>);

  // A refusal answers any request; a refused peer shows in status.
  for (const ConsoleRequest& any : {ConsoleRequest{StatusCmd{}}, ConsoleRequest{ChainCmd{}}})
    CHECK(bank::decode_console_reply(fixture("console_reply_rejected"), any).ok());
  const bank::StatusReply refused{1, 3, 0, chain()[0].hash, {}, {{2, false, "another genesis"}}};
  auto back = bank::decode_console_reply(bank::console_reply_text(refused), StatusCmd{});
  REQUIRE(back.ok());
  CHECK(*back == ConsoleReply{refused});
}

TEST_CASE("codec: a committed reply read in place reads like the same reply through nlohmann") {
  const std::string committed = fixture("console_reply_committed");
  const ConsoleRequest transfer = TransferCmd{2, 400, std::nullopt};
  // A leading space keeps the text off the in-place path; nlohmann skips it.
  auto alike = [&](const std::string& text) {
    return bank::unit::read_alike(bank::decode_console_reply(text, transfer),
                                  bank::decode_console_reply(" " + text, transfer));
  };
  CHECK(alike(committed));
  bank::Block b = chain()[1];
  b.tx->txid = "q\"uo\\te";
  CHECK(alike(bank::console_reply_text(bank::TransferDone{.txid = "q\"uo\\te", .block = b})));
  CHECK_FALSE(alike(replaced(committed, R"("ok":true)", R"("ok":false)")));
  CHECK_FALSE(alike(replaced(committed, R"("txid":"1-1"})", R"("txid":""})")));
  std::mt19937_64 rng{4100};
  int accepted = 0;
  for (const auto& text : bank::unit::random_edits(committed, rng, 400)) {
    INFO(text);
    accepted += alike(text);
  }
  CHECK(accepted > 0);
}

// Found by fuzzing (tests/fuzz/console_reply.cpp): a committed reply cut inside its txid,
// so that the txid's opening quote also looked like the closing one, was read in place as
// the txid "}", where nlohmann refuses the unterminated string.
TEST_CASE("codec: a committed reply whose txid string never closes is refused on both paths") {
  const std::string cut = replaced(fixture("console_reply_committed"), R"("committed","txid":"1-1"})",
                                    R"("committed","txid":"})");
  const ConsoleRequest transfer = TransferCmd{2, 400, std::nullopt};
  check_refused(bank::decode_console_reply(cut, transfer), "codec.not_json");
  CHECK_FALSE(bank::unit::read_alike(bank::decode_console_reply(cut, transfer),
                                     bank::decode_console_reply(" " + cut, transfer)));
}

TEST_CASE("codec: malformed console replies are refused with their error id") {
  const std::string committed = fixture("console_reply_committed");
  const std::string balances = fixture("console_reply_balances");
  const std::string status = fixture("console_reply_status");
  const std::string aborted = fixture("console_reply_aborted");
  const std::string metrics = fixture("console_reply_metrics");
  const std::string events = fixture("console_reply_events");
  const ConsoleRequest transfer = TransferCmd{2, 400, std::nullopt};
  struct Row {
    const char* name;
    std::string bytes;
    ConsoleRequest request;
    const char* id;
  };
  const std::vector<Row> rows{
      {"empty reply", "", transfer, "codec.not_json"},
      {"not JSON", "committed", transfer, "codec.not_json"},
      {"cut short", committed.substr(0, committed.size() - 1), transfer, "codec.not_json"},
      {"an array", "[" + committed + "]", transfer, "codec.not_object"},
      {"no ok", replaced(balances, R"(,"ok":true)", ""), BalanceCmd{}, "codec.missing_field"},
      {"ok as a string", replaced(balances, "true", "\"true\""), BalanceCmd{}, "codec.type"},
      {"balances answering a transfer", balances, transfer, "codec.unknown_field"},
      {"balances answering one balance", balances, BalanceCmd{2}, "codec.unknown_field"},
      {"status answering verify", status, VerifyCmd{}, "codec.unknown_field"},
      {"committed under another status", replaced(committed, "\"committed\"", "\"done\""), transfer, "codec.range"},
      {"a genesis block committed",
       "{\"block\":" + bank::block_text(chain()[0]) + R"(,"ok":true,"status":"committed","txid":"1-1"})", transfer,
       "codec.block_kind"},
      {"a balance key that is no node id", replaced(balances, "\"1\":", "\"one\":"), BalanceCmd{}, "codec.range"},
      {"a balance in dollars", replaced(balances, "600", "6.00"), BalanceCmd{}, "codec.type"},
      {"a short head", replaced(status, "\"head\":\"b5", "\"head\":\""), StatusCmd{}, "codec.bad_hex"},
      {"a peer without connected", replaced(status, R"("connected":true,)", ""), StatusCmd{}, "codec.missing_field"},
      {"a divergence without index", replaced(fixture("console_reply_status_diverged"), R"("index":2,)", ""), StatusCmd{},
       "codec.missing_field"},
      {"a divergence naming node 0", replaced(fixture("console_reply_status_diverged"), R"("peer":3)", R"("peer":0)"),
       StatusCmd{}, "codec.range"},
      {"a refusal without status", replaced(aborted, R"(,"status":"aborted")", ""), transfer, "codec.missing_field"},
      {"a refusal with a block", replaced(aborted, "{", "{\"block\":1,"), transfer, "codec.unknown_field"},
      {"metrics without node", replaced(metrics, R"(,"node":1)", ""), MetricsCmd{}, "codec.missing_field"},
      {"metrics without peers", replaced(metrics, R"(,"peers":{"2":)", R"(,"x":{"2":)"), MetricsCmd{},
       "codec.unknown_field"},
      {"a counter below zero", replaced(metrics, R"("cs_entries":4)", R"("cs_entries":-4)"), MetricsCmd{}, "codec.type"},
      {"a gauge as a string", replaced(metrics, R"("height":3)", R"("height":"3")"), MetricsCmd{}, "codec.type"},
      {"a histogram with a count short", replaced(metrics, R"("counts":[1,3,0])", R"("counts":[1,3])"), MetricsCmd{},
       "codec.range"},
      {"a histogram whose count is not its counts' sum", replaced(metrics, R"("count":4)", R"("count":5)"),
       MetricsCmd{}, "codec.range"},
      {"a histogram with bounds down", replaced(metrics, R"("bounds":[100,1000],"count":4)", R"("bounds":[1000,100],"count":4)"),
       MetricsCmd{}, "codec.range"},
      {"a histogram without sum", replaced(metrics, R"(,"sum":2100)", ""), MetricsCmd{}, "codec.missing_field"},
      {"a peer that is no node", replaced(metrics, R"("peers":{"2")", R"("peers":{"0")"), MetricsCmd{}, "codec.range"},
      {"events without first", replaced(events, R"("first":1,)", ""), EventsCmd{}, "codec.missing_field"},
      {"an event that is no object", replaced(events, R"([{"event":"cs_enter")", R"([7,{"event":"cs_enter")"),
       EventsCmd{}, "codec.type"},
      {"events answering metrics", events, MetricsCmd{}, "codec.unknown_field"},
  };
  for (const Row& row : rows) {
    INFO(std::string(row.name) << ": " << row.bytes.substr(0, 200));
    check_refused(bank::decode_console_reply(row.bytes, row.request), row.id);
  }
}

TEST_CASE("codec: a chain page says where the chain goes on, and a reply without it reads as the last page") {
  const auto c = chain();
  const ConsoleReply page = bank::ChainReply{{c[0], c[1]}, 2};
  const json j = bank::console_reply_to_json(page);
  CHECK(j.at("next") == 2);
  CHECK(j.at("blocks").size() == 2);
  auto back = bank::decode_console_reply(bank::console_reply_text(page), ChainCmd{});
  REQUIRE(back);
  CHECK(*back == page);
  auto last = bank::decode_console_reply(fixture("console_reply_chain"), ChainCmd{});
  REQUIRE(last);
  CHECK_FALSE(std::get<bank::ChainReply>(*last).next);
  CHECK_FALSE(bank::decode_console_reply(R"({"ok":true,"blocks":[],"next":"2"})", ChainCmd{}));
}

TEST_CASE("codec: an unknown command is quoted printable and short in the error, never as sent") {
  auto r = bank::decode_console_request("{\"cmd\":\"\\u001b[2J\\nfake\"}");
  REQUIRE_FALSE(r);
  CHECK(r.error().id == "codec.unknown_cmd");
  CHECK(r.error().message.find('\n') == std::string::npos);
  CHECK(r.error().message.find('\x1b') == std::string::npos);
  CHECK(r.error().message.find("\\x1b[2J\\x0afake") != std::string::npos);
  auto wide = bank::decode_console_request("{\"cmd\":\"balance\",\"" + std::string(10000, 'k') + "\":1}");
  REQUIRE_FALSE(wide);
  CHECK(wide.error().id == "codec.unknown_field");
  CHECK(wide.error().message.size() < 200);
}

TEST_CASE("codec: an events page keeps each event's text as the node wrote it, log-line order and all") {
  // As the node's feed holds them: the log line's key order (ts first), then seq.
  const bank::EventsReply page{.events = {R"({"ts":"2026-11-29T11:03:18.872550Z","node":1,"lamport":8,"event":"cs_enter","req":{"node":1,"ts":3},"seq":7})"},
                               .next = 7,
                               .first = 1};
  const std::string text = bank::console_reply_text(page);
  CHECK(text == R"({"events":[{"ts":"2026-11-29T11:03:18.872550Z","node":1,"lamport":8,"event":"cs_enter","req":{"node":1,"ts":3},"seq":7}],"first":1,"next":7,"ok":true})");
  // Read back, the same event (its keys now sorted, as dump() prints them).
  auto back = bank::decode_console_reply(text, EventsCmd{});
  REQUIRE(back);
  const auto& read = std::get<bank::EventsReply>(*back);
  REQUIRE(read.events.size() == 1);
  CHECK(json::parse(read.events[0]) == json::parse(page.events[0]));
  CHECK(read.next == 7);
  CHECK(read.first == 1);
  // An empty page.
  CHECK(bank::console_reply_text(bank::EventsReply{.events = {}, .next = 9, .first = 3}) ==
        R"({"events":[],"first":3,"next":9,"ok":true})");
}

// The peer codec: golden frames for every type both ways, strict refusal of bad frames, seeded round trips.
#include "messages/peer_message.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "message_fixtures.hpp"
#include "messages/json/json_reader.hpp"

using bank::AckMsg;
using bank::ByeMsg;
using bank::Block;
using bank::BlocksMsg;
using bank::HeartbeatMsg;
using bank::HelloMsg;
using bank::NackMsg;
using bank::PeerBody;
using bank::PeerMessage;
using bank::ReleaseMsg;
using bank::ReplyMsg;
using bank::RequestMsg;
using bank::Stamp;
using bank::SyncMsg;
using bank::unit::chain;
using bank::unit::check_refused;
using bank::unit::fixture;
using bank::unit::nested_arrays;
using bank::unit::replaced;
using bank::unit::with;
using bank::unit::without;
using nlohmann::json;

namespace {

constexpr std::uint64_t kInc1 = 1700000000123, kInc2 = 1700000000456, kInc3 = 1700000000789;

// Seeded peer messages, every type among them; their blocks carry drawn hashes.
struct PeerDraw : bank::unit::Draw {
  Block block() {
    Block b = unhashed_block();
    b.hash = hex();
    return b;
  }
  std::vector<Block> blocks() {
    std::vector<Block> out;
    for (auto n = below(4); n > 0; --n) out.push_back(block());
    return out;
  }
  // Stamps and incarnations up to 2^53, what the decoder takes (above: codec.stamp_range).
  Stamp stamp() { return Stamp{u64(bank::max_stamp), node()}; }
  PeerBody body() {
    switch (below(10)) {
      case 0: return HelloMsg{hex(), u64(UINT64_MAX), hex()};
      case 1: return HeartbeatMsg{};
      case 2: return AckMsg{};
      case 3: return RequestMsg{stamp()};
      case 4: return ReplyMsg{stamp()};
      case 5: return ReleaseMsg{stamp(), blocks()};
      case 6: return SyncMsg{u64(UINT64_MAX)};
      case 7: return ByeMsg{};
      case 8: return NackMsg{};
      default: return BlocksMsg{blocks(), u64(UINT64_MAX), hex(), u64(UINT64_MAX)};
    }
  }
  PeerMessage message() {
    PeerMessage m{node(), u64(bank::max_stamp), u64(bank::max_stamp), u64(bank::max_stamp), 0, u64(UINT64_MAX), body()};
    if (bank::is_sequenced(m.body)) m.seq = 1 + u64(UINT64_MAX - 1);
    return m;
  }
};

}  // namespace

TEST_CASE("codec: every peer fixture decodes to its message and encodes to the same text") {
  const auto c = chain();
  const Stamp req{12, 1};
  struct Row {
    const char* fixture;
    PeerMessage message;
  };
  const std::vector<Row> rows{
      {"peer_hello", {1, 3, kInc1, 0, 0, 0, HelloMsg{c[0].hash, 2, c[2].hash}}},
      {"peer_heartbeat", {2, 9, kInc2, kInc1, 0, 4, HeartbeatMsg{6}}},
      {"peer_ack", {3, 11, kInc3, kInc1, 0, 12, AckMsg{}}},
      {"peer_request", {1, 12, kInc1, kInc2, 3, 2, RequestMsg{req, 5}}},
      {"peer_reply", {2, 14, kInc2, kInc1, 4, 3, ReplyMsg{req, 6}}},
      {"peer_release", {1, 20, kInc1, kInc2, 5, 4, ReleaseMsg{req, {c[1], c[2]}}}},
      {"peer_sync", {3, 4, kInc3, kInc1, 1, 0, SyncMsg{1}}},
      {"peer_block", {1, 21, kInc1, kInc3, 2, 1, BlocksMsg{{c[1], c[2]}, 2, c[2].hash, 1}}},
      {"peer_bye", {2, 30, kInc2, kInc1, 0, 6, ByeMsg{}}},
      {"peer_nack", {2, 31, kInc2, kInc1, 0, 4, NackMsg{}}},
  };
  std::set<std::size_t> types;
  for (const Row& row : rows) {
    INFO("fixture " << row.fixture);
    const std::string text = fixture(row.fixture);
    auto decoded = bank::decode_peer(text);
    REQUIRE_MESSAGE(decoded.ok(), decoded.error().id << ": " << decoded.error().message);
    CHECK(*decoded == row.message);
    CHECK(bank::encode_peer(row.message) == text);
    CHECK(bank::peer_to_json(row.message) == json::parse(text));
    CHECK(std::string("peer_") + bank::peer_type_name(row.message.body) == row.fixture);
    types.insert(row.message.body.index());
  }
  CHECK(types.size() == std::variant_size_v<PeerBody>);
}

TEST_CASE("codec: sync keeps the sender's node id apart from the index it asks from") {
  const PeerMessage m{2, 5, kInc2, kInc1, 1, 0, SyncMsg{7}};
  auto back = bank::decode_peer(bank::encode_peer(m));
  REQUIRE_MESSAGE(back.ok(), back.error().id << ": " << back.error().message);
  CHECK(back->from == 2);
  CHECK(std::get<SyncMsg>(back->body).from == 7);
}

TEST_CASE("codec: only the link's own messages travel unsequenced") {
  struct Row {
    PeerBody body;
    const char* name;
    bool sequenced;
  };
  const std::vector<Row> rows{
      {HelloMsg{}, "hello", false},      {HeartbeatMsg{}, "heartbeat", false},
      {AckMsg{}, "ack", false},          {RequestMsg{}, "request", true},
      {ReplyMsg{}, "reply", true},       {ReleaseMsg{}, "release", true},
      {SyncMsg{}, "sync", true},         {BlocksMsg{}, "block", true},
      {ByeMsg{}, "bye", false},          {NackMsg{}, "nack", false},
  };
  for (const Row& row : rows) {
    INFO(row.name);
    CHECK(std::string(bank::peer_type_name(row.body)) == row.name);
    CHECK(bank::is_sequenced(row.body) == row.sequenced);
  }
}

TEST_CASE("codec: malformed peer frames are refused with their error id") {
  const std::string request = fixture("peer_request");
  const json req = json::parse(request);
  const json hello = json::parse(fixture("peer_hello"));
  const json heartbeat = json::parse(fixture("peer_heartbeat"));
  const json release = json::parse(fixture("peer_release"));
  const json blocks = json::parse(fixture("peer_block"));
  const json sync = json::parse(fixture("peer_sync"));
  const std::string deep = nested_arrays(100000);
  struct Row {
    const char* name;
    std::string bytes;
    const char* id;
  };
  const std::vector<Row> rows{
      {"empty frame", "", "codec.not_json"},
      {"only whitespace", " \n\t", "codec.not_json"},
      {"not JSON at all", "request 12 1", "codec.not_json"},
      {"trailing garbage", request + " x", "codec.not_json"},
      {"two objects", request + request, "codec.not_json"},
      {"a NUL byte after the object", request + std::string(1, '\0'), "codec.not_json"},
      {"a NUL byte, then a hidden field", request + std::string(1, '\0') + R"({"evil":1})", "codec.not_json"},
      {"cut short", request.substr(0, request.size() - 1), "codec.not_json"},
      {"a trailing comma", request.substr(0, request.size() - 1) + ",}", "codec.not_json"},
      {"a byte 0xff in a string", replaced(request, "request", "req\xffuest"), "codec.not_json"},
      {"an overlong UTF-8 encoding", replaced(request, "request", "req\xc0\xafuest"), "codec.not_json"},
      {"a lone surrogate escape", replaced(request, "request", "req\\ud800uest"), "codec.not_json"},
      {"a raw newline in a string", replaced(request, "request", "req\nuest"), "codec.not_json"},
      {"lamport 1e400, too big for a double", replaced(request, "\"lamport\":12", "\"lamport\":1e400"),
       "codec.not_json"},
      {"100000 unclosed arrays", std::string(100000, '['), "codec.not_json"},
      {"a JSON array on top", "[" + request + "]", "codec.not_object"},
      {"a JSON string on top", R"("request")", "codec.not_object"},
      {"a JSON number on top", "12", "codec.not_object"},
      {"null on top", "null", "codec.not_object"},
      {"100000 nested arrays on top", deep, "codec.not_object"},
      {"100000 nested arrays in an unknown field", replaced(request, "{", "{\"deep\":" + deep + ","),
       "codec.unknown_field"},
      {"100000 nested arrays as req", replaced(request, R"({"node":1,"ts":12})", deep), "codec.type"},
      {"no type", without(req, "/type").dump(), "codec.missing_field"},
      {"type as a number", with(req, "/type", 3).dump(), "codec.type"},
      {"type in capitals", with(req, "/type", "Request").dump(), "codec.unknown_type"},
      {"empty type", with(req, "/type", "").dump(), "codec.unknown_type"},
      {"an unknown type", with(req, "/type", "grant").dump(), "codec.unknown_type"},
      {"no from", without(req, "/from").dump(), "codec.missing_field"},
      {"from node 0", with(req, "/from", 0).dump(), "codec.range"},
      {"from node -1", with(req, "/from", -1).dump(), "codec.range"},
      {"from node 2^31", with(req, "/from", 2147483648u).dump(), "codec.range"},
      {"from as a string", with(req, "/from", "1").dump(), "codec.type"},
      {"from as 1.0", with(req, "/from", 1.0).dump(), "codec.type"},
      {"lamport 2^64", replaced(request, "\"lamport\":12", "\"lamport\":18446744073709551616"), "codec.type"},
      {"lamport -1", with(req, "/lamport", -1).dump(), "codec.range"},
      {"lamport true", with(req, "/lamport", true).dump(), "codec.type"},
      {"no lamport", without(req, "/lamport").dump(), "codec.missing_field"},
      {"no inc", without(req, "/inc").dump(), "codec.missing_field"},
      {"to_inc null", with(req, "/to_inc", nullptr).dump(), "codec.type"},
      {"ack 4.5", with(req, "/ack", 4.5).dump(), "codec.type"},
      {"no ack", without(req, "/ack").dump(), "codec.missing_field"},
      {"a request without seq", without(req, "/seq").dump(), "codec.missing_field"},
      {"a request with seq 0", with(req, "/seq", 0).dump(), "codec.range"},
      {"a release with seq 0", with(release, "/seq", 0).dump(), "codec.range"},
      {"a sync with seq 0", with(sync, "/seq", 0).dump(), "codec.range"},
      {"a hello with seq set", with(hello, "/seq", 1).dump(), "codec.range"},
      {"a heartbeat with seq set", with(heartbeat, "/seq", 3).dump(), "codec.range"},
      {"an unknown extra field", with(req, "/sig", "00").dump(), "codec.unknown_field"},
      {"a field of another type", with(req, "/blocks", json::array()).dump(), "codec.unknown_field"},
      {"a request without req", without(req, "/req").dump(), "codec.missing_field"},
      {"req without ts", without(req, "/req/ts").dump(), "codec.missing_field"},
      {"req from node 0", with(req, "/req/node", 0).dump(), "codec.range"},
      {"req ts -5", with(req, "/req/ts", -5).dump(), "codec.range"},
      {"req with an extra field", with(req, "/req/inc", 1).dump(), "codec.unknown_field"},
      {"req as an array", with(req, "/req", json::array({12, 1})).dump(), "codec.type"},
      {"hello genesis in uppercase", with(hello, "/genesis", std::string(64, 'A')).dump(), "codec.bad_hex"},
      {"hello genesis of 63 digits", with(hello, "/genesis", std::string(63, 'a')).dump(), "codec.bad_hex"},
      {"hello genesis with a 'z'", with(hello, "/genesis", std::string(63, '0') + "z").dump(), "codec.bad_hex"},
      {"hello without genesis", without(hello, "/genesis").dump(), "codec.missing_field"},
      {"hello height -1", with(hello, "/height", -1).dump(), "codec.range"},
      {"hello without head", without(hello, "/head").dump(), "codec.missing_field"},
      {"hello head of 63 digits", with(hello, "/head", std::string(63, 'a')).dump(), "codec.bad_hex"},
      {"release blocks as an object", with(release, "/blocks", json::object()).dump(), "codec.type"},
      {"release without blocks", without(release, "/blocks").dump(), "codec.missing_field"},
      {"release block with genesis and tx", with(release, "/blocks/1/genesis", json{{"balances", {{"1", 5}}}}).dump(),
       "codec.block_kind"},
      {"release block with a spaced txid", with(release, "/blocks/0/tx/txid", "1 1").dump(), "codec.bad_txid"},
      {"release block with a 65-char txid", with(release, "/blocks/0/tx/txid", std::string(65, 't')).dump(),
       "codec.bad_txid"},
      {"release block with a non-ASCII txid", with(release, "/blocks/0/tx/txid", "1-\xc3\xa9").dump(),
       "codec.bad_txid"},
      {"release block with amount 0", with(release, "/blocks/1/tx/amount", 0).dump(), "codec.range"},
      {"release block with amount 4.5", with(release, "/blocks/1/tx/amount", 4.5).dump(), "codec.type"},
      {"release block that is a number", with(release, "/blocks/1", 2).dump(), "codec.not_object"},
      {"block message without height", without(blocks, "/height").dump(), "codec.missing_field"},
      {"block message without head", without(blocks, "/head").dump(), "codec.missing_field"},
      {"block message without from_index", without(blocks, "/from_index").dump(), "codec.missing_field"},
      {"block message head in uppercase", with(blocks, "/head", std::string(64, 'A')).dump(), "codec.bad_hex"},
      {"block message with an uppercase hash", with(blocks, "/blocks/0/hash", std::string(64, 'F')).dump(),
       "codec.bad_hex"},
      {"sync from_index as a string", with(sync, "/from_index", "1").dump(), "codec.type"},
      {"sync without from_index", without(sync, "/from_index").dump(), "codec.missing_field"},
      {"a frame over 1 MiB", request + std::string(bank::max_peer_frame, ' '), "codec.too_large"},
      {"lamport 2^53 + 1", with(req, "/lamport", bank::max_stamp + 1).dump(), "codec.stamp_range"},
      {"lamport 2^64 - 1", with(req, "/lamport", UINT64_MAX).dump(), "codec.stamp_range"},
      {"inc 2^64 - 2", with(req, "/inc", UINT64_MAX - 1).dump(), "codec.stamp_range"},
      {"to_inc 2^53 + 1", with(heartbeat, "/to_inc", bank::max_stamp + 1).dump(), "codec.stamp_range"},
      {"req ts 2^64 - 1", with(req, "/req/ts", UINT64_MAX).dump(), "codec.stamp_range"},
      {"release req ts 2^53 + 1", with(release, "/req/ts", bank::max_stamp + 1).dump(), "codec.stamp_range"},
      {"reply req ts 2^53 + 1 spaced out", " " + with(json::parse(fixture("peer_reply")), "/req/ts", bank::max_stamp + 1).dump(2),
       "codec.stamp_range"},
  };
  for (const Row& row : rows) {
    INFO(std::string(row.name) << ": " << row.bytes.substr(0, 300));
    check_refused(bank::decode_peer(row.bytes), row.id);
  }
}

TEST_CASE("codec: every cut or corrupted release frame is refused, never accepted or crashed on") {
  const std::string release = fixture("peer_release");
  for (std::size_t n = 0; n < release.size(); ++n) {
    auto m = bank::decode_peer(std::string_view(release).substr(0, n));
    if (m.ok()) FAIL_CHECK("a prefix of " << n << " bytes was accepted");
    else CHECK(m.error().id == "codec.not_json");
  }
  for (std::size_t i = 0; i < release.size(); ++i) {
    std::string bad = release;
    bad[i] = '\xff';
    auto m = bank::decode_peer(bad);
    if (m.ok()) FAIL_CHECK("byte " << i << " set to 0xff was accepted");
    else CHECK(m.error().id == "codec.not_json");
  }
}

TEST_CASE("codec: a few hundred seeded peer messages survive encode then decode") {
  PeerDraw draw{{std::mt19937_64{0x1a3b0c7}}};
  std::set<std::size_t> types;
  for (int i = 0; i < 400; ++i) {
    const PeerMessage m = draw.message();
    types.insert(m.body.index());
    const std::string text = bank::encode_peer(m);
    INFO("message " << i << ": " << text.substr(0, 400));
    auto back = bank::decode_peer(text);
    REQUIRE_MESSAGE(back.ok(), back.error().id << ": " << back.error().message);
    CHECK(*back == m);
    CHECK(bank::encode_peer(*back) == text);
    CHECK(text == bank::peer_to_json(m).dump());  // the direct writer prints what dump() does
  }
  CHECK(types.size() == std::variant_size_v<PeerBody>);
}

// decode_peer reads plain frames in place and leaves the rest to nlohmann; the two must
// agree on every input: accepted by both and read the same, or refused by both.
TEST_CASE("codec: frames read in place decode exactly as through nlohmann, edited or not") {
  auto through_nlohmann = [](const std::string& bytes) {
    auto j = bank::JsonReader::try_parse(bytes, bank::max_peer_frame);
    return j ? bank::peer_from_json(*j) : bank::Result<PeerMessage>(j.error());
  };
  PeerDraw draw{{std::mt19937_64{0x5eed}}};
  std::mt19937_64 rng{0xed17};
  std::size_t compared = 0, accepted = 0;
  for (int i = 0; i < 300; ++i) {
    const PeerMessage m = draw.message();
    const std::string text = bank::encode_peer(m);
    std::vector<std::string> inputs{text, bank::peer_to_json(m).dump(1)};
    for (auto& e : bank::unit::random_edits(text, rng, 40)) inputs.push_back(std::move(e));
    for (const std::string& in : inputs) {
      INFO("message " << i << ": " << in.substr(0, 400));
      if (bank::unit::read_alike(bank::decode_peer(in), through_nlohmann(in))) ++accepted;
      ++compared;
    }
  }
  MESSAGE(compared << " frames compared, " << accepted << " accepted");
  CHECK(accepted > 600);  // the plain and the spaced form of each message at least
}

TEST_CASE("codec: stamps up to 2^53 are taken, on both decoding paths") {
  const json req = json::parse(fixture("peer_request"));
  json top = with(with(with(req, "/lamport", bank::max_stamp), "/inc", bank::max_stamp), "/req/ts", bank::max_stamp);
  for (const std::string& text : {top.dump(), " " + top.dump(2)}) {
    auto m = bank::decode_peer(text);
    REQUIRE(m);
    CHECK(m->lamport == bank::max_stamp);
    CHECK(std::get<bank::RequestMsg>(m->body).req.ts == bank::max_stamp);
  }
  CHECK(bank::peer_from_json(top));
  auto above = bank::peer_from_json(with(top, "/lamport", bank::max_stamp + 1));
  REQUIRE_FALSE(above);
  CHECK(above.error().id == "codec.stamp_range");
}

TEST_CASE("codec: a brief frame counts its blocks and is otherwise the frame as sent") {
  const auto c = chain();
  const PeerMessage release{1, 9, 11, 22, 4, 3, ReleaseMsg{{7, 1}, {c[1], c[2]}}};
  const std::string brief = bank::encode_peer_brief(release);
  const auto full = nlohmann::json::parse(bank::encode_peer(release));
  auto counted = nlohmann::json::parse(brief);
  CHECK(counted["blocks"] == 2);
  counted.erase("blocks");
  auto rest = full;
  rest.erase("blocks");
  CHECK(counted == rest);
  CHECK(brief == replaced(bank::encode_peer(release), "[" + bank::block_text(c[1]) + "," + bank::block_text(c[2]) + "]", "2"));
  // An empty release, and a catch-up answer, likewise; a request is the frame itself.
  const PeerMessage empty{1, 9, 11, 22, 5, 3, ReleaseMsg{{7, 1}, {}}};
  CHECK(nlohmann::json::parse(bank::encode_peer_brief(empty))["blocks"] == 0);
  const PeerMessage answer{2, 9, 22, 11, 6, 3, BlocksMsg{{c[1]}, 2, c[2].hash, 1}};
  CHECK(nlohmann::json::parse(bank::encode_peer_brief(answer))["blocks"] == 1);
  const PeerMessage request{1, 9, 11, 22, 7, 3, RequestMsg{{9, 1}, 2}};
  CHECK(bank::encode_peer_brief(request) == bank::encode_peer(request));
}

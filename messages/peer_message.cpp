// The peer protocol's one codec, driven by the declaration in the header: typed PeerMessage
// <-> JSON value and text, decoding total and strict.
#include "messages/peer_message.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

#include "messages/json/json_cursor.hpp"
#include "messages/json/json_reader.hpp"
#include "messages/json/json_text.hpp"

namespace bank {

namespace {

// Calls `f` with each field of a field list, in order.
template <class Fields, class F>
constexpr void each_field(const Fields& fields, F&& f) {
  std::apply([&](const auto&... field) { (f(field), ...); }, fields);
}

// Calls `f.template operator()<T>()` for each body type, in the variant's order.
template <class F>
constexpr void each_body_type(F&& f) {
  [&]<class... T>(std::variant<T...>*) { (f.template operator()<T>(), ...); }(static_cast<PeerBody*>(nullptr));
}

// A field's value type: V of a PeerField<S, V>.
template <class S, class V>
V value_type(PeerField<S, V>);
template <class Field>
using FieldValue = decltype(value_type(std::declval<Field>()));

// ---- The JSON value: each value type's form ----

nlohmann::json value_json(std::uint64_t x) { return x; }
nlohmann::json value_json(std::uint32_t x) { return x; }
nlohmann::json value_json(const std::string& s) { return s; }
nlohmann::json value_json(const Stamp& s) { return stamp_to_json(s); }
nlohmann::json value_json(const std::vector<Block>& blocks) { return blocks_to_json(blocks); }

template <class S, class Fields>
void put_fields(nlohmann::json& j, const S& s, const Fields& fields) {
  each_field(fields, [&](const auto& f) { j[f.key] = value_json(s.*f.member); });
}

// ---- The text: canonical JSON (keys sorted, no whitespace), as dump() prints it ----

// The order in which dump() prints `keys`: the indices of `keys`, sorted by key.
template <std::size_t N>
constexpr std::array<std::size_t, N> sorted_order(const std::array<std::string_view, N>& keys) {
  std::array<std::size_t, N> order{};
  for (std::size_t i = 0; i < N; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
  return order;
}

template <class Fields>
constexpr auto keys_of(const Fields& fields) {
  return std::apply([](const auto&... f) { return std::array<std::string_view, sizeof...(f)>{f.key...}; }, fields);
}

void put_key(std::string& out, std::string_view key) {
  out += '"';
  out += key;
  out += "\":";
}

// Each writer answers false where dump() must write it instead (a string beyond ASCII).
bool put_value(std::string& out, std::uint64_t x) {
  append_json_number(out, x);
  return true;
}
bool put_value(std::string& out, std::uint32_t x) { return put_value(out, std::uint64_t{x}); }
bool put_value(std::string& out, const std::string& s) { return append_json_string(out, s); }
bool put_value(std::string& out, const std::vector<Block>& blocks) {
  out += '[';
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    if (i > 0) out += ',';
    out += block_text(blocks[i]);
  }
  out += ']';
  return true;
}
bool put_value(std::string& out, const Stamp& s) {
  static constexpr auto order = sorted_order(keys_of(stamp_fields));
  bool ok = true;
  out += '{';
  [&]<std::size_t... J>(std::index_sequence<J...>) {
    ((out += J == 0 ? "" : ",", put_key(out, std::get<order[J]>(stamp_fields).key),
      ok &= put_value(out, s.*std::get<order[J]>(stamp_fields).member)),
     ...);
  }(std::make_index_sequence<order.size()>{});
  out += '}';
  return ok;
}

constexpr std::size_t envelope_size = std::tuple_size_v<decltype(PeerMessage::envelope())>;

// The keys of a frame of body type T: "type", the envelope's, then the body's.
template <class T>
constexpr auto frame_keys() {
  constexpr auto envelope = keys_of(PeerMessage::envelope());
  constexpr auto body = keys_of(T::fields());
  std::array<std::string_view, 1 + envelope.size() + body.size()> keys{"type"};
  std::copy(envelope.begin(), envelope.end(), keys.begin() + 1);
  std::copy(body.begin(), body.end(), keys.begin() + 1 + envelope.size());
  return keys;
}

// The frame's key number `I` of frame_keys<T>() with its value.
template <std::size_t I, class T>
bool put_member(std::string& out, const PeerMessage& m, const T& body) {
  put_key(out, frame_keys<T>()[I]);
  if constexpr (I == 0) {
    return append_json_string(out, T::wire);
  } else if constexpr (I <= envelope_size) {
    return put_value(out, m.*std::get<I - 1>(PeerMessage::envelope()).member);
  } else {
    return put_value(out, body.*std::get<I - 1 - envelope_size>(T::fields()).member);
  }
}

template <class T>
bool put_frame(std::string& out, const PeerMessage& m, const T& body) {
  static constexpr auto order = sorted_order(frame_keys<T>());
  bool ok = true;
  out += '{';
  [&]<std::size_t... J>(std::index_sequence<J...>) {
    ((out += J == 0 ? "" : ",", ok &= put_member<order[J]>(out, m, body)), ...);
  }(std::make_index_sequence<order.size()>{});
  out += '}';
  return ok;
}

// ---- The strict decoder, through nlohmann: it words every error ----

template <class V>
V read_value(const JsonReader& r, const char* key);
template <class S, class Fields>
void read_fields(const JsonReader& r, S& s, const Fields& fields);

template <>
std::uint64_t read_value<std::uint64_t>(const JsonReader& r, const char* key) {
  return r.u64(key);
}
template <>
std::uint32_t read_value<std::uint32_t>(const JsonReader& r, const char* key) {
  return r.node_id(key);
}
template <>
std::string read_value<std::string>(const JsonReader& r, const char* key) {
  return r.hex64(key);
}
template <>
Stamp read_value<Stamp>(const JsonReader& r, const char* key) {
  JsonReader s(r.object(key), key);
  std::apply([&](const auto&... f) { s.only({f.key...}); }, stamp_fields);
  Stamp stamp;
  read_fields(s, stamp, stamp_fields);
  return stamp;
}
template <>
std::vector<Block> read_value<std::vector<Block>>(const JsonReader& r, const char* key) {
  std::vector<Block> out;
  for (const auto& j : r.array(key)) {
    auto b = block_from_json(j);
    if (!b) throw DecodeFailure{b.error()};
    out.push_back(std::move(*b));
  }
  return out;
}

// In the fields' order, so the first bad field is the one reported.
template <class S, class Fields>
void read_fields(const JsonReader& r, S& s, const Fields& fields) {
  each_field(fields, [&](const auto& f) {
    s.*f.member = read_value<std::remove_cvref_t<decltype(s.*f.member)>>(r, f.key);
  });
}

// The envelope first, then the type's own fields, with no other key.
PeerMessage read_peer(const nlohmann::json& j) {
  JsonReader r(j, "peer message");
  auto type = r.string("type", 16);
  PeerMessage m;
  read_fields(r, m, PeerMessage::envelope());
  bool known = false;
  each_body_type([&]<class T>() {
    if (known || type != T::wire) return;
    known = true;
    constexpr auto keys = frame_keys<T>();
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      JsonReader(j, type + " message").only({keys[I].data()...});
    }(std::make_index_sequence<keys.size()>{});
    T body;
    read_fields(r, body, T::fields());
    m.body = std::move(body);
  });
  if (!known) JsonReader::fail("codec.unknown_type", "unknown peer message type '" + printable_excerpt(type) + "'");
  if (is_sequenced(m.body) != (m.seq != 0))
    JsonReader::fail("codec.range", type + " message has a wrong 'seq' for its type");
  return m;
}

// ---- The fast decoder: the plain form read in place, or nothing ----
//
// Keys come in any order ("type" is last in what encode_peer writes), so every value is
// read into a slot of its key before the type is known; the type then takes exactly its
// own keys' slots. Anything not taken (escapes, floats, a duplicate or unknown key, a
// missing field, a value out of range, a genesis block) is left to read_peer: what this
// takes, read_peer takes too and reads the same (a unit test holds the two to that).

using Slot = std::variant<std::monostate, std::string_view, std::uint64_t, std::uint32_t, std::string, Stamp,
                          std::vector<Block>>;
using SlotReader = bool (*)(JsonCursor&, Slot&);

std::optional<std::string_view> fast_value(JsonCursor& c, std::string_view*) { return c.plain_string(); }
std::optional<std::uint64_t> fast_value(JsonCursor& c, std::uint64_t*) { return c.u64(); }
std::optional<std::uint32_t> fast_value(JsonCursor& c, std::uint32_t*) { return c.node_id(); }
std::optional<std::string> fast_value(JsonCursor& c, std::string*) {
  auto s = c.plain_string();
  if (!s || !JsonReader::is_hex64(*s)) return std::nullopt;
  return std::string(*s);
}
std::optional<Stamp> fast_value(JsonCursor& c, Stamp*);
std::optional<std::vector<Block>> fast_value(JsonCursor& c, std::vector<Block>*) {
  std::vector<Block> out;
  if (!c.consume('[')) return std::nullopt;
  if (c.consume(']')) return out;
  do {
    auto b = read_plain_block(c);
    if (!b) return std::nullopt;
    out.push_back(std::move(*b));
  } while (c.consume(','));
  if (!c.consume(']')) return std::nullopt;
  return out;
}

// The value at the cursor into an empty slot: a duplicate key answers no.
template <class V>
bool read_slot(JsonCursor& c, Slot& slot) {
  if (!std::holds_alternative<std::monostate>(slot)) return false;
  auto v = fast_value(c, static_cast<V*>(nullptr));
  if (!v) return false;
  slot = std::move(*v);
  return true;
}

// The distinct keys of some field lists, each with the reader of its value type.
template <std::size_t Max>
struct KeyTable {
  std::array<std::string_view, Max> keys{};
  std::array<SlotReader, Max> readers{};
  std::size_t size = 0;

  constexpr std::size_t find(std::string_view key) const {
    for (std::size_t i = 0; i < size; ++i)
      if (keys[i] == key) return i;
    return size;
  }
  template <class V>
  constexpr void add(std::string_view key) {
    std::size_t i = find(key);
    if (i == size) {
      keys[size] = key;
      readers[size++] = &read_slot<V>;
    } else if (readers[i] != &read_slot<V>) {
      throw "a key of the peer protocol names two value types";  // stops the build
    }
  }
  template <class Fields>
  constexpr void add_fields(const Fields& fields) {
    each_field(fields, [&](const auto& f) { add<FieldValue<std::remove_cvref_t<decltype(f)>>>(f.key); });
  }
  // The bit of each key of `fields`.
  template <class Fields>
  constexpr std::uint32_t mask(const Fields& fields) const {
    std::uint32_t m = 0;
    each_field(fields, [&](const auto& f) { m |= 1u << find(f.key); });
    return m;
  }
};

// The slot of key `k` in `table`, or table.size for a key it lacks: the keys compared as
// constants, as a chain of ifs would.
template <const auto& table>
std::size_t slot_of(std::string_view k) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    std::size_t i = table.size;
    (void)((k == table.keys[I] ? (i = I, true) : false) || ...);
    return i;
  }(std::make_index_sequence<table.size>{});
}

// Reads an object at the cursor into `slots`, the table's slot for each key; `filled` gets
// a bit for each key read.
template <const auto& table, class Slots>
bool read_slots(JsonCursor& c, Slots& slots, std::uint32_t& filled) {
  return c.object([&](std::string_view k) {
    std::size_t i = slot_of<table>(k);
    if (i == table.size) return false;
    filled |= 1u << i;
    return table.readers[i](c, slots[i]);
  });
}

// Moves the slots of the fields `fields_of()` lists into `s`.
template <const auto& table, auto fields_of, class S, class Slots>
void take_fields(S& s, Slots& slots) {
  static constexpr auto fields = fields_of();
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    [[maybe_unused]] static constexpr std::size_t slot[] = {table.find(std::get<I>(fields).key)..., 0};
    ((s.*std::get<I>(fields).member = std::move(std::get<FieldValue<std::tuple_element_t<I, decltype(fields)>>>(slots[slot[I]]))), ...);
  }(std::make_index_sequence<std::tuple_size_v<decltype(fields)>>{});
}

constexpr auto stamp_table = [] {
  KeyTable<std::tuple_size_v<decltype(stamp_fields)>> t;
  t.add_fields(stamp_fields);
  return t;
}();

constexpr auto stamp_fields_of() { return stamp_fields; }

std::optional<Stamp> fast_value(JsonCursor& c, Stamp*) {
  std::array<Slot, stamp_table.size> slots;
  std::uint32_t filled = 0;
  if (!read_slots<stamp_table>(c, slots, filled) || filled != stamp_table.mask(stamp_fields)) return std::nullopt;
  Stamp s;
  take_fields<stamp_table, stamp_fields_of>(s, slots);
  return s;
}

constexpr std::size_t frame_key_bound = [] {
  std::size_t n = 1 + envelope_size;
  each_body_type([&]<class T>() { n += std::tuple_size_v<decltype(T::fields())>; });
  return n;
}();

// "type", the envelope's keys and every body type's keys.
constexpr auto frame_table = [] {
  KeyTable<frame_key_bound> t;
  t.add<std::string_view>("type");
  t.add_fields(PeerMessage::envelope());
  each_body_type([&]<class T>() { t.add_fields(T::fields()); });
  return t;
}();
static_assert(frame_table.size <= 32, "a frame's keys are bits of a std::uint32_t");

std::optional<PeerMessage> fast_peer(std::string_view bytes) {
  JsonCursor c(bytes);
  std::array<Slot, frame_table.size> slots;
  std::uint32_t filled = 0;
  if (!read_slots<frame_table>(c, slots, filled) || !c.at_end() || !(filled & 1u)) return std::nullopt;
  const std::string_view type = std::get<std::string_view>(slots[0]);
  std::optional<PeerMessage> m;
  each_body_type([&]<class T>() {
    constexpr std::uint32_t keys = 1u | frame_table.mask(PeerMessage::envelope()) | frame_table.mask(T::fields());
    if (m || type != T::wire || filled != keys) return;
    m.emplace();
    take_fields<frame_table, PeerMessage::envelope>(*m, slots);
    T body;
    take_fields<frame_table, T::fields>(body, slots);
    m->body = std::move(body);
  });
  if (!m || is_sequenced(m->body) != (m->seq != 0)) return std::nullopt;
  return m;
}

// A frame whose clock or incarnations lie above max_stamp is refused here, at the door:
// past this point every stamp a core adds one to is far from wrapping.
std::optional<Error> check_stamps(const PeerMessage& m) {
  auto above = [](const char* field) {
    return make_error("codec.stamp_range", std::string("field '") + field + "' of peer message is above 2^53");
  };
  if (m.lamport > max_stamp) return above("lamport");
  if (m.inc > max_stamp) return above("inc");
  if (m.to_inc > max_stamp) return above("to_inc");
  auto req_ts = std::visit(
      [](const auto& b) -> Lamport {
        if constexpr (requires { b.req; }) return b.req.ts;
        return 0;
      },
      m.body);
  if (req_ts > max_stamp) return above("req.ts");
  return std::nullopt;
}

// GCC 12 takes the move of the body variant into the Result for a read of uninitialized
// storage (a false -Wmaybe-uninitialized, since the variant gained a ninth alternative).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
Result<PeerMessage> checked(PeerMessage m) {
  if (auto e = check_stamps(m)) return *e;
  return m;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace

const char* peer_type_name(const PeerBody& body) {
  return std::visit([](const auto& b) { return std::remove_cvref_t<decltype(b)>::wire.data(); }, body);
}

bool is_sequenced(const PeerBody& body) {
  return std::visit([](const auto& b) { return std::remove_cvref_t<decltype(b)>::sequenced; }, body);
}

nlohmann::json stamp_to_json(const Stamp& s) {
  nlohmann::json j = nlohmann::json::object();
  put_fields(j, s, stamp_fields);
  return j;
}

nlohmann::json peer_to_json(const PeerMessage& m) {
  nlohmann::json j{{"type", peer_type_name(m.body)}};
  put_fields(j, m, PeerMessage::envelope());
  std::visit([&](const auto& b) { put_fields(j, b, std::remove_cvref_t<decltype(b)>::fields()); }, m.body);
  return j;
}

std::string encode_peer(const PeerMessage& m) {
  std::string text;
  text.reserve(256);
  bool plain = std::visit([&](const auto& b) { return put_frame(text, m, b); }, m.body);
  return plain ? text : peer_to_json(m).dump();
}

std::string encode_peer_brief(const PeerMessage& m) {
  return std::visit(
      [&]<class T>(const T& body) {
        if constexpr (requires { body.blocks; }) {
          // The frame of a copy without the blocks, whose "blocks":[] (one key of a frame,
          // so found once) then says how many there were.
          T bare;
          each_field(T::fields(), [&](const auto& f) {
            if constexpr (!std::is_same_v<FieldValue<std::remove_cvref_t<decltype(f)>>, std::vector<Block>>)
              bare.*f.member = body.*f.member;
          });
          std::string text = encode_peer(PeerMessage{m.from, m.lamport, m.inc, m.to_inc, m.seq, m.ack, std::move(bare)});
          constexpr std::string_view empty = R"("blocks":[])";
          if (auto at = text.find(empty); at != std::string::npos)
            text.replace(at, empty.size(), "\"blocks\":" + std::to_string(body.blocks.size()));
          return text;
        } else {
          return encode_peer(m);
        }
      },
      m.body);
}

Result<PeerMessage> peer_from_json(const nlohmann::json& j) {
  try {
    return checked(read_peer(j));
  } catch (const DecodeFailure& f) {
    return f.error;
  }
}

Result<PeerMessage> decode_peer(std::string_view bytes) {
  if (bytes.size() <= max_peer_frame)
    if (auto m = fast_peer(bytes)) return checked(std::move(*m));
  try {
    return checked(read_peer(JsonReader::parse(bytes, max_peer_frame)));
  } catch (const DecodeFailure& f) {
    return f.error;
  }
}

}  // namespace bank

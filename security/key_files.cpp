// KeyFiles: reading, checking and creating key files.
#include "security/key_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <sodium.h>
#include <zmq.h>

namespace bank {

namespace fs = std::filesystem;

namespace {

// A key file is a few hundred bytes; anything much larger is not one.
constexpr std::size_t kMaxKeyFile = 4096;

std::string z85(const KeyRing::CurveKey& key) {
  char text[41] = {};
  zmq_z85_encode(text, key.data(), key.size());
  return text;
}

bool from_z85(const std::string& text, KeyRing::CurveKey& key) {
  return text.size() == 40 && zmq_z85_decode(key.data(), text.c_str()) != nullptr;
}

template <std::size_t N>
std::string hex(const std::array<unsigned char, N>& bytes) {
  std::string s(2 * N + 1, '\0');
  sodium_bin2hex(s.data(), s.size(), bytes.data(), N);
  s.pop_back();
  return s;
}

template <std::size_t N>
bool from_hex(const std::string& text, std::array<unsigned char, N>& out) {
  if (text.size() != 2 * N) return false;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  std::size_t len = 0;
  return sodium_hex2bin(out.data(), N, text.data(), text.size(), nullptr, &len, nullptr) == 0 && len == N;
}

Error missing(const fs::path& p, const std::string& why) {
  return make_error("keys.missing", "key file " + p.string() + " " + why);
}
Error malformed(const fs::path& p, const std::string& why) {
  return make_error("keys.malformed", "key file " + p.string() + " is malformed: " + why);
}

// The file's one JSON object, with exactly `fields` besides "id", which must be `id`.
Result<nlohmann::json> read_key_json(const fs::path& p, NodeId id, std::initializer_list<const char*> fields) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return missing(p, std::string("cannot be read: ") + std::strerror(errno));
  std::string text(kMaxKeyFile + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxKeyFile) return malformed(p, "longer than a key file");
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return malformed(p, "not one JSON object");
  if (j.size() != fields.size() + 1) return malformed(p, "it must hold exactly the keys id and " + std::string(*fields.begin()) + (fields.size() > 1 ? " and sign" : ""));
  if (!j.contains("id") || !j["id"].is_number_unsigned() || j["id"].get<std::uint64_t>() != id)
    return malformed(p, "its id is not " + std::to_string(id));
  for (const char* f : fields)
    if (!j.contains(f) || !j[f].is_string()) return malformed(p, std::string("'") + f + "' is missing or not a string");
  return j;
}

// Writes `text` to a new file with `mode`; never replaces one.
std::optional<Error> create_file(const fs::path& p, const std::string& text, mode_t mode) {
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return make_error("keys.io", "cannot create " + p.string() + ": " + std::strerror(errno));
  bool ok = ::fchmod(fd, mode) == 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return make_error("keys.io", "cannot write " + p.string() + ": " + std::strerror(errno));
  return std::nullopt;
}

CurvePair new_curve_pair() {
  CurvePair c;
  crypto_box_keypair(c.public_key.data(), c.secret_key.data());
  return c;
}

CurvePair curve_from_secret(const KeyRing::CurveKey& secret) {
  CurvePair c;
  c.secret_key = secret;
  crypto_scalarmult_base(c.public_key.data(), secret.data());
  return c;
}

std::string node_public_text(NodeId id, const CurvePair& c, const Signer& s) {
  return nlohmann::json{{"id", id}, {"curve", c.public_z85()}, {"sign", hex(s.public_key())}}.dump() + "\n";
}
std::string client_public_text(NodeId id, const CurvePair& c) {
  return nlohmann::json{{"id", id}, {"curve", c.public_z85()}}.dump() + "\n";
}

}  // namespace

std::string CurvePair::public_z85() const { return z85(public_key); }
std::string CurvePair::secret_z85() const { return z85(secret_key); }

fs::path KeyFiles::node_secret_path(NodeId id) const { return dir_ / ("node-" + std::to_string(id) + ".secret"); }
fs::path KeyFiles::node_public_path(NodeId id) const { return dir_ / ("node-" + std::to_string(id) + ".public"); }
fs::path KeyFiles::client_secret_path(NodeId id) const { return dir_ / ("client-" + std::to_string(id) + ".secret"); }
fs::path KeyFiles::client_public_path(NodeId id) const { return dir_ / ("client-" + std::to_string(id) + ".public"); }

Result<NodeSecret> KeyFiles::node_secret(NodeId id) const {
  const fs::path p = node_secret_path(id);
  auto j = read_key_json(p, id, {"curve", "sign"});
  if (!j) return j.error();
  KeyRing::CurveKey curve{};
  Signer::Secret sign{};
  if (!from_z85((*j)["curve"].get<std::string>(), curve)) return malformed(p, "'curve' is not a 40-character Z85 key");
  if (!from_hex((*j)["sign"].get<std::string>(), sign))
    return malformed(p, "'sign' is not an Ed25519 secret key (128 lowercase hex digits)");
  return NodeSecret{id, curve_from_secret(curve), Signer(sign)};
}

Result<ClientSecret> KeyFiles::client_secret(const fs::path& file) {
  // The id is whatever the file says; only its form is checked.
  std::ifstream in(file, std::ios::binary);
  if (!in) return missing(file, std::string("cannot be read: ") + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("id") || !j["id"].is_number_unsigned())
    return malformed(file, "not a client key file ({\"id\":N,\"curve\":\"...\"})");
  const auto id = j["id"].get<std::uint64_t>();
  if (id == 0 || id > INT32_MAX) return malformed(file, "its id is not a node id");
  auto checked = read_key_json(file, static_cast<NodeId>(id), {"curve"});
  if (!checked) return checked.error();
  KeyRing::CurveKey curve{};
  if (!from_z85((*checked)["curve"].get<std::string>(), curve))
    return malformed(file, "'curve' is not a 40-character Z85 key");
  return ClientSecret{static_cast<NodeId>(id), curve_from_secret(curve)};
}

Result<KeyRing::CurveKey> KeyFiles::node_curve(NodeId id) const {
  const fs::path p = node_public_path(id);
  auto j = read_key_json(p, id, {"curve", "sign"});
  if (!j) return j.error();
  KeyRing::CurveKey curve{};
  if (!from_z85((*j)["curve"].get<std::string>(), curve)) return malformed(p, "'curve' is not a 40-character Z85 key");
  return curve;
}

Result<std::shared_ptr<const KeyRing>> KeyFiles::ring(const ClusterConfig& config) const {
  auto ring = std::make_shared<KeyRing>();
  for (const NodeConfig& n : config.nodes) {
    const fs::path np = node_public_path(n.id);
    auto j = read_key_json(np, n.id, {"curve", "sign"});
    if (!j) return j.error();
    KeyRing::CurveKey curve{};
    Signer::Public sign{};
    if (!from_z85((*j)["curve"].get<std::string>(), curve)) return malformed(np, "'curve' is not a 40-character Z85 key");
    if (!from_hex((*j)["sign"].get<std::string>(), sign))
      return malformed(np, "'sign' is not an Ed25519 public key (64 lowercase hex digits)");
    ring->add_node(n.id, curve, sign);
    const fs::path cp = client_public_path(n.id);
    auto c = read_key_json(cp, n.id, {"curve"});
    if (!c) return c.error();
    if (!from_z85((*c)["curve"].get<std::string>(), curve)) return malformed(cp, "'curve' is not a 40-character Z85 key");
    ring->add_client(n.id, curve);
  }
  return std::shared_ptr<const KeyRing>(std::move(ring));
}

Result<std::vector<std::string>> KeyFiles::create_missing(const ClusterConfig& config) const {
  std::error_code ec;
  const bool made = fs::create_directories(dir_, ec);
  if (ec) return make_error("keys.io", "cannot create " + dir_.string() + ": " + ec.message());
  if (made) fs::permissions(dir_, fs::perms::owner_all, ec);
  // Check every pair first, so that a refusal leaves nothing half made.
  for (const NodeConfig& n : config.nodes)
    for (auto [secret, pub] : {std::pair{node_secret_path(n.id), node_public_path(n.id)},
                               std::pair{client_secret_path(n.id), client_public_path(n.id)}})
      if (!fs::exists(secret) && fs::exists(pub))
        return missing(secret, "is missing but " + pub.filename().string() +
                                   " is there; restore the secret, or remove both to make a new pair");
  std::vector<std::string> created;
  auto create = [&](const fs::path& p, const std::string& text, mode_t mode) -> std::optional<Error> {
    if (auto e = create_file(p, text, mode)) return e;
    created.push_back("created " + p.string());
    return std::nullopt;
  };
  for (const NodeConfig& n : config.nodes) {
    const fs::path ns = node_secret_path(n.id), np = node_public_path(n.id);
    if (!fs::exists(ns)) {
      CurvePair c = new_curve_pair();
      Signer::Public sp{};
      Signer::Secret ss{};
      crypto_sign_keypair(sp.data(), ss.data());
      const std::string text =
          nlohmann::json{{"id", n.id}, {"curve", c.secret_z85()}, {"sign", hex(ss)}}.dump() + "\n";
      if (auto e = create(ns, text, 0600)) return *e;
    }
    if (!fs::exists(np)) {
      auto s = node_secret(n.id);
      if (!s) return s.error();
      if (auto e = create(np, node_public_text(n.id, s->curve, s->signer), 0644)) return *e;
    }
    const fs::path cs = client_secret_path(n.id), cpub = client_public_path(n.id);
    if (!fs::exists(cs)) {
      CurvePair c = new_curve_pair();
      const std::string text = nlohmann::json{{"id", n.id}, {"curve", c.secret_z85()}}.dump() + "\n";
      if (auto e = create(cs, text, 0600)) return *e;
    }
    if (!fs::exists(cpub)) {
      auto s = client_secret(cs);
      if (!s) return s.error();
      if (auto e = create(cpub, client_public_text(n.id, s->curve), 0644)) return *e;
    }
  }
  return created;
}

}  // namespace bank

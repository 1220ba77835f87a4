// KeyFiles: bank-keys' files (made once, never overwritten, secrets 0600 in a 0700 folder),
// read back into the key ring a node trusts, and clear errors naming a bad file.
#include "security/key_files.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

using namespace bank;
namespace fs = std::filesystem;

namespace {
struct TempDir {
  fs::path path = fs::temp_directory_path() / ("key_files_test-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
  TempDir() { fs::remove_all(path); }
  ~TempDir() { fs::remove_all(path); }
  static inline int n = 0;
};
ClusterConfig two_nodes(const fs::path& keys) {
  ClusterConfig c;
  c.keys_dir = keys;
  c.nodes = {NodeConfig{1, "127.0.0.1", 1, 2, 0}, NodeConfig{2, "127.0.0.1", 3, 4, 0}};
  return c;
}
std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}
}  // namespace

TEST_CASE("key files: every missing file is made once, secrets are 0600 in a 0700 folder, a second run makes nothing") {
  TempDir t;
  const auto config = two_nodes(t.path / "keys");
  KeyFiles files(config.keys_dir);
  auto made = files.create_missing(config);
  REQUIRE(made);
  CHECK(made->size() == 8);
  CHECK(mode_of(config.keys_dir) == 0700);
  CHECK(mode_of(files.node_secret_path(1)) == 0600);
  CHECK(mode_of(files.client_secret_path(2)) == 0600);
  CHECK(mode_of(files.node_public_path(1)) == 0644);
  const std::string before = slurp(files.node_secret_path(1));
  auto again = files.create_missing(config);
  REQUIRE(again);
  CHECK(again->empty());
  CHECK(slurp(files.node_secret_path(1)) == before);

  auto pub = nlohmann::json::parse(slurp(files.node_public_path(2)));
  CHECK(pub["id"] == 2);
  CHECK(pub["curve"].get<std::string>().size() == 40);
  CHECK(pub["sign"].get<std::string>().size() == 64);
  auto client = nlohmann::json::parse(slurp(files.client_public_path(2)));
  CHECK(client.size() == 2);
  CHECK(client["curve"].get<std::string>().size() == 40);
}

TEST_CASE("key files: the ring knows every node and client, and a node's secret matches its public file") {
  TempDir t;
  const auto config = two_nodes(t.path / "keys");
  KeyFiles files(config.keys_dir);
  REQUIRE(files.create_missing(config));
  auto ring = files.ring(config);
  REQUIRE(ring);
  auto secret = files.node_secret(1);
  REQUIRE(secret);
  CHECK(*(*ring)->signing_key(1) == secret->signer.public_key());
  CHECK(*(*ring)->node_curve(1) == secret->curve.public_key);
  const std::string hash(64, 'c');
  CHECK((*ring)->signed_by(1, hash, secret->signer.sign_hash(hash)));
  auto client = KeyFiles::client_secret(files.client_secret_path(2));
  REQUIRE(client);
  CHECK(client->id == 2);
  const auto& key = client->curve.public_key;
  CHECK((*ring)->admit(KeyRing::kConsoleDomain, std::string(key.begin(), key.end())) ==
        Principal{Principal::Kind::client, 2});
}

TEST_CASE("key files: a missing or malformed file is an error naming it") {
  TempDir t;
  const auto config = two_nodes(t.path / "keys");
  KeyFiles files(config.keys_dir);
  auto missing = files.ring(config);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().id == "keys.missing");
  CHECK(missing.error().message.find("node-1.public") != std::string::npos);

  REQUIRE(files.create_missing(config));
  for (const std::string bad : {"", "not json", "{\"id\":1}", "{\"id\":2,\"curve\":\"x\",\"sign\":\"y\"}",
                                "{\"id\":1,\"curve\":\"short\",\"sign\":\"00\"}"}) {
    std::ofstream(files.node_public_path(1), std::ios::trunc) << bad;
    auto r = files.ring(config);
    REQUIRE_FALSE(r);
    CHECK(r.error().id == "keys.malformed");
    CHECK(r.error().message.find("node-1.public") != std::string::npos);
  }
}

TEST_CASE("key files: a secret gone while its public half is there is refused, and nothing is made") {
  TempDir t;
  const auto config = two_nodes(t.path / "keys");
  KeyFiles files(config.keys_dir);
  REQUIRE(files.create_missing(config));
  fs::remove(files.node_secret_path(2));
  fs::remove(files.client_secret_path(1));
  fs::remove(files.client_public_path(1));
  auto r = files.create_missing(config);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("node-2.secret") != std::string::npos);
  CHECK_FALSE(fs::exists(files.client_secret_path(1)));  // checked before anything is made
}

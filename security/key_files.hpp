// KeyFiles: the key files of a cluster in its keys_dir (docs/security.md): for node N,
// node-N.secret and node-N.public (its CURVE identity and the signing key of account N);
// for client N, client-N.secret and client-N.public (the console owner of account N).
// Each file is one JSON object on one line; CURVE keys in Z85 (40 characters), Ed25519
// keys in lowercase hex. Secrets are created with mode 0600 and never overwritten.
//
// Every refusal is an Error with id keys.missing (a file that is not there or cannot be
// read) or keys.malformed (not the JSON a key file holds, or a key of the wrong length or
// another id), whose message names the file.
#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "config/cluster_config.hpp"
#include "messages/result.hpp"
#include "security/key_ring.hpp"
#include "security/signer.hpp"

namespace bank {

// A CURVE key pair: the 32 raw bytes of each half, and their Z85 text for ZeroMQ.
struct CurvePair {
  KeyRing::CurveKey public_key{};
  KeyRing::CurveKey secret_key{};
  std::string public_z85() const;
  std::string secret_z85() const;
};

struct NodeSecret {
  NodeId id = 0;
  CurvePair curve;
  Signer signer;
};

struct ClientSecret {
  NodeId id = 0;
  CurvePair curve;
};

class KeyFiles {
 public:
  explicit KeyFiles(std::filesystem::path dir) : dir_(std::move(dir)) {}

  std::filesystem::path node_secret_path(NodeId id) const;
  std::filesystem::path node_public_path(NodeId id) const;
  std::filesystem::path client_secret_path(NodeId id) const;
  std::filesystem::path client_public_path(NodeId id) const;

  Result<NodeSecret> node_secret(NodeId id) const;
  static Result<ClientSecret> client_secret(const std::filesystem::path& file);
  // Every node's and client's public file of the config's ids.
  Result<std::shared_ptr<const KeyRing>> ring(const ClusterConfig& config) const;
  // The CURVE public key of node `id` (a console's server key).
  Result<KeyRing::CurveKey> node_curve(NodeId id) const;

  // Creates the folder (0700) and, for every id of the config, the files it lacks: a new key
  // pair when both halves are missing, the public half from the secret when only that is
  // missing. Returns one line per file created. keys.missing when a secret is gone but its
  // public half is there (a new pair would not match what peers know): nothing is made then.
  Result<std::vector<std::string>> create_missing(const ClusterConfig& config) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace bank

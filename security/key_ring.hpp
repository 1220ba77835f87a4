// KeyRing: the public keys a node knows, from the config's key files (docs/security.md):
// each node's CURVE key (its identity on peer links) and Ed25519 key (the signing key of
// its account), and each client's CURVE key (the console owner of one account). It answers
// the two questions security asks: who is this CURVE key, in this ZAP domain; and is this
// a valid signature of that payer.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "messages/types.hpp"
#include "security/signer.hpp"

namespace bank {

// Who a CURVE key belongs to. Written "node-N" or "client-N": the ZAP user id that reaches
// the shells with every frame.
struct Principal {
  enum class Kind { node, client };
  Kind kind = Kind::node;
  NodeId id = 0;
  std::string user_id() const;
  static std::optional<Principal> from_user_id(std::string_view text);
  bool operator==(const Principal&) const = default;
};

class KeyRing {
 public:
  using CurveKey = std::array<unsigned char, 32>;
  // The ZAP domains: peer links admit node keys only, consoles client keys only.
  static constexpr std::string_view kPeerDomain = "peer";
  static constexpr std::string_view kConsoleDomain = "console";

  void add_node(NodeId id, const CurveKey& curve, const Signer::Public& sign);
  // A node's signing key alone (the simulation, which has no CURVE links).
  void add_signing_key(NodeId id, const Signer::Public& sign) { node_sign_[id] = sign; }
  void add_client(NodeId id, const CurveKey& curve);

  // The owner of `curve` when that key may connect in `domain`; nullopt: refuse it.
  std::optional<Principal> admit(std::string_view domain, std::string_view curve) const;
  // True when `sig_hex` is the valid signature of `hash_hex` by node `payer`'s signing key.
  bool signed_by(NodeId payer, std::string_view hash_hex, std::string_view sig_hex) const;
  const CurveKey* node_curve(NodeId id) const;
  const Signer::Public* signing_key(NodeId id) const;

 private:
  std::map<NodeId, CurveKey> node_curve_;
  std::map<NodeId, Signer::Public> node_sign_;
  std::map<CurveKey, Principal> by_curve_;
};

}  // namespace bank

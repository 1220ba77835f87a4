// Node: loads the block log, builds the cores, puts them in their shells and hosts them.
#include "node/node.hpp"

#include <chrono>
#include <stdexcept>

#include "actors/bank/bank_shell.hpp"
#include "actors/ledger/file_block_store.hpp"
#include "actors/ledger/ledger_shell.hpp"
#include "actors/mutex/mutex_shell.hpp"
#include "actors/network/network_shell.hpp"
#include "node/incarnation_file.hpp"
#include "node/node_cores.hpp"
#include "security/key_files.hpp"

namespace bank {

Node::Node(const ClusterConfig& config, NodeId self, std::FILE* log)
    : ctx_(1), log_(log, self, config.log, &feed_) {
  NodeSettings settings;
  settings.self = self;
  settings.batch = config.batch;
  settings.bank.acquire_timeout_ms = config.acquire_timeout_ms;
  settings.bank.security_off = !config.security;
  std::optional<NodeSecret> secret;
  if (config.security) {
    KeyFiles files(config.keys_dir);
    auto ring = files.ring(config);
    if (!ring) throw std::runtime_error(ring.error().message);
    auto own = files.node_secret(self);
    if (!own) throw std::runtime_error(own.error().message);
    if (own->signer.public_key() != *ring.value()->signing_key(self) ||
        own->curve.public_key != *ring.value()->node_curve(self))
      throw std::runtime_error("key file " + files.node_secret_path(self).string() + " does not match " +
                               files.node_public_path(self).string());
    settings.keys = *ring;
    settings.signer = own->signer;
    secret = std::move(*own);
  }
  for (const auto& n : config.nodes)
    if (n.id != self) settings.peers.push_back(n.id);
  // A port in use refuses the start before the data folder is made or touched.
  const NodeConfig& me = *config.find(self);
  ActorShell::check_port_free(me.host, me.port, "peer port");
  ActorShell::check_port_free(me.host, me.console, "console port");
  Block genesis = Chain::make_genesis(config.opening_balances());
  TxidMemory memory;
  auto loaded = FileBlockStore::open(config.node_dir(self), genesis, config.fsync,
                                     [&](const Block& b) { memory.committed(b.tx->txid, b.index); }, settings.keys);
  if (!loaded) throw std::runtime_error(loaded.error().message);
  // Each start is a new incarnation, above every earlier one even when the wall clock was set
  // back: the last one is kept in the data folder (IncarnationFile).
  auto incarnation = IncarnationFile::advance(
      config.node_dir(self),
      static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
              .count()),
      config.fsync);
  if (!incarnation) throw std::runtime_error(incarnation.error().message);
  settings.incarnation = *incarnation;
  log_.write(LogOut{"start", 0, {{"incarnation", settings.incarnation}, {"height", loaded->chain.height()}}});
  for (const auto& note : loaded->notes) log_.write(LogOut{"repair", 0, {{"note", note}}});
  if (!config.security)
    log_.write(LogOut{"warning", 0, {{"warning", "security is off (security: off in the config): links and consoles "
                                                 "are unauthenticated and unencrypted, and anyone who reaches the "
                                                 "console port can move this node's money"}}});
  log_.flush();
  NodeCores cores(settings, std::move(loaded->chain), std::move(memory), loaded->aborts);

  if (secret) zap_ = std::make_unique<ZapHandler>(ctx_, settings.keys, log_);
  const NodeSecret* s = secret ? &*secret : nullptr;
  shells_.push_back(std::make_unique<NetworkShell>(ctx_, config, self, std::move(cores.network), s, settings.keys.get()));
  shells_.push_back(std::make_unique<MutexShell>(ctx_, std::move(cores.mutex)));
  shells_.push_back(std::make_unique<LedgerShell>(ctx_, std::move(cores.ledger)));
  shells_.push_back(std::make_unique<BankShell>(ctx_, *config.find(self), std::move(cores.bank), s, feed_, log_));
  // One thread for all four is the default: on a small, loaded machine every hop between
  // threads is a wake-up that waits for a core, and a release crossed three of them.
  // README, Performance, has both layouts measured.
  if (config.hosting == Hosting::one_thread) {
    std::vector<ActorShell*> all;
    for (auto& s : shells_) all.push_back(s.get());
    threads_.push_back(std::make_unique<ActorThread>(ctx_, log_, std::move(all)));
  } else {
    for (auto& s : shells_)
      threads_.push_back(std::make_unique<ActorThread>(ctx_, log_, std::vector<ActorShell*>{s.get()}));
  }
}

Node::~Node() { stop(); }

void Node::start() {
  for (auto& t : threads_) t->start();
  running_ = true;
}

void Node::stop() {
  if (!running_) return;
  running_ = false;
  for (auto& t : threads_) t->terminate();
  for (auto& t : threads_) t->join();
  for (auto& t : threads_) t->drain();
  log_.write(LogOut{"stop", 0, {}});
  log_.flush();
}

}  // namespace bank

// Node: builds the cores from the config and starts their shells.
#include "actors/shell/node.hpp"

#include <chrono>

#include <stdexcept>

#include "actors/ledger/chain.hpp"
#include "actors/ledger/file_block_store.hpp"

namespace bank {

Node::Node(const ClusterConfig& config, NodeId self, std::FILE* log) : ctx_(1), log_(log, self) {
  std::vector<NodeId> peers;
  for (const auto& n : config.nodes)
    if (n.id != self) peers.push_back(n.id);
  // Each start is a new incarnation; microseconds of wall time keep rising across restarts.
  incarnation_ = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  Block genesis = Chain::make_genesis(config.opening_balances());
  TxidMemory memory;
  auto loaded = FileBlockStore::open(config.node_dir(self), genesis, self, config.fsync,
                                     [&](const Block& b) { memory.committed(b.tx->txid, b.index); });
  if (!loaded) throw std::runtime_error(loaded.error().message);
  log_.write(LogOut{"start", 0, {{"incarnation", incarnation_}, {"height", loaded->chain.height()}}});
  for (const auto& note : loaded->notes) log_.write(LogOut{"repair", 0, {{"note", note}}});
  log_.flush();
  for (const AbortRecord& a : loaded->aborts) memory.aborted(a.txid, a.reason);
  Balances current = loaded->chain.table().balances();
  std::uint64_t height = loaded->chain.height();
  BankOptions bank_options{config.acquire_timeout_ms};
  NetworkCore network(self, peers, incarnation_, genesis.hash);
  network.set_height(height);
  shells_.push_back(std::make_unique<NetworkShell>(ctx_, log_, config, self, std::move(network)));
  shells_.push_back(std::make_unique<MutexShell>(ctx_, log_, MutexCore(self, peers)));
  shells_.push_back(std::make_unique<LedgerShell>(ctx_, log_, LedgerCore(self, std::move(loaded->chain), config.batch)));
  shells_.push_back(std::make_unique<BankShell>(ctx_, log_, *config.find(self),
                                                BankCore(self, std::move(current), bank_options, std::move(memory))));
}

Node::~Node() { stop(); }

void Node::start() {
  for (auto& s : shells_) s->start();
  running_ = true;
}

void Node::stop() {
  if (!running_) return;
  running_ = false;
  // The console first, so no new work comes in while the others finish their step.
  for (Actor a : {Actor::bank, Actor::ledger, Actor::mutex, Actor::network}) {
    zmq::socket_t term(ctx_, zmq::socket_type::push);
    term.connect(ActorShell::inbox_endpoint(a));
    ActorShell::post(term, nullptr);
  }
  for (auto& s : shells_) s->join();
  for (auto& s : shells_) s->drain();
}

}  // namespace bank

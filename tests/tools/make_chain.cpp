// make-chain: writes a long, valid, signed block log for measuring a node's restart.
//   make-chain --config FILE --blocks N [--run R] [--seed S]
// For node 1 of FILE (its keys made by bank-keys) it writes data_dir/node-1/blocks.jsonl:
// genesis, then N transfer blocks in runs of 1..2R-1 blocks of one payer (R on average, the
// batches a loaded cluster commits), each run's last block signed by its payer, as a cluster
// would have written it. The folder must not hold a chain yet.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <CLI/CLI.hpp>

#include "actors/ledger/chain_state.hpp"
#include "actors/ledger/chain.hpp"
#include "security/key_files.hpp"

int main(int argc, char** argv) {
  CLI::App app{"writes a long signed block log for node 1 of a config", "make-chain"};
  std::string config_path;
  std::uint64_t blocks = 0, seed = 1;
  int run = 10;
  app.add_option("--config", config_path)->required();
  app.add_option("--blocks", blocks)->required();
  app.add_option("--run", run, "average blocks per signed run (default 10)")->check(CLI::Range(1, 10000));
  app.add_option("--seed", seed);
  CLI11_PARSE(app, argc, argv);
  auto config = bank::ClusterConfig::load(config_path);
  if (!config) return std::fprintf(stderr, "%s\n", config.error().message.c_str()), 2;
  bank::KeyFiles files(config->keys_dir);
  std::map<bank::NodeId, bank::Signer> signers;
  for (const auto& n : config->nodes) {
    auto s = files.node_secret(n.id);
    if (!s) return std::fprintf(stderr, "%s\n", s.error().message.c_str()), 2;
    signers.emplace(n.id, s->signer);
  }
  const auto dir = config->node_dir(config->nodes.front().id);
  if (std::filesystem::exists(dir / "blocks.jsonl")) return std::fprintf(stderr, "%s holds a chain\n", dir.c_str()), 2;
  std::filesystem::create_directories(dir);
  std::ofstream out(dir / "blocks.jsonl", std::ios::binary);
  const bank::Block genesis = bank::Chain::make_genesis(config->opening_balances());
  out << bank::block_text(genesis) << "\n";
  bank::ChainState state(genesis);
  std::mt19937_64 rng(seed);
  std::uint64_t written = 0, txid = 0;
  std::size_t payer_at = 0;
  while (written < blocks) {
    const auto& payer = config->nodes[payer_at++ % config->nodes.size()];
    const auto& payee = config->nodes[payer_at % config->nodes.size()];
    std::uint64_t len = std::uniform_int_distribution<std::uint64_t>(1, 2 * static_cast<std::uint64_t>(run) - 1)(rng);
    len = std::min(len, blocks - written);
    for (std::uint64_t k = 0; k < len; ++k) {
      bank::Block b = bank::Chain::block_on(state, {"m-" + std::to_string(++txid), payer.id, payee.id, 1, written + 1});
      if (k + 1 == len) b.sig = signers.at(payer.id).sign_hash(b.hash);
      if (auto e = state.append(b)) return std::fprintf(stderr, "%s\n", e->message.c_str()), 1;
      out << bank::block_text(b) << "\n";
      ++written;
    }
  }
  std::printf("%llu blocks in %s\n", static_cast<unsigned long long>(written), (dir / "blocks.jsonl").c_str());
  return 0;
}

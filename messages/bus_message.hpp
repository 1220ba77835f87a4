// Messages between the actors of one node. The same typed structs travel through an actor
// thread's queues (actors on one thread), over inproc sockets (actors on different
// threads), and through the simulation's in-memory bus; in order per pair of actors in all.
//
// The actors form a line, and every path that needs ordering runs along it:
//   wire <-> network <-> mutex <-> ledger <-> bank <-> console
// A grant travels mutex -> ledger -> bank, so the ledger has applied every block that came
// before the grant by the time the bank acts on it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "messages/block.hpp"
#include "messages/console_message.hpp"
#include "messages/peer_message.hpp"
#include "messages/types.hpp"

namespace bank {

// In the order of the line; an ActorThread serves its actors in this order (network first).
enum class Actor { network, mutex, ledger, bank, wire, console, log };

// shell -> network: a frame from a peer.
struct WireIn {
  std::string bytes;
  // The node whose CURVE key the frame's connection authenticated (0 with security off:
  // then nothing vouches for the frame's `from`).
  NodeId sender = 0;
};
// network -> wire (the shell's DEALER to `to`).
struct WireOut {
  NodeId to = 0;
  std::string bytes;
  std::uint64_t seq = 0;  // the frame's link sequence number (0: unsequenced)
};
// mutex/ledger -> network: a sequenced message for one peer, stamped by the mutex's clock.
struct PeerOut {
  NodeId to = 0;
  Lamport lamport = 0;
  PeerBody body;
  // The peer incarnation this was meant for (0: none known yet). The network drops it when
  // the peer has restarted since: the mutex re-sends what still matters to the new one.
  std::uint64_t to_inc = 0;
};
// network -> mutex (and mutex -> ledger for sync/block): a message delivered in FIFO order.
struct PeerIn {
  NodeId from = 0;
  Lamport lamport = 0;
  PeerBody body;
};
// network -> mutex: a session with a peer is up (restarted: a new incarnation replaced an
// old one, whose requests are gone) or down (silent past the timeout).
struct LinkUp {
  NodeId peer = 0;
  Lamport lamport = 0;
  bool restarted = false;
  std::uint64_t height = 0;       // the peer's chain height, from its hello
  std::uint64_t incarnation = 0;  // the peer's incarnation this session talks to
  std::string head = {};          // the hash of the peer's block `height`, from its hello
  // The frame behind it was addressed to our incarnation: the peer sent it after it knew
  // us, so `lamport` is above every stamp it had seen from our earlier incarnations. Only
  // such a LinkUp greets: a restarted node stamps no request before every peer has.
  bool greeting = true;
};
struct LinkDown {
  NodeId peer = 0;
};
// network -> mutex: a peer's link is refused (its genesis differs: another config).
struct LinkRefused {
  NodeId peer = 0;
  std::string why;
};
// mutex -> ledger: a peer's chain height; the ledger catches up to it before it lets the
// bank append.
struct PeerHeight {
  NodeId peer = 0;
  std::uint64_t height = 0;
  bool restarted = false;  // from a new incarnation's hello: forget what we asked the old one
  // From a request or a reply rather than a hello: the blocks behind it are most likely on
  // their way in a release on another link, so the ledger waits a tick before it asks.
  bool hint = false;
  // From a hello: the hash of the peer's block `height`, which the ledger compares with its
  // own block there (now, or once it holds that block). Empty otherwise.
  std::string head = {};
};
// ledger -> mutex -> network: our chain height and head, announced in hellos.
struct LocalHeight {
  std::uint64_t height = 0;
  std::string head = {};
};
// ledger -> mutex and ledger -> bank: our chain and a peer's hold different blocks at an
// index (Divergence: the peer and the lowest index where the ledger saw them differ). The
// mutex stops applying that peer's messages, sending it any and counting it toward entry;
// the bank refuses new transfers. It lasts as long as this incarnation: an operator repairs
// the data and restarts.
struct Diverged {
  Divergence divergence;
};
// bank -> ledger -> mutex: want / give up the critical section. They pass the ledger so that
// they stay in order with the bank's Stage and Unstage (one pipe).
struct Acquire {};
struct Withdraw {};
// bank -> ledger: a transfer for our next critical section. The ledger keeps them in order
// and, when granted, appends up to `batch` of them where the grant lands: no hop to the
// bank and back inside the critical section.
struct Stage {
  Tx tx;
};
// bank -> ledger: staged transfers the bank has answered `timeout`: never to be appended.
struct Unstage {
  std::vector<std::string> txids;
};
// mutex -> ledger: the critical section is ours.
struct Granted {
  Stamp req;
  Lamport lamport = 0;
};
// mutex -> ledger -> bank: our request was withdrawn; `silent` are the peers we waited for.
// `unreachable`: not even asked for, since `silent` are peers known down (silent past the
// failure-detection time, or refused): every entry needs their reply, so the bank answers
// every pending transfer at once instead of after its timeout.
struct Withdrawn {
  std::vector<NodeId> silent;
  bool unreachable = false;
};
// mutex -> ledger: blocks a peer appended inside its critical section, in entry order.
struct ApplyBlocks {
  NodeId from = 0;
  Lamport lamport = 0;
  std::vector<Block> blocks;
};
// ledger -> mutex: leave the critical section, carrying the blocks appended inside it.
struct Release {
  Stamp req;
  std::vector<Block> blocks;
};
struct Aborted {
  std::string txid;
  std::string reason;
};
// ledger -> bank: blocks appended (own or a peer's) and own transfers refused for funds.
// `own_exit` marks the end of our critical section.
struct Committed {
  std::vector<Block> blocks;
  std::vector<Aborted> aborted;
  bool own_exit = false;
};
// Console queries that need another actor's state; they are answered straight to the console.
struct ChainQuery {
  std::uint64_t client = 0;
  ChainCmd cmd;
};
struct VerifyQuery {
  std::uint64_t client = 0;
};
// ledger -> ledger: check the next slice of the verification under way. The ledger sends it
// to itself, and an actor thread takes a message to oneself only after it has polled its
// sockets again, so a verify of millions of blocks leaves room between slices for the
// links, the critical section and the console.
struct VerifySlice {};
// bank -> ledger: a transfer whose txid may have been committed before, with the blocks
// that may hold it (TxidMemory keeps only a key per txid). The ledger answers the earlier
// outcome to the console if one of them is that transfer, else hands it back as a miss.
struct Recall {
  std::uint64_t client = 0;
  TransferCmd cmd;  // its txid is set
  std::vector<std::uint64_t> candidates;
};
// ledger -> bank: none of the candidates was it. The bank looks again (a transfer with this
// txid may have been committed or staged meanwhile) before it takes it as new.
struct RecallMiss {
  std::uint64_t client = 0;
  TransferCmd cmd;
  std::vector<std::uint64_t> checked;
};
// bank -> mutex -> ledger -> console: each adds its part of the status.
struct StatusQuery {
  std::uint64_t client = 0;
  StatusReply reply;
};
// bank -> ledger -> mutex -> network -> console: each core adds its figures to the reply
// (docs/console-protocol.md#metrics); the bank shell adds the log's bytes on the way out.
struct MetricsQuery {
  std::uint64_t client = 0;
  MetricsReply reply;
};
// bank -> console: a page of the event feed. The feed is kept beside the log, outside the
// cores (runtime/event_feed.hpp), so the bank shell reads it and answers.
struct EventsQuery {
  std::uint64_t client = 0;
  EventsCmd cmd;
};
// bank shell -> bank: a console request that does not decode (`error` says why); the bank
// answers it `rejected`, as it does every other refusal, and counts it.
struct ConsoleUnreadable {
  std::uint64_t client = 0;
  std::string error;
};
// shell -> bank and bank/ledger -> console.
struct ConsoleIn {
  ConsoleIn(std::uint64_t c, ConsoleRequest r, std::optional<NodeId> who = std::nullopt)
      : client(c), request(std::move(r)), caller(who) {}
  std::uint64_t client = 0;
  ConsoleRequest request;
  // The account whose client key sent it (security on): only its own node's console lets
  // it move money. nullopt with security off, where every console may do everything.
  std::optional<NodeId> caller;
};
struct ConsoleOut {
  std::uint64_t client = 0;
  ConsoleReply reply;
};
// any actor -> log: one structured log event (docs/file-formats.md#structured-log); the shell adds ts and node.
struct LogOut {
  std::string event;
  Lamport lamport = 0;
  nlohmann::json fields;
  // send/recv: the peer message as one line of JSON text, written verbatim as the "msg"
  // field (it is the frame itself: encoded once, not again for the log).
  std::string msg = {};
  // Instead of `fields`, for the events written per block or per peer message (commit,
  // send, recv): the same members as JSON text, as fields.dump() prints them between its
  // braces ("amount":400,"from":1,...). Building a JSON object to dump it cost more.
  std::string members = {};
  // send/recv of link upkeep (heartbeats and acks): in the log only with `log: all`.
  bool upkeep = false;
  // send/recv: the event feed (runtime/event_feed.hpp) keeps the mutex's messages (request,
  // reply, release) and no other; `brief`, when set, is the message as the feed shows it
  // instead of `msg`: a release with its blocks replaced by their number.
  bool feed = false;
  std::string brief = {};
};
// shell -> any actor: time passes. Cores never read a clock; this is how they learn `now`.
struct Tick {
  std::int64_t now_ms = 0;
};

using BusMessage = std::variant<WireIn, WireOut, PeerOut, PeerIn, LinkUp, LinkDown, LinkRefused, PeerHeight, LocalHeight, Diverged, Acquire, Withdraw, Granted,
                                Withdrawn, Stage, Unstage, ApplyBlocks, Release, Committed, ChainQuery, VerifyQuery, VerifySlice,
                                Recall, RecallMiss, StatusQuery, MetricsQuery, EventsQuery, ConsoleIn, ConsoleUnreadable,
                                ConsoleOut, LogOut, Tick>;

// A core's output names its destination: the same type may go to different actors
// (a grant is forwarded mutex -> ledger -> bank).
struct Addressed {
  Actor to;
  BusMessage msg;
};
using Outbox = std::vector<Addressed>;

}  // namespace bank

// End to end: bad console input gets its refusal, junk on the peer port is logged and
// dropped, and the node keeps serving through all of it.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <zmq_addon.hpp>

#include "cluster_harness.hpp"

using bank::e2e::ClusterHarness;
using nlohmann::json;

namespace {

void expect_serving(ClusterHarness& c) {
  auto r = c.ask(1, {{"cmd", "transfer"}, {"to", 2}, {"amount", 1}});
  REQUIRE(r);
  CHECK((*r)["status"] == "committed");
}

}  // namespace

TEST_CASE("e2e: every bad console request is rejected with a sentence and changes nothing") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  const std::vector<std::string> bad{
      "",
      "not json",
      "{\"cmd\":\"transfer\",\"to\":2,\"amount\":400",
      "[1,2,3]",
      "\"transfer\"",
      "42",
      "{}",
      "{\"cmd\":\"fly\"}",
      "{\"cmd\":7}",
      "{\"cmd\":\"transfer\"}",
      "{\"cmd\":\"transfer\",\"to\":2}",
      "{\"cmd\":\"transfer\",\"amount\":400}",
      "{\"cmd\":\"transfer\",\"to\":2,\"amount\":0}",
      "{\"cmd\":\"transfer\",\"to\":2,\"amount\":-5}",
      "{\"cmd\":\"transfer\",\"to\":2,\"amount\":4.5}",
      "{\"cmd\":\"transfer\",\"to\":2,\"amount\":\"400\"}",
      "{\"cmd\":\"transfer\",\"to\":2,\"amount\":1e400}",
      "{\"cmd\":\"transfer\",\"to\":2,\"amount\":18446744073709551616}",
      "{\"cmd\":\"transfer\",\"to\":\"2\",\"amount\":400}",
      "{\"cmd\":\"transfer\",\"to\":0,\"amount\":400}",
      "{\"cmd\":\"transfer\",\"to\":9,\"amount\":400}",
      "{\"cmd\":\"transfer\",\"to\":1,\"amount\":400}",
      "{\"cmd\":\"transfer\",\"to\":2,\"amount\":400,\"txid\":\"" + std::string(65, 'x') + "\"}",
      "{\"cmd\":\"transfer\",\"to\":2,\"amount\":400,\"txid\":\"\"}",
      "{\"cmd\":\"transfer\",\"to\":2,\"amount\":400,\"txid\":5}",
      "{\"cmd\":\"transfer\",\"to\":2,\"amount\":400,\"memo\":\"hi\"}",
      "{\"cmd\":\"balance\",\"id\":9}",
      "{\"cmd\":\"balance\",\"id\":\"x\"}",
      "{\"cmd\":\"chain\",\"from\":-1}",
      "{\"cmd\":\"chain\",\"limit\":0}",
      "{\"cmd\":\"status\",\"verbose\":true}",
      "{\"cmd\":\"transfer\",\"to\":2,\"amount\":400}   trailing",
      std::string("{\"cmd\":\"verify\"}\0", 17),
      "\xff\xfe{\"cmd\":\"status\"}",
      "{\"cmd\":\"transfer\",\"to\":2,\"amount\":400,\"txid\":\"caf\xc3\xa9\"}",
      std::string(100000, '['),
      std::string(70000, ' ') + "{\"cmd\":\"status\"}",
  };
  for (const auto& b : bad) {
    auto r = c.ask_raw(1, b, std::chrono::seconds(5));
    REQUIRE_MESSAGE(r, "no reply to " << b.substr(0, 80));
    CHECK_MESSAGE((*r)["ok"] == false, b.substr(0, 80));
    CHECK_MESSAGE((*r)["status"] == "rejected", b.substr(0, 80));
    CHECK_MESSAGE(!(*r)["error"].get<std::string>().empty(), b.substr(0, 80));
  }
  auto chain = c.ask(1, {{"cmd", "chain"}});
  REQUIRE(chain);
  CHECK((*chain)["blocks"].size() == 1);  // nothing appended by any of them
  expect_serving(c);
  c.stop_all();
  int errors = 0;
  for (const auto& e : c.log_events(1)) errors += e["event"] == "error";
  CHECK(errors >= static_cast<int>(bad.size()));
}

TEST_CASE("e2e: junk on the peer port is refused and the node keeps serving") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  zmq::context_t ctx(1);
  {
    // A DEALER with node 3's key (its files stolen) posing as node 2 and as an unknown
    // node, sending junk frames. (Without a known key nothing it sends would arrive.)
    zmq::socket_t fake = c.peer_dealer(ctx, 3, 1);
    for (std::string junk : {std::string("garbage"), std::string("{\"type\":\"request\"}"),
                             std::string("{\"type\":\"hello\",\"from\":99,\"lamport\":1,\"inc\":1,\"to_inc\":0,\"seq\":0,\"ack\":0,"
                                         "\"genesis\":\"" + std::string(64, 'a') + "\",\"head\":\"" + std::string(64, 'a') +
                                         "\",\"height\":0}"),
                             std::string("{\"type\":\"release\",\"from\":2,\"lamport\":999,\"inc\":1,\"to_inc\":1,\"seq\":1,\"ack\":0,"
                                         "\"req\":{\"ts\":1,\"node\":2},\"blocks\":[]}"),
                             std::string(1 << 20, 'x')})
      fake.send(zmq::buffer(junk), zmq::send_flags::none);
    std::array<zmq::const_buffer, 2> two{zmq::str_buffer("a"), zmq::str_buffer("b")};
    (void)zmq::send_multipart(fake, two);
  }
  {
    // Raw bytes that are not ZeroMQ at all.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(c.peer_port(1));
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    std::string noise(4096, '\x07');
    (void)!::write(fd, noise.data(), noise.size());
    ::close(fd);
  }
  expect_serving(c);
  auto s = c.ask(1, {{"cmd", "status"}});
  REQUIRE(s);
  for (const auto& p : (*s)["peers"]) CHECK(p["connected"] == true);
  c.wait_same_height();
  c.stop_all();
  int errors = 0;
  for (const auto& e : c.log_events(1)) errors += e["event"] == "error";
  CHECK(errors >= 5);
}

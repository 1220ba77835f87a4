// Replies as text for people: dollars where the node speaks cents, the tour's columns.
#include "apps/cli/reply_text.hpp"

#include <doctest/doctest.h>

using namespace bank;
using namespace bank::cli;

TEST_CASE("reply text: cents in a node's sentence are written as dollars") {
  CHECK(cents_as_dollars("account 1 holds 600 cents, less than the 4000 cents asked") ==
        "account 1 holds $6.00, less than the $40.00 asked");
  CHECK(cents_as_dollars("1 cent") == "$0.01");
  CHECK(cents_as_dollars("no answer in time from nodes 2 and 3") == "no answer in time from nodes 2 and 3");
  CHECK(cents_as_dollars("block 17 is 5 centsless") == "block 17 is 5 centsless");  // not the word cents
  CHECK(cents_as_dollars("x5 cents") == "x5 cents");                                // not a number of its own
  CHECK(cents_as_dollars("99999999999999999999999 cents") == "99999999999999999999999 cents");  // too big to be money
}

TEST_CASE("reply text: failures go to stderr in dollars, results to stdout") {
  auto aborted = reply_text(FailureReply{.status = "aborted",
                                         .error = "account 1 holds 600 cents, less than the 4000 cents asked",
                                         .txid = "1-2"});
  CHECK(aborted.out.empty());
  CHECK(aborted.error == "aborted: account 1 holds $6.00, less than the $40.00 asked\n");

  auto balances = reply_text(BalancesReply{.balances = {{1, 600}, {2, 1400}, {10, 5}}});
  CHECK(balances.error.empty());
  CHECK(balances.out == "node 1           $6.00\nnode 10          $0.05\nnode 2          $14.00\n");
  CHECK(reply_text(BalanceReply{.id = 2, .balance = 1400}).out == "node 2          $14.00\n");
  CHECK(reply_text(VerifyReply{.height = 7}).out == "chain verified: height 7\n");
  CHECK(dollars(450) == "$4.50");
  CHECK(dollars(-5) == "-$0.05");
}

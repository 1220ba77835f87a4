// TraceRenderer and TraceDocument: the SVG holds one element per message, section and
// commit run, escapes whatever the logs hold, and needs nothing from outside the file.
#include "apps/trace/trace_renderer.hpp"

#include <doctest/doctest.h>

#include "apps/trace/trace_document.hpp"
#include "trace_script.hpp"

using namespace bank;
using namespace bank::trace;
using bank::trace::unit::TraceScript;

namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("trace renderer: one element per message, critical section and commit run") {
  TraceScript s;
  s.entry(0, 1, {2, 3}, 10, 1, "1-1");
  s.entry(1000, 2, {1, 3}, 20, 2, "2-1");
  auto events = s.events();
  TraceDocument doc(events, nullptr, {});
  const std::string& svg = doc.svg();
  CHECK(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  CHECK(count(svg, "<g class=\"msg ") == 12);
  CHECK(count(svg, "<g class=\"msg request") == 4);
  CHECK(count(svg, "<g class=\"msg release") == 4);
  CHECK(count(svg, "<rect class=\"cs") == 2);
  CHECK(count(svg, "<text class=\"commit") == 6);
  CHECK(count(svg, ">batch 1</text>") == 2);
  CHECK(doc.arrows() == 12);
  CHECK(doc.sections() == 2);
  CHECK(doc.summary() == "3 nodes, 34 events, 2 critical sections, 12 messages");
}

TEST_CASE("trace renderer: a batch counts the transfers an entry decided, aborted ones too") {
  TraceScript s;
  s.enter(0, 1, {10, 1});
  s.commit(1, 1, 1, "1-1", 1, 2);
  s.commit(2, 1, 2, "1-2", 1, 2);
  s.line(3, 1, 0, "abort", {{"txid", "1-3"}, {"reason", "funds"}});
  s.exit(4, 1, {10, 1});
  auto events = s.events();
  TraceDocument doc(events, nullptr, {});
  CHECK(count(doc.svg(), ">batch 3 (1 aborted)</text>") == 1);
  CHECK(count(doc.svg(), "abort 1-3</text>") == 1);
}

TEST_CASE("trace renderer: text from the logs is escaped") {
  CHECK(TraceRenderer::escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;");
  CHECK(TraceRenderer::escape(std::string("x\x01y", 3)) == "x y");
  TraceScript s;
  s.enter(0, 1, {10, 1});
  s.commit(1, 1, 1, "<script>&", 1, 2);
  s.exit(2, 1, {10, 1});
  auto events = s.events();
  TraceDocument doc(events, nullptr, {});
  CHECK(doc.html().find("<script>") == std::string::npos);
  CHECK(doc.svg().find("#1 &lt;script&gt;&amp;") != std::string::npos);
}

TEST_CASE("trace renderer: the page needs nothing from outside itself") {
  TraceScript s;
  s.entry(0, 1, {2}, 10, 1, "1-1");
  auto events = s.events();
  TraceDocument doc(events, nullptr, {});
  const std::string html = doc.html();
  CHECK(html.starts_with("<!DOCTYPE html>"));
  for (const char* outside : {"src=", "href=", "@import", "url(http", "<link", "<script"})
    CHECK_MESSAGE(html.find(outside) == std::string::npos, outside);
}

TEST_CASE("trace renderer: the checker's findings head the page and mark the picture") {
  TraceScript s;
  s.enter(40, 1, {10, 1});
  s.exit(50, 1, {10, 1});
  s.enter(45, 2, {20, 2});
  s.exit(48, 2, {20, 2});
  auto events = s.events();
  auto report = TraceChecker::check(events);
  TraceDocument doc(events, &report, {});
  const std::string html = doc.html();
  CHECK(html.find("1 violation (1 overlap)") != std::string::npos);
  CHECK(html.find("<li>overlap: node 2 entered") != std::string::npos);
  CHECK(count(doc.svg(), "<rect class=\"cs marked\"") == 2);
}

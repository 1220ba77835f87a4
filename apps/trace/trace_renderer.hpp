// TraceRenderer: a TraceLayout as markup: an SVG that stands alone (its style inside, no
// fonts, scripts or files from anywhere: it opens offline and works as an image), and the
// HTML page around it with a heading, the run's figures, the checker's findings and a key.
// Every text from the logs is escaped: the SVG is well-formed XML whatever a txid holds.
// Hover shows each element's <title>: the event as logged, the message, the batch.
//
// Elements a script may count: each message is a <g class="msg TYPE">, each critical section
// a <rect class="cs">, each commit run a <text class="commit">.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "apps/trace/message_matcher.hpp"
#include "apps/trace/trace_checker.hpp"
#include "apps/trace/trace_event.hpp"
#include "apps/trace/trace_layout.hpp"

namespace bank::trace {

class TraceRenderer {
 public:
  struct Page {
    std::string title;               // the heading
    std::vector<std::string> facts;  // one line each under it
    const CheckReport* report = nullptr;  // the findings, when checked
  };

  static std::string svg(const TraceLayout& layout, const std::vector<TraceEvent>& events, const Matching& matching);
  static std::string html(const std::string& svg, const Page& page);

  // Text as XML character data or an attribute value.
  static std::string escape(std::string_view text);
};

}  // namespace bank::trace

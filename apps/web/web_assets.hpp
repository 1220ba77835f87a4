// The dashboard's files (apps/web/assets/), compiled into bank-web by cmake/embed_assets.cmake.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace bank::web {

// By file name: "index.html", "app.js", "style.css".
const std::map<std::string, std::string_view>& web_assets();

}  // namespace bank::web

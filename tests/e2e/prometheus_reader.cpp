// PrometheusReader: a line at a time, by hand, so every rule is checked where it applies.
#include "prometheus_reader.hpp"

#include <cmath>
#include <cstdlib>
#include <set>
#include <stdexcept>

namespace bank::e2e {

namespace {

bool name_start(char c, bool colon) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':'); }
bool name_char(char c, bool colon) { return name_start(c, colon) || (c >= '0' && c <= '9'); }

double parse_value(const std::string& v) {
  if (v == "+Inf") return INFINITY;
  if (v == "-Inf") return -INFINITY;
  if (v == "NaN") return NAN;
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || end != v.c_str() + v.size() || v.find_first_of("xXpP") != std::string::npos || v.find("inf") != std::string::npos ||
      v.find("nan") != std::string::npos)
    throw std::runtime_error("'" + v + "' is not a value");
  return d;
}

// The family a sample name belongs to: itself, or a histogram's without its suffix.
std::string family_of(const std::string& name, const std::map<std::string, PromFamily>& families) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s = suffix;
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      auto base = name.substr(0, name.size() - s.size());
      auto it = families.find(base);
      if (it != families.end() && (it->second.type == "histogram" || it->second.type == "summary")) return base;
    }
  }
  return name;
}

std::string series_key(const std::string& name, const std::map<std::string, std::string>& labels, const char* skip = "") {
  std::string k = name + "{";
  for (const auto& [n, v] : labels)
    if (n != skip) k += n + "=" + v + ",";
  return k + "}";
}

void check_histogram(const std::string& name, const PromFamily& f) {
  struct Series {
    std::vector<std::pair<double, double>> buckets;  // le, count in order
    bool sum = false, count = false;
    double count_value = 0;
  };
  std::map<std::string, Series> by_labels;
  for (const auto& s : f.samples) {
    auto& series = by_labels[series_key("", s.labels, "le")];
    if (s.name == name + "_bucket") {
      auto le = s.labels.find("le");
      if (le == s.labels.end()) throw std::runtime_error(name + "_bucket without an le label");
      series.buckets.emplace_back(parse_value(le->second), s.value);
    } else if (s.name == name + "_sum") {
      series.sum = true;
    } else if (s.name == name + "_count") {
      series.count = true;
      series.count_value = s.value;
    } else {
      throw std::runtime_error(s.name + " is not a sample of histogram " + name);
    }
  }
  for (const auto& [labels, s] : by_labels) {
    const std::string where = name + labels;
    if (!s.sum || !s.count) throw std::runtime_error(where + " lacks _sum or _count");
    if (s.buckets.empty() || !std::isinf(s.buckets.back().first)) throw std::runtime_error(where + " lacks its le=\"+Inf\" bucket");
    for (std::size_t i = 1; i < s.buckets.size(); ++i) {
      if (!(s.buckets[i].first > s.buckets[i - 1].first)) throw std::runtime_error(where + ": le does not rise");
      if (s.buckets[i].second < s.buckets[i - 1].second) throw std::runtime_error(where + ": bucket counts are not cumulative");
    }
    if (s.buckets.back().second != s.count_value) throw std::runtime_error(where + ": the +Inf bucket differs from _count");
  }
}

}  // namespace

std::map<std::string, PromFamily> PrometheusReader::read(std::string_view text) {
  std::map<std::string, PromFamily> families;
  std::set<std::string> finished, series, typed, helped;
  std::string current;
  if (!text.empty() && text.back() != '\n') throw std::runtime_error("the last line does not end with a newline");
  std::size_t number = 0;
  for (std::size_t at = 0; at < text.size();) {
    const auto end = text.find('\n', at);
    const std::string line(text.substr(at, end - at));
    at = end + 1;
    ++number;
    const std::string where = "line " + std::to_string(number) + " (" + line + "): ";
    auto enter = [&](const std::string& family) {
      if (family == current) return;
      if (finished.count(family) || (families.count(family) && !families[family].samples.empty()))
        throw std::runtime_error(where + "family " + family + " appears again after another one");
      if (!current.empty()) finished.insert(current);
      current = family;
    };
    if (line.empty()) continue;
    if (line[0] == '#') {
      const bool help = line.rfind("# HELP ", 0) == 0, type = line.rfind("# TYPE ", 0) == 0;
      if (!help && !type) continue;  // a comment
      const auto sp = line.find(' ', 7);
      const std::string name = line.substr(7, sp == std::string::npos ? std::string::npos : sp - 7);
      if (name.empty() || !name_start(name[0], true)) throw std::runtime_error(where + "bad metric name");
      for (char c : name)
        if (!name_char(c, true)) throw std::runtime_error(where + "bad metric name");
      const std::string rest = sp == std::string::npos ? "" : line.substr(sp + 1);
      enter(name);
      if (type) {
        if (!typed.insert(name).second) throw std::runtime_error(where + "a second TYPE");
        if (!families[name].samples.empty()) throw std::runtime_error(where + "TYPE after samples");
        static const std::set<std::string> types{"counter", "gauge", "histogram", "summary", "untyped"};
        if (!types.count(rest)) throw std::runtime_error(where + "unknown type");
        families[name].type = rest;
      } else {
        if (!helped.insert(name).second) throw std::runtime_error(where + "a second HELP");
        families[name].help = rest;
      }
      continue;
    }
    PromSample s;
    std::size_t i = 0;
    while (i < line.size() && name_char(line[i], true)) ++i;
    s.name = line.substr(0, i);
    if (s.name.empty() || !name_start(s.name[0], true)) throw std::runtime_error(where + "bad metric name");
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        std::size_t j = i;
        while (j < line.size() && name_char(line[j], false)) ++j;
        std::string label = line.substr(i, j - i);
        if (label.empty() || !name_start(label[0], false) || label.rfind("__", 0) == 0)
          throw std::runtime_error(where + "bad label name");
        if (j + 1 >= line.size() || line[j] != '=' || line[j + 1] != '"') throw std::runtime_error(where + "label without =\"");
        std::string value;
        for (j += 2;; ++j) {
          if (j >= line.size()) throw std::runtime_error(where + "unterminated label value");
          if (line[j] == '"') break;
          if (line[j] == '\\') {
            if (j + 1 >= line.size()) throw std::runtime_error(where + "bad escape");
            const char e = line[++j];
            if (e == 'n') value += '\n';
            else if (e == '\\' || e == '"') value += e;
            else throw std::runtime_error(where + "bad escape");
          } else {
            value += line[j];
          }
        }
        if (!s.labels.emplace(label, value).second) throw std::runtime_error(where + "label " + label + " twice");
        i = j + 1;
        if (i < line.size() && line[i] == ',') ++i;
        else if (i < line.size() && line[i] != '}') throw std::runtime_error(where + "labels not separated by ,");
      }
      if (i >= line.size()) throw std::runtime_error(where + "unterminated labels");
      ++i;
    }
    if (i >= line.size() || line[i] != ' ') throw std::runtime_error(where + "no single space before the value");
    ++i;
    const auto sp = line.find(' ', i);
    s.value = parse_value(line.substr(i, sp == std::string::npos ? std::string::npos : sp - i));
    if (sp != std::string::npos) {
      const std::string ts = line.substr(sp + 1);
      if (ts.empty() || ts.find_first_not_of("-0123456789") != std::string::npos) throw std::runtime_error(where + "bad timestamp");
    }
    const std::string family = family_of(s.name, families);
    enter(family);
    auto& f = families[family];
    if (f.type.empty()) f.type = "untyped";
    if (f.type == "counter" || f.type == "gauge" || f.type == "untyped")
      if (s.name != family) throw std::runtime_error(where + "sample of another name than its family");
    if (f.type == "counter" && !(s.value >= 0)) throw std::runtime_error(where + "a counter below 0");
    if (!series.insert(series_key(s.name, s.labels)).second) throw std::runtime_error(where + "the same series twice");
    f.samples.push_back(std::move(s));
  }
  for (const auto& [name, f] : families)
    if (f.type == "histogram") check_histogram(name, f);
  return families;
}

}  // namespace bank::e2e

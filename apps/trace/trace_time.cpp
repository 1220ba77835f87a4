// TraceTime: civil dates by Howard Hinnant's days-from-civil algorithm (no timegm, which
// reads the process's time zone state).
#include "apps/trace/trace_time.hpp"

#include <cstdio>
#include <string>

namespace bank::trace {

namespace {

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

// Reads exactly `n` digits at `pos`.
std::optional<unsigned> digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  unsigned v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return v;
}

// A plain decimal number ("2", "2.5", ".5") scaled by `unit_us`; nullopt if not one.
std::optional<std::int64_t> decimal_us(std::string_view s, std::int64_t unit_us) {
  if (s.empty()) return std::nullopt;
  std::int64_t whole = 0, frac = 0, scale = 1;
  bool dot = false, any = false;
  for (char c : s) {
    if (c == '.' && !dot) {
      dot = true;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    any = true;
    if (!dot) {
      if (whole > 1'000'000'000) return std::nullopt;  // beyond 30 years of seconds: a typo
      whole = whole * 10 + (c - '0');
    } else if (scale < 1'000'000) {
      frac = frac * 10 + (c - '0');
      scale *= 10;
    }
  }
  if (!any) return std::nullopt;
  return whole * unit_us + frac * unit_us / scale;
}

}  // namespace

std::optional<std::int64_t> TraceTime::parse(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS
  auto year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
  auto hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 || *second > 60)
    return std::nullopt;
  std::size_t pos = 19;
  std::int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t n = 0;
    std::int64_t scale = 100000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 6) micros += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++n;
    }
    if (n == 0 || n > 9) return std::nullopt;
  }
  std::int64_t zone_s = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    auto zh = digits(s, pos + 1, 2), zm = digits(s, pos + 4, 2);
    if (!zh || !zm || pos + 3 >= s.size() || s[pos + 3] != ':' || *zh > 23 || *zm > 59) return std::nullopt;
    zone_s = (s[pos] == '+' ? 1 : -1) * static_cast<std::int64_t>(*zh * 3600 + *zm * 60);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  const std::int64_t days = days_from_civil(*year, *month, *day);
  const std::int64_t secs = days * 86400 + *hour * 3600 + *minute * 60 + *second - zone_s;
  return secs * 1000000 + micros;
}

std::string TraceTime::format(std::int64_t us) {
  std::int64_t secs = us >= 0 ? us / 1000000 : (us - 999999) / 1000000;
  const std::int64_t micros = us - secs * 1000000;
  std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  std::int64_t rest = secs - days * 86400;
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ", static_cast<long long>(y), m, d,
                static_cast<long long>(rest / 3600), static_cast<long long>(rest / 60 % 60),
                static_cast<long long>(rest % 60), static_cast<long long>(micros));
  return buf;
}

std::optional<TraceTime::Bound> TraceTime::parse_bound(std::string_view s) {
  if (auto at = parse(s)) return Bound{false, *at};
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  std::int64_t unit = 1000000;
  if (s.ends_with("ms")) {
    unit = 1000;
    s.remove_suffix(2);
  } else if (s.ends_with("s")) {
    s.remove_suffix(1);
  }
  if (auto off = decimal_us(s, unit)) return Bound{true, *off};
  return std::nullopt;
}

std::string TraceTime::duration(std::int64_t us) {
  char buf[64];
  const std::int64_t a = us < 0 ? -us : us;
  const char* sign = us < 0 ? "-" : "";
  const double ms = static_cast<double>(a) / 1000, secs = ms / 1000;
  if (a < 1000)
    std::snprintf(buf, sizeof buf, "%s%lld us", sign, static_cast<long long>(a));
  else if (a < 1000000)
    std::snprintf(buf, sizeof buf, ms < 10 ? "%s%.2f ms" : ms < 100 ? "%s%.1f ms" : "%s%.0f ms", sign, ms);
  else if (a < 60000000)
    std::snprintf(buf, sizeof buf, secs < 10 ? "%s%.3f s" : "%s%.2f s", sign, secs);
  else
    std::snprintf(buf, sizeof buf, "%s%lld min %lld s", sign, static_cast<long long>(a / 60000000),
                  static_cast<long long>(a / 1000000 % 60));
  return buf;
}

std::string TraceTime::offset(std::int64_t us) {
  char buf[64];
  const char* sign = us < 0 ? "-" : "";
  const std::int64_t a = us < 0 ? -us : us;
  if (a < 1000000)
    std::snprintf(buf, sizeof buf, "%s%lld.%03lld ms", sign, static_cast<long long>(a / 1000),
                  static_cast<long long>(a % 1000));
  else
    std::snprintf(buf, sizeof buf, "%s%lld.%06lld s", sign, static_cast<long long>(a / 1000000),
                  static_cast<long long>(a % 1000000));
  return buf;
}

}  // namespace bank::trace

// grouped: a count for people, with thousands separators (1234567 -> "1,234,567").
// Below every bench file that prints a count, so none of them needs the report's header.
#pragma once

#include <string>

namespace bank::bench {

std::string grouped(long long n);

}  // namespace bank::bench

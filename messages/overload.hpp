// Overload: lambdas joined into one visitor for std::visit, one lambda per alternative.
#pragma once

namespace bank {

template <class... F>
struct Overload : F... {
  using F::operator()...;
};
// C++20 deduces this by itself, but Clang before 17 needs the guide spelled out.
template <class... F>
Overload(F...) -> Overload<F...>;

}  // namespace bank

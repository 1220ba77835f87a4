// Overload: lambdas joined into one visitor for std::visit, one lambda per alternative.
#pragma once

namespace bank {

template <class... F>
struct Overload : F... {
  using F::operator()...;
};

}  // namespace bank

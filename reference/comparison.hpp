// Judges another implementation's output against the reference's exact values: ulps, absolute error, worst elements.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "rotation.hpp"

namespace mmrope {

// One element of the judged output and how far it is from the exact value.
struct ElementError {
  std::size_t index = 0;
  int token = 0, head = 0, channel = 0;
  double got = 0, exact = 0;  // exact: the reference value rounded to double, for display
  double ulp = 0;             // |got - exact| in ulps of the dtype at the exact value
  double abs_error = 0;
};

struct ComparisonReport {
  std::size_t elements = 0;
  std::size_t over_bound = 0;  // elements with ulp > max_ulp
  double max_ulp_bound = 0;
  double max_ulp = 0, mean_ulp = 0;
  double max_abs = 0, mean_abs = 0;
  std::vector<ElementError> worst;  // largest ulp error first
  // An output of zeros where the reference has non-zero values is a classic harness bug (the kernel
  // never ran, or wrote elsewhere); it fails whatever the ulp bound says.
  bool all_zero_output = false;

  bool passed() const { return over_bound == 0 && !all_zero_output; }
};

// Compares `got` (bit patterns of reference.dtype, in the reference's [tokens, heads, head_dim] order)
// with the exact values. NaN or infinity where the exact value is finite counts as infinitely far.
template <class S>
ComparisonReport compare(const RotatedTensor<S>& reference, const std::vector<std::uint32_t>& got, double max_ulp,
                         std::size_t worst_count = 10) {
  if (got.size() != reference.exact.size())
    throw Error("the judged output has " + std::to_string(got.size()) + " values, the reference " +
                std::to_string(reference.exact.size()));
  ComparisonReport r;
  r.elements = got.size();
  r.max_ulp_bound = max_ulp;
  bool output_all_zero = true, reference_all_zero = true;
  std::vector<ElementError> errors;
  errors.reserve(got.size());
  double sum_ulp = 0, sum_abs = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    ElementError e;
    e.index = i;
    const std::size_t per_token = static_cast<std::size_t>(reference.shape.heads) * reference.shape.head_dim;
    e.token = static_cast<int>(i / per_token);
    e.head = static_cast<int>((i % per_token) / reference.shape.head_dim);
    e.channel = static_cast<int>(i % reference.shape.head_dim);
    e.got = decode_bits(got[i], reference.dtype);
    e.exact = to_double(reference.exact[i]);
    e.ulp = ulp_error(reference.exact[i], got[i], reference.dtype);
    using std::abs;
    e.abs_error = std::isfinite(e.got) ? to_double(S(abs(S(e.got) - reference.exact[i])))
                                       : std::numeric_limits<double>::infinity();
    output_all_zero = output_all_zero && e.got == 0;
    reference_all_zero = reference_all_zero && reference.exact[i] == 0;
    if (e.ulp > max_ulp) ++r.over_bound;
    r.max_ulp = std::max(r.max_ulp, e.ulp);
    r.max_abs = std::max(r.max_abs, e.abs_error);
    sum_ulp += e.ulp;
    sum_abs += e.abs_error;
    errors.push_back(e);
  }
  if (!got.empty()) {
    r.mean_ulp = sum_ulp / static_cast<double>(got.size());
    r.mean_abs = sum_abs / static_cast<double>(got.size());
  }
  r.all_zero_output = output_all_zero && !reference_all_zero;
  const std::size_t keep = std::min(worst_count, errors.size());
  std::partial_sort(errors.begin(), errors.begin() + static_cast<std::ptrdiff_t>(keep), errors.end(),
                    [](const ElementError& a, const ElementError& b) {
                      return a.ulp != b.ulp ? a.ulp > b.ulp : a.index < b.index;  // ties: first element first
                    });
  errors.resize(keep);
  r.worst = std::move(errors);
  return r;
}

}  // namespace mmrope

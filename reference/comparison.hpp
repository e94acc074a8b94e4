// What the judge reports of another implementation's output: ulps, absolute error, worst elements, the all-zero guard.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

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
  std::uint64_t fallback_elements = 0;     // the judge's fast path: elements its bound could not decide
  std::uint64_t beyond_element_bound = 0;  // with a kernel's element bound: elements over it (failures)

  bool passed() const { return over_bound == 0 && !all_zero_output; }
};

}  // namespace mmrope

// The kernel tests' oracle: a case's outputs judged by the exact reference, read through the case's own
// description (sequences, strides, positions, the reference's conversions), sharing nothing with kernels/core.
#pragma once

#include <cstdint>
#include <string>

#include "reference/comparison.hpp"

namespace mmrope::kernels::testing {

struct KernelCaseData;

// One of q or k. Every element is held to 0.5 ulp plus its derived double-precision term
// (kernels/host/error_bound.hpp's element_bound_ulps): far below 0.5 ulp unless the output cancels.
struct OracleTensorVerdict {
  bool present = false;
  ComparisonReport report;                   // max_ulp 0.5, elements over it held to their own bound
  std::uint64_t beyond_bound = 0;            // elements past 0.5 ulp + their term: failures
  std::uint64_t exact_arithmetic_misses = 0; // bits other than the exact rounding's at a token whose angles
                                             // are all 0 with a short attention factor, where the kernel's
                                             // double arithmetic is exact: failures
  bool passed() const { return !present || (beyond_bound == 0 && exact_arithmetic_misses == 0 && !report.all_zero_output); }
};

struct OracleVerdict {
  OracleTensorVerdict q, k;
  std::uint64_t stray_writes = 0;     // elements outside the q and k views that changed (gaps, v, the sentinel)
  std::uint64_t inputs_changed = 0;   // out of place: input elements that changed
  bool passed() const { return q.passed() && k.passed() && stray_writes == 0 && inputs_changed == 0; }
  double max_ulp() const;
  std::uint64_t elements() const { return q.report.elements + k.report.elements; }
  std::string describe() const;       // the failures and the worst elements
};

// Judges the launch's outputs (the result buffers, or the input buffers when in place) against the
// reference applied to the case's original inputs at its expected positions.
OracleVerdict judge_with_oracle(const KernelCaseData& data, unsigned threads = 0);  // threads 0: every core

// True when a * x is exact in double for every fp32 x: a's significand fits 53 - 24 = 29 bits.
bool exact_in_double_with_any_float(double a);

}  // namespace mmrope::kernels::testing

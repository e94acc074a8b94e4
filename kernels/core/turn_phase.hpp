// The phase of (position, pair) in turns, reduced mod 1 exactly enough for every position below 2^32.
#pragma once

#include <cmath>
#include <cstdint>

#include "host_device.hpp"

namespace mmrope::kernels {

// A pair's frequency in turns per position, f = theta_j / (2 pi) (scaling included), split into three doubles
// f = high + middle + low. high and middle carry at most 21 significant bits each, so position * high and
// position * middle are exact in double for |position| < 2^32 (32 + 21 bits <= 53). low is the rest,
// |low| <= 2^-42 |f|. Built on the host from the exact value (kernels/host/kernel_frequency_table.hpp).
struct TurnFrequency {
  double high = 0;
  double middle = 0;
  double low = 0;
};

// The fractional part of a double that is an exact product, to [-1/2, 1/2]: exact, since it keeps a subset
// of the product's bits (rint is exact, and the difference of two nearby doubles on the same grid is exact).
MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE double centered_fraction(double x) { return x - rint(x); }

// position * f mod 1, in [-1/2, 1/2]. Error (docs/error-model.md): at most 2^-53 + 2^-54 turns plus
// |position| * 2^-95 |f| for the representation of f, i.e. about 2^-52.4 turns for |position| < 2^32.
// A plain fp32 position * inv_freq is off by up to 2^-24 * |position * f| turns: 0.01 turn at 10^6.
MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE double reduced_turns(std::int64_t position, const TurnFrequency& f) {
  const double p = static_cast<double>(position);  // exact for |position| <= 2^53
  const double whole_high = centered_fraction(p * f.high);      // exact product, exact reduction
  const double whole_middle = centered_fraction(p * f.middle);  // exact product, exact reduction
  const double sum = whole_high + whole_middle;                 // |sum| <= 1: error <= 2^-54
  const double turns = sum + p * f.low;                         // |p * low| <= 2^-10 |f|: error <= 2^-53
  return centered_fraction(turns);                              // exact
}

}  // namespace mmrope::kernels

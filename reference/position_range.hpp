// The positions the reference is proven exact for, |p| <= 2^63 - 1, and the check that refuses the rest.
#pragma once

#include <string>
#include <string_view>

#include "error.hpp"
#include "exact.hpp"

namespace mmrope {

// Why this range: the rotation forms the angle p * theta_j in MPFR at 336 bits, theta_j <= 1 for every
// allocation and scaling (base > 1, factors >= 1), so the angle's absolute error is below
// |p| * 2^-335 -- under 2^-272 for |p| < 2^63, far below what a final rounding to fp32, fp16 or bf16 can see.
// At |p| = 1e95 (2^315) the same error is 2^-20 radians, and results are wrong with no warning.
// The bound is the int64 range because every position must also be storable as int64 (Coordinate::fits_int64).
inline constexpr std::string_view kReferencePositionRange = "|p| <= 2^63 - 1";

// Throws Error "WHERE: position VALUE is outside the range the reference is exact for (|p| <= 2^63 - 1)".
inline void check_reference_position(const Coordinate& p, std::string_view where) {
  if (p.fits_int64()) return;
  throw Error(std::string(where) + ": position " + quoted_prefix(p.to_string()) +
              " is outside the range the reference is exact for (" + std::string(kReferencePositionRange) + ")");
}

}  // namespace mmrope

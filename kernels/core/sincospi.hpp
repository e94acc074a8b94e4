// cos and sin of 2 pi r for a reduced turn count r, by an exact quarter-turn reduction and Taylor polynomials.
#pragma once

#include <cmath>

#include "host_device.hpp"
#include "reference/vocabulary.hpp"

namespace mmrope::kernels {

using CosSin = ::mmrope::CosSin<double>;  // the vocabulary's, in double

namespace detail {

// sin(pi v) and cos(pi v) for |v| <= 1/4 (|pi v| <= pi/4): Taylor series to v^15 and v^16, coefficients
// (-1)^k pi^(2k+1)/(2k+1)! and (-1)^k pi^(2k)/(2k)! rounded to double (written in hex so every compiler
// reads the same bits). Truncation: (pi/4)^17/17! < 2^-54 and (pi/4)^18/18! < 2^-58. Plain multiplies and
// adds, in an order nvcc must not contract (kernels build with --fmad=false): host and GPU agree bit for bit.
MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE double sin_pi_quarter(double v) {
  const double v2 = v * v;
  double p = -0x1.6fadb9f155744p-16;
  p = p * v2 + 0x1.e8f434d018d63p-12;
  p = p * v2 + -0x1.e3074fde8871fp-8;
  p = p * v2 + 0x1.50783487ee782p-4;
  p = p * v2 + -0x1.32d2cce62bd86p-1;
  p = p * v2 + 0x1.466bc6775aae2p+1;
  p = p * v2 + -0x1.4abbce625be53p+2;
  p = p * v2;
  return v * 0x1.921fb54442d18p+1 + v * p;  // pi v + v * (tail): the large term rounded once
}

MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE double cos_pi_quarter(double v) {
  const double v2 = v * v;
  double p = 0x1.20c62c2f2d7f5p-18;
  p = p * v2 + -0x1.b6e24f44b128fp-14;
  p = p * v2 + 0x1.f9d38a3763cc3p-10;
  p = p * v2 + -0x1.a6d1f2a204a8cp-6;
  p = p * v2 + 0x1.e1f506891babbp-3;
  p = p * v2 + -0x1.55d3c7e3cbffap+0;
  p = p * v2 + 0x1.03c1f081b5ac4p+2;
  p = p * v2 + -0x1.3bd3cc9be45dep+2;
  return 1.0 + p * v2;
}

}  // namespace detail

// cos and sin of 2 pi r for r in [-1/2, 1/2] (a reduced_turns result). s = 2r is exact; the quadrant
// q = rint(2s) and v = s - q/2 in [-1/4, 1/4] are exact too, so the only errors are the polynomials'.
MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE CosSin cos_sin_of_turns(double r) {
  const double s = 2.0 * r;                 // half-turns
  const double quadrant = rint(2.0 * s);    // in {-2, ..., 2}
  const double v = s - 0.5 * quadrant;      // exact
  const double sv = detail::sin_pi_quarter(v), cv = detail::cos_pi_quarter(v);
  const int q = static_cast<int>(quadrant) & 3;  // two's complement: -1 -> 3, -2 -> 2
  switch (q) {
    case 0: return {cv, sv};
    case 1: return {-sv, cv};    // angle + pi/2
    case 2: return {-cv, -sv};   // angle + pi
    default: return {sv, -cv};   // angle - pi/2
  }
}

}  // namespace mmrope::kernels

// The scalar types the reference computes in (MPFR 256+ bits, header-only cpp_bin_float, double) and conversions into them.
#pragma once

#include <boost/math/constants/constants.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>
#include <boost/multiprecision/mpfr.hpp>

#include <cmath>
#include <string>
#include <string_view>
#include <type_traits>

#include "exact.hpp"

namespace mmrope {

// The default reference scalar: MPFR with 100 decimal digits (about 336 bits, well past the 256 the large-angle reductions need).
// MPFR rounds sin, cos, pow, exp and log correctly, so the only error is the working precision.
// allocate_stack: the limbs live in the object, so temporaries do not call malloc (3x faster arithmetic).
using Mpfr256 = bmp::number<bmp::mpfr_float_backend<100, bmp::allocate_stack>, bmp::et_off>;

// The header-only cross-check. Boost 1.74 reduces sin/cos arguments modulo pi at working precision
// (detail/functions/trig.hpp), losing about log10(|angle|) digits: an angle of 2^31 rad costs 10 digits.
// 120 digits leave > 100 correct digits there, which is still finer than Mpfr256's own 100 digits.
using BinFloat256 = bmp::number<bmp::cpp_bin_float<120>, bmp::et_off>;

// Digits each scalar is trusted to after the operations of the reference (pow, sin/cos of angles < 2^63):
// used by tests to state how closely two scalars must agree. double: 53-bit arithmetic, but sin/cos of a
// large angle computed in double lose log2(angle) bits, so no bound is claimed for double beyond that.
template <class S>
inline constexpr int scalar_binary_digits = std::numeric_limits<S>::digits;

template <class S>
inline constexpr bool is_multiprecision_v = bmp::is_number<S>::value;

// pi in S, correctly rounded (Boost.Math constants are computed at the precision of S).
template <class S>
S pi_of() {
  if constexpr (std::is_same_v<S, double>) return boost::math::constants::pi<double>();
  else return boost::math::constants::pi<S>();
}

// A BigInt in S. For multiprecision types the integer is converted exactly when it fits the precision and
// rounded once otherwise; for double the conversion goes through Mpfr256 so it rounds once (to nearest).
template <class S>
S big_to_scalar(const BigInt& v) {
  if constexpr (std::is_same_v<S, double>) return static_cast<double>(Mpfr256(v));
  else return S(v);
}

// An exact rational in S: num/den, one rounding in S for the multiprecision types (both conversions
// are exact for integers below 2^330, then one correctly rounded division). For double the quotient is
// formed in Mpfr256 first and then rounded to double (the 336-bit intermediate makes double rounding
// affect only values within 2^-283 relative of a double midpoint).
template <class S>
S rational_to_scalar(const Rational& q) {
  if constexpr (std::is_same_v<S, double>) {
    return static_cast<double>(rational_to_scalar<Mpfr256>(q));
  } else {
    return S(bmp::numerator(q)) / S(bmp::denominator(q));
  }
}

// A Coordinate in S: exact rationals from the rational, irrational coordinates from their Real
// (80 digits: the irrational designs are only defined to that precision).
template <class S>
S to_scalar(const Coordinate& c) {
  if (c.is_exact()) return rational_to_scalar<S>(c.exact());
  const Real r = c.to_real();
  if constexpr (std::is_same_v<S, double>) return static_cast<double>(r);
  else return S(r);
}

// Exact decimal text ("1000000", "0.25", "1/3") in S, via the exact rational; throws on anything else.
template <class S>
S parse_scalar(std::string_view text, std::string_view what) {
  auto q = parse_rational(text);
  if (!q) throw Error(std::string(what) + ": " + quoted_prefix(text) + " is not an exact decimal or fraction");
  return rational_to_scalar<S>(*q);
}

// A scalar as a double (rounded once to nearest for the multiprecision types).
template <class S>
double to_double(const S& x) {
  if constexpr (std::is_same_v<S, double>) return x;
  else return static_cast<double>(x);
}

// The name of a scalar type, for messages and test names.
template <class S>
constexpr std::string_view scalar_name() {
  if constexpr (std::is_same_v<S, Mpfr256>) return "mpfr256";
  else if constexpr (std::is_same_v<S, BinFloat256>) return "binfloat256";
  else if constexpr (std::is_same_v<S, double>) return "double";
  else return "scalar";
}

}  // namespace mmrope

// Double-double numbers (hi + lo, about 106 bits) with the error-free transforms and proven error bounds the judge's fast path uses.
#pragma once

#include <cmath>

namespace mmrope::judge {

// hi + lo with |lo| <= ulp(hi) / 2. u = 2^-53 below: the unit roundoff of double.
struct DoubleDouble {
  double hi = 0;
  double lo = 0;
  double approx() const { return hi + lo; }
};

// a + b = s + e exactly (Knuth), for any finite doubles whose sum does not overflow.
inline DoubleDouble two_sum(double a, double b) {
  const double s = a + b;
  const double bb = s - a;
  const double e = (a - (s - bb)) + (b - bb);
  return {s, e};
}

// a + b = s + e exactly when |a| >= |b| or a == 0 (Dekker).
inline DoubleDouble fast_two_sum(double a, double b) {
  const double s = a + b;
  return {s, b - (s - a)};
}

// a * b = p + e exactly (one fused multiply-add), unless the product underflows below 2^-969 or overflows.
inline DoubleDouble two_prod(double a, double b) {
  const double p = a * b;
  return {p, std::fma(a, b, -p)};
}

// x * y for a double y, relative error <= 2u^2 (Joldes, Muller, Popescu 2017, "DWTimesFP3", Theorem 3).
inline DoubleDouble times(const DoubleDouble& x, double y) {
  const DoubleDouble c = two_prod(x.hi, y);
  const double cl3 = std::fma(x.lo, y, c.lo);
  return fast_two_sum(c.hi, cl3);
}

// x * y, relative error <= 4u^2 (ibid., "DWTimesDW3", Theorem 7: 4u^2 for u <= 2^-4).
inline DoubleDouble times(const DoubleDouble& x, const DoubleDouble& y) {
  const DoubleDouble c = two_prod(x.hi, y.hi);
  const double tl0 = x.lo * y.lo;
  const double tl1 = std::fma(x.hi, y.lo, tl0);
  const double cl2 = std::fma(x.lo, y.hi, tl1);
  const double cl3 = c.lo + cl2;
  return fast_two_sum(c.hi, cl3);
}

// x + y, relative error <= 3u^2 + 13u^3 of |x + y| (ibid., "AccurateDWPlusDW", Theorem 5): accurate even
// when x and y cancel, which is why the rotation's difference of products uses it.
inline DoubleDouble plus(const DoubleDouble& x, const DoubleDouble& y) {
  const DoubleDouble s = two_sum(x.hi, y.hi);
  const DoubleDouble t = two_sum(x.lo, y.lo);
  const double c = s.lo + t.hi;
  const DoubleDouble v = fast_two_sum(s.hi, c);
  const double w = t.lo + v.lo;
  return fast_two_sum(v.hi, w);
}

inline DoubleDouble negated(const DoubleDouble& x) { return {-x.hi, -x.lo}; }

}  // namespace mmrope::judge

// Exact numbers for positions: rationals, the high-precision real, and a coordinate that is one or the other.
#pragma once

#include <boost/multiprecision/cpp_int.hpp>
#include <boost/multiprecision/mpfr.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "error.hpp"

namespace mmrope {

namespace bmp = boost::multiprecision;

// Unbounded exact rational: positions are computed here so nothing can overflow mid-computation;
// the int64 range is checked once a position is final.
using Rational = bmp::number<bmp::cpp_rational_backend, bmp::et_off>;
using BigInt = bmp::number<bmp::cpp_int_backend<>, bmp::et_off>;

// The high-precision real for designs that are irrational by nature (CircleRoPE):
// MPFR, 80 decimal digits (about 266 bits), correctly rounded elementary functions.
using Real = bmp::number<bmp::mpfr_float_backend<80>, bmp::et_off>;

inline const BigInt& int64_max_big() {
  static const BigInt v = BigInt(INT64_MAX);
  return v;
}

// floor and ceil of a rational, exactly.
inline BigInt floor_of(const Rational& q) {
  BigInt n = bmp::numerator(q), d = bmp::denominator(q);  // d > 0
  BigInt r = n / d;                                        // truncates toward zero
  if (n < 0 && r * d != n) r -= 1;
  return r;
}
inline BigInt ceil_of(const Rational& q) { return -floor_of(-q); }
inline bool is_integer(const Rational& q) { return bmp::denominator(q) == 1; }

// A position coordinate: an exact rational, or (only for irrational designs) a high-precision real.
class Coordinate {
 public:
  Coordinate() = default;
  Coordinate(std::int64_t v) : exact_(v) {}  // NOLINT(google-explicit-constructor): integers are coordinates
  Coordinate(Rational v) : exact_(std::move(v)) {}  // NOLINT
  static Coordinate irrational(Real v) {
    Coordinate c;
    c.real_ = std::move(v);
    return c;
  }

  bool is_exact() const { return !real_.has_value(); }
  const Rational& exact() const { return exact_; }  // meaningful only when is_exact()
  Real to_real() const {
    if (real_) return *real_;
    return Real(bmp::numerator(exact_)) / Real(bmp::denominator(exact_));
  }
  bool is_integer_value() const { return is_exact() && is_integer(exact_); }

  // The value as int64; throws if it is not an integer in range.
  std::int64_t to_int64() const {
    if (!is_integer_value() || bmp::abs(bmp::numerator(exact_)) > int64_max_big())
      throw Error("coordinate " + to_string() + " is not an int64 integer");
    return static_cast<std::int64_t>(bmp::numerator(exact_));
  }

  // |value| <= INT64_MAX: every position must be storable as int64 by kernels and files.
  bool fits_int64() const {
    if (is_exact()) {  // |n / d| <= M  <=>  |n| <= M d (d > 0), in integers: no rational is built per call
      const BigInt& n = bmp::numerator(exact_);
      return (n < 0 ? BigInt(-n) : n) <= int64_max_big() * bmp::denominator(exact_);
    }
    return bmp::abs(*real_) <= Real(int64_max_big());
  }

  friend Coordinate operator+(const Coordinate& a, const Coordinate& b) {
    if (a.is_exact() && b.is_exact()) return Coordinate(a.exact_ + b.exact_);
    return irrational(a.to_real() + b.to_real());
  }
  friend Coordinate operator-(const Coordinate& a, const Coordinate& b) {
    if (a.is_exact() && b.is_exact()) return Coordinate(a.exact_ - b.exact_);
    return irrational(a.to_real() - b.to_real());
  }
  friend bool operator<(const Coordinate& a, const Coordinate& b) {
    if (a.is_exact() && b.is_exact()) return a.exact_ < b.exact_;
    return a.to_real() < b.to_real();
  }
  friend bool operator==(const Coordinate& a, const Coordinate& b) {
    if (a.is_exact() && b.is_exact()) return a.exact_ == b.exact_;
    if (a.is_exact() != b.is_exact()) return false;  // an irrational never equals a rational exactly
    return *a.real_ == *b.real_;
  }
  friend bool operator!=(const Coordinate& a, const Coordinate& b) { return !(a == b); }

  // Exact text: integers as integers, terminating rationals as exact decimals, other rationals as
  // "p/q", irrationals with 17 significant digits.
  std::string to_string() const;

 private:
  Rational exact_{0};
  std::optional<Real> real_;
};

inline Coordinate max_of(const Coordinate& a, const Coordinate& b) { return a < b ? b : a; }

// Decimal expansion of p/q when q has only factors 2 and 5; nullopt otherwise.
inline std::optional<std::string> terminating_decimal(const Rational& q) {
  BigInt num = bmp::numerator(q), den = bmp::denominator(q);
  int twos = 0, fives = 0;
  BigInt d = den;
  while (d % 2 == 0) { d /= 2; ++twos; }
  while (d % 5 == 0) { d /= 5; ++fives; }
  if (d != 1) return std::nullopt;
  const int digits = std::max(twos, fives);
  BigInt scaled = num * bmp::pow(BigInt(10), digits) / den;  // exact: den divides 10^digits
  const bool negative = scaled < 0;
  std::string s = (negative ? -scaled : scaled).str();
  if (digits > 0) {
    if (static_cast<int>(s.size()) <= digits) s.insert(0, digits + 1 - s.size(), '0');
    s.insert(s.size() - digits, ".");
  }
  return negative ? "-" + s : s;
}

inline std::string format_rational(const Rational& q) {
  if (auto dec = terminating_decimal(q)) return *dec;
  return bmp::numerator(q).str() + "/" + bmp::denominator(q).str();
}

inline std::string format_real(const Real& r) {
  std::string s = r.str(17, std::ios_base::fmtflags(0));  // 17 significant digits, shortest notation
  return s == "-0" ? "0" : s;
}

inline std::string Coordinate::to_string() const {
  return real_ ? format_real(*real_) : format_rational(exact_);
}

// Parses a non-negative or negative decimal ("1.25", "-3", "2e-1" is not accepted) or a fraction
// "p/q" into an exact rational. Returns nullopt for anything else; callers say where it came from.
// At most 40 digits are accepted so that untrusted text cannot build enormous numbers.
inline std::optional<Rational> parse_rational(std::string_view text) {
  constexpr std::size_t kMaxDigits = 40;
  auto parse_digits = [](std::string_view s) -> std::optional<BigInt> {
    if (s.empty() || s.size() > kMaxDigits) return std::nullopt;
    BigInt v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + (c - '0');
    }
    return v;
  };
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  Rational value;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    auto num = parse_digits(text.substr(0, slash));
    auto den = parse_digits(text.substr(slash + 1));
    if (!num || !den || *den == 0) return std::nullopt;
    value = Rational(*num, *den);
  } else {
    auto dot = text.find('.');
    std::string_view whole = text.substr(0, dot);
    std::string_view frac = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    if (dot != std::string_view::npos && frac.empty()) return std::nullopt;  // "1." is a typo, not a number
    if (whole.empty() && frac.empty()) return std::nullopt;
    auto w = whole.empty() ? std::optional<BigInt>(0) : parse_digits(whole);
    auto f = frac.empty() ? std::optional<BigInt>(0) : parse_digits(frac);
    if (!w || !f) return std::nullopt;
    value = Rational(*w) + Rational(*f, bmp::pow(BigInt(10), static_cast<unsigned>(frac.size())));
  }
  return negative ? Rational(-value) : value;
}

}  // namespace mmrope

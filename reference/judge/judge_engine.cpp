// The judge engine: per token block, cos/sin per (axis, pair), then each element in double-double with a bound, or in MPFR.
#include "reference/judge/judge_engine.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "reference/angles.hpp"
#include "reference/position_range.hpp"
#include "reference/judge/double_double.hpp"
#include "reference/judge/double_rounding.hpp"

namespace mmrope::judge {

std::string_view to_string(Engine e) { return e == Engine::fast ? "fast" : "mpfr"; }

Engine parse_engine(std::string_view name) {
  if (name == "fast") return Engine::fast;
  if (name == "mpfr") return Engine::mpfr;
  throw Error("unknown engine '" + std::string(name.substr(0, 40)) + "' (known: fast, mpfr)");
}

namespace {

using S = Mpfr256;
constexpr double kInfinity = std::numeric_limits<double>::infinity();

// --- Error bounds of the fast path (docs/error-model.md, "The judge's fast path"). u = 2^-53. ---
// A cos/sin value against the MPFR value the mpfr engine uses: a direct factor rounded to double-double is
// within 2^-106 (|value| <= 1); a composed one (two factors, dd products <= 4u^2, dd sum <= 3u^2 + 13u^3,
// MPFR's own three roundings ~2^-336) within 4 * 2^-106 + 2 * 2^-104 + 2^-103 < 2^-101; times the
// attention factor a (dd, <= 4u^2 of |a|, a rounded to dd <= 2^-106 a): < a * 2^-100. Taken as 2^-99.
constexpr double kCosSinError = 0x1p-99;
// The element's own arithmetic, per unit of (|x0| + |x1|) * max(|cos|, |sin|): two dd-times-double
// products (2u^2 each), one accurate dd sum (3u^2 + 13u^3), MPFR's three roundings: < 2^-103. Taken 2^-101.
constexpr double kArithmeticError = 0x1p-101;
// The plain-double tier: cos.hi and sin.hi differ from the dd values by at most 2^-53 m, and the two
// products and the sum round once each (2^-53 of their magnitudes): < 3 * 2^-53 (1 + 2^-52) per unit of
// (|x0| + |x1|) m. Taken as 2^-50.
constexpr double kDoubleArithmeticError = 0x1p-50;
// Inputs the error-free transforms handle: |x| in [2^-900, 2^900] (or zero) keeps every product and its
// error term clear of underflow (2^-969) and overflow. Other inputs go to MPFR.
constexpr double kSmallestFastInput = 0x1p-900;
constexpr double kLargestFastInput = 0x1p900;

// |x| of an input the fast path takes (NaN and infinities are not).
bool is_fast_input(double magnitude) {
  return magnitude == 0 || (magnitude >= kSmallestFastInput && magnitude <= kLargestFastInput);
}

// A cos/sin in double-double with its error against the MPFR value; exact when the dd equals it.
struct FastCosSin {
  DoubleDouble cos, sin;
  double error = 0;
  bool exact = false;
  // Set by finish(): per unit of |x0| + |x1|, the bound of each tier's element; and whether cos/sin is one of
  // (+-2^k, 0), (0, +-2^k), where the reference's products and sum are exact in double.
  double double_coefficient = 0, dd_coefficient = 0;
  bool exact_power = false;
};

DoubleDouble to_dd(const S& v) {
  const double hi = static_cast<double>(v);
  const double lo = static_cast<double>(S(v - S(hi)));
  return {hi, lo};
}

bool is_power_of_two_or_zero(double v) {
  if (v == 0) return true;
  int e = 0;
  return std::fabs(std::frexp(v, &e)) == 0.5;
}

// Fills the per-element coefficients from cos, sin and error, once per (token, pair) instead of per element.
void finish(FastCosSin& cs) {
  cs.exact_power = cs.exact && cs.cos.lo == 0 && cs.sin.lo == 0 && (cs.sin.hi == 0 || cs.cos.hi == 0) &&
                   is_power_of_two_or_zero(cs.cos.hi) && is_power_of_two_or_zero(cs.sin.hi);
  const double magnitude = std::max(std::fabs(cs.cos.hi), std::fabs(cs.sin.hi)) * (1 + 0x1p-40);
  // The (1 + 2^-40) covers the roundings of these products and of (|x0| + |x1|) times them.
  cs.double_coefficient = (cs.error + kDoubleArithmeticError * magnitude) * (1 + 0x1p-40);
  cs.dd_coefficient = (cs.error + kArithmeticError * magnitude) * (1 + 0x1p-40);
}

FastCosSin to_fast(const CosSin<S>& cs, double error_if_inexact) {
  FastCosSin f;
  f.cos = to_dd(cs.cos);
  f.sin = to_dd(cs.sin);
  f.exact = S(f.cos.hi) + S(f.cos.lo) == cs.cos && S(f.sin.hi) + S(f.sin.lo) == cs.sin;
  f.error = f.exact ? 0 : error_if_inexact;
  finish(f);
  return f;
}

// One element's outcome.
struct ElementOutcome {
  std::uint32_t bits = 0;  // rotate: the rounded exact value
  double ulp = 0, pair_ulp = 0, abs_error = 0, exact = 0;
  bool element_over = false, pair_over = false, exact_is_zero = false, fallback = false;
  bool over(Metric m) const { return m == Metric::element ? element_over : pair_over; }
  double figure(Metric m) const { return m == Metric::element ? ulp : pair_ulp; }
};

// The pair metric's ulp exponent: the dtype's ulp at r (at the smallest subnormal's for r = 0).
// An element whose pair has r = 0 is exact only as +-0: any other output is infinitely far in both metrics.
constexpr double kAtZeroNorm = std::numeric_limits<double>::infinity();

// Which pairs of which heads read which axis, for the problem's tensor role.
struct AxisMap {
  std::vector<std::vector<PairAxis>> head_pair_axis;  // [head][pair]
  std::array<std::vector<bool>, 3> used;              // [axis][pair]

  explicit AxisMap(const Problem& p) {
    const Allocation& a = p.spec.allocation;
    const int pairs = p.spec.pairs();
    for (auto& u : used) u.assign(static_cast<std::size_t>(pairs), false);
    head_pair_axis.resize(static_cast<std::size_t>(p.row.heads));
    for (int h = 0; h < p.row.heads; ++h) {
      const int ah = a.per_head() ? h : 0;
      for (int j = 0; j < pairs; ++j) {
        const PairAxis ax = p.role == TensorRole::query ? a.query_axis(ah, j) : a.key_axis(ah, j);
        head_pair_axis[h].push_back(ax);
        if (ax) used[static_cast<int>(*ax)][j] = true;
      }
    }
  }
};

// The fast path's shared, read-only tables: the composition factors of every integer position present,
// full cos/sin of every other coordinate, the attention factor, all in double-double.
struct FastTables {
  std::array<std::map<std::int64_t, std::vector<FastCosSin>>, 3> direct;  // [axis]: k -> per pair cos/sin(k theta)
  std::array<std::map<Coordinate, std::vector<FastCosSin>>, 3> other;      // [axis]: coordinate -> per pair
  std::array<std::vector<int>, 3> used_pairs;                              // [axis]: the pairs that read it
  FastCosSin attention;       // (a, 0): cos/sin of a pair that does not rotate
  DoubleDouble attention_dd;  // a
  bool attention_is_one = true;
  double magnitude_scale = 1;  // max(1, a): bounds |cos|, |sin|

  FastTables(const Problem& p, const FrequencyPlan<S>& plan, const AxisMap& axes) {
    ExactAngles<S> angles(plan);
    attention_is_one = plan.attention_factor == 1;
    attention_dd = to_dd(plan.attention_factor);
    magnitude_scale = std::max(1.0, std::fabs(attention_dd.hi)) * (1 + 0x1p-40);
    attention = to_fast(angles.none(), 0x1p-106 * magnitude_scale);
    const int pairs = p.spec.pairs();
    for (Axis axis : kAxes) {
      const int ai = static_cast<int>(axis);
      for (int j = 0; j < pairs; ++j)
        if (axes.used[ai][j]) used_pairs[ai].push_back(j);
      if (used_pairs[ai].empty()) continue;
      std::set<std::int64_t> multiples;
      std::set<Coordinate> others;
      for (const auto& row : p.positions)
        for (const auto& pos : row) {
          const Coordinate& c = pos[axis];
          if (c.is_integer_value() && c.fits_int64()) {
            const auto [big, r] = split_position(c.to_int64());
            multiples.insert(big);
            multiples.insert(r);
          } else {
            others.insert(c);
          }
        }
      for (std::int64_t k : multiples) {
        std::vector<FastCosSin> row(static_cast<std::size_t>(pairs));
        for (int j : used_pairs[ai]) row[j] = to_fast(angles.direct(j, k), 0x1p-106);
        direct[ai].emplace(k, std::move(row));
      }
      for (const Coordinate& c : others) {
        std::vector<FastCosSin> row(static_cast<std::size_t>(pairs));
        for (int j : used_pairs[ai]) row[j] = to_fast(angles.at(c, j), kCosSinError * magnitude_scale);
        other[ai].emplace(c, std::move(row));
      }
    }
  }

  // cos/sin of (coordinate, pair) with the attention factor, for every pair that reads `axis`, composed as
  // ExactAngles::at composes them.
  void fill(Axis axis, const Coordinate& c, std::vector<FastCosSin>& out) const {
    const int ai = static_cast<int>(axis);
    if (!(c.is_integer_value() && c.fits_int64())) {
      out = other[ai].at(c);
      return;
    }
    const auto [big, r] = split_position(c.to_int64());
    const std::vector<FastCosSin>& small_row = direct[ai].at(r);
    const std::vector<FastCosSin>* big_row = big != 0 ? &direct[ai].at(big) : nullptr;
    for (int j : used_pairs[ai]) {
      FastCosSin cs = small_row[j];
      if (big_row) {
        const FastCosSin& b = (*big_row)[j];
        FastCosSin composed;
        composed.cos = plus(times(b.cos, cs.cos), negated(times(b.sin, cs.sin)));
        composed.sin = plus(times(b.sin, cs.cos), times(b.cos, cs.sin));
        composed.error = kCosSinError;
        cs = composed;
      }
      if (!attention_is_one) {
        const bool exact = cs.exact && attention.exact && is_power_of_two_or_zero(attention_dd.hi) && cs.cos.lo == 0 &&
                           cs.sin.lo == 0;
        cs.cos = times(cs.cos, attention_dd);
        cs.sin = times(cs.sin, attention_dd);
        cs.exact = exact;
        cs.error = exact ? 0 : kCosSinError * magnitude_scale;
      }
      finish(cs);
      out[j] = cs;
    }
  }
};

// The two inputs and the formula of one rotated output: y = first * cos + second_sign * second * sin, as the
// reference writes it (forward y0 = a c - b s, y1 = b c + a s; backward y0 = a c + b s, y1 = b c - a s).
struct OutputTerms {
  double first, second;
  bool subtract;
};

OutputTerms terms(double a, double b, bool second_output, Direction d) {
  const bool forward = d == Direction::forward;
  if (!second_output) return {a, b, forward};
  return {b, a, !forward};
}

S exact_output(const OutputTerms& t, const CosSin<S>& cs) {
  return t.subtract ? S(S(t.first) * cs.cos - S(t.second) * cs.sin) : S(S(t.first) * cs.cos + S(t.second) * cs.sin);
}

// The neighbouring doubles of a finite v, by its bit pattern (nextafter, without the library call).
double next_up(double v) {
  if (v == 0) return std::numeric_limits<double>::denorm_min();
  const auto bits = std::bit_cast<std::uint64_t>(v);
  return std::bit_cast<double>(v > 0 ? bits + 1 : bits - 1);
}
double next_down(double v) { return -next_up(-v); }

// 2^-e as a double, for the ulp exponents of every dtype (|e| < 1000: a normal double).
double power_of_two_inverse(int e) { return std::bit_cast<double>(static_cast<std::uint64_t>(1023 - e) << 52); }

// The element's figures from its exact value, in Mpfr256: what the mpfr engine reports, and the fallback.
// r is the pair's norm (docs/error-model.md, "Two metrics"); at an exact zero the element ulp is the pair ulp.
ElementOutcome judge_exact(const S& y, std::uint32_t got, DType dtype, bool judging, double bound, double r) {
  ElementOutcome o;
  o.bits = round_to_bits(y, dtype);
  o.exact = to_double(y);
  o.exact_is_zero = y == 0;
  if (!judging) return o;
  const double g = decode_bits(got, dtype);
  using std::abs;
  o.abs_error = std::isfinite(g) ? to_double(S(abs(S(g) - y))) : kInfinity;
  if (!std::isfinite(g) || !std::isfinite(r)) {
    o.ulp = o.pair_ulp = ulp_error(y, got, dtype);  // infinity and NaN semantics live in ulp_error
  } else {
    const S diff = abs(S(g) - y);
    o.pair_ulp = r == 0 ? (diff == 0 ? 0.0 : kAtZeroNorm) : to_double(S(diff / S(std::ldexp(1.0, ulp_exponent(r, dtype)))));
    o.ulp = y == 0 ? o.pair_ulp : ulp_error(y, got, dtype);
  }
  o.element_over = o.ulp > bound;
  o.pair_over = o.pair_ulp > bound;
  return o;
}

// Everything one worker thread needs, with its own MPFR caches; T is the problem's dtype, a constant so the
// roundings and ulp exponents of the hot path fold.
template <DType T>
class Worker {
 public:
  Worker(const Problem& p, const FrequencyPlan<S>& plan, const AxisMap& axes, const FastTables* fast,
         const Options& options, bool judging)
      : p_(p), axes_(axes), fast_(fast), options_(options), judging_(judging), angles_(plan),
        overflow_threshold_(decode_bits(format_of(T).infinity_bits() - 1, T) * (1 - 0x1p-30)),
        max_ulp_above_(next_up(options.max_ulp)), attention_magnitude_(std::fabs(to_double(plan.attention_factor))) {
    // The plain-double tier settles roundings (rotate) and, for the 16-bit dtypes, ulp figures to ~2^-40.
    double_tier_ = !judging || T != DType::fp32;
    const int pairs = p.spec.pairs();
    for (int ai = 0; ai < 3; ++ai) {
      exact_cs_[ai].resize(static_cast<std::size_t>(pairs));
      exact_ready_[ai].assign(static_cast<std::size_t>(pairs), false);
      fast_cs_[ai].resize(static_cast<std::size_t>(pairs));
    }
  }

  // Prepares the cos/sin of token t of row b.
  void start_token(int b, int t) {
    position_ = &p_.positions[b][t];
    for (int ai = 0; ai < 3; ++ai) {
      std::fill(exact_ready_[ai].begin(), exact_ready_[ai].end(), false);
      if (fast_ && !fast_->used_pairs[ai].empty()) fast_->fill(static_cast<Axis>(ai), (*position_)[static_cast<Axis>(ai)], fast_cs_[ai]);
    }
  }

  // The norm of a pair (a, b) after the rotation, as the pair metric defines it: |f| hypot(a, b) in double.
  // sqrt(a^2 + b^2) where the squares cannot overflow or lose the smaller input to underflow, hypot elsewhere
  // (slower): both engines call this one function, so they measure at the same r.
  double pair_norm(double a, double b) const {
    const double m = std::max(std::fabs(a), std::fabs(b));
    const double n = m >= 0x1p-400 && m <= 0x1p400 ? std::sqrt(a * a + b * b) : std::hypot(a, b);
    return attention_magnitude_ * n;
  }

  // Output `second_output` of pair j of head h, inputs (a, b), judged bits `got`.
  // r: pair_norm(a, b), computed once for the pair's two outputs.
  // The common case (a judged 16-bit output settled by the plain-double tier) is inlined into the element loop;
  // everything else takes rotated_general.
  [[gnu::always_inline]] ElementOutcome rotated(int h, int j, bool second_output, double a, double b, std::uint32_t got,
                                                double r) {
    if (fast_ && judging_ && double_tier_) {
      const PairAxis ax = axes_.head_pair_axis[h][j];
      const FastCosSin& cs = ax ? fast_cs_[static_cast<int>(*ax)][j] : fast_->attention;
      const OutputTerms t = terms(a, b, second_output, p_.direction);
      const double fa = std::fabs(t.first), fb = std::fabs(t.second);
      if (!cs.exact_power && is_fast_input(fa) && is_fast_input(fb)) {
        const double t1 = t.first * cs.cos.hi, t2 = t.second * cs.sin.hi;
        const double y1 = t.subtract ? t1 - t2 : t1 + t2;
        ElementOutcome o;
        if (decide_judged_double(y1, (fa + fb) * cs.double_coefficient, got, r, o)) return o;
      }
    }
    return rotated_general(h, j, second_output, a, b, got, r);
  }

  [[gnu::noinline]] ElementOutcome rotated_general(int h, int j, bool second_output, double a, double b,
                                                   std::uint32_t got, double r) {
    const OutputTerms t = terms(a, b, second_output, p_.direction);
    if (fast_) {
      const PairAxis ax = axes_.head_pair_axis[h][j];
      const FastCosSin& cs = ax ? fast_cs_[static_cast<int>(*ax)][j] : fast_->attention;
      ElementOutcome o;
      if (fast_element(t, cs, got, r, o)) return o;
    }
    ElementOutcome o = judge_exact(exact_output(t, exact_cos_sin(h, j)), got, T, judging_, options_.max_ulp, r);
    o.fallback = true;
    return o;
  }

  // A channel past rotary_dim: passes through exactly (its r is |x|).
  ElementOutcome passed_through(double x, std::uint32_t got) {
    if (fast_ && std::isfinite(x)) return exact_double_element(x, got, std::fabs(x));
    ElementOutcome o = judge_exact(S(x), got, T, judging_, options_.max_ulp, std::fabs(x));
    o.fallback = true;
    return o;
  }

 private:
  const CosSin<S>& exact_cos_sin(int h, int j) {
    const PairAxis ax = axes_.head_pair_axis[h][j];
    if (!ax) return angles_.none();
    const int ai = static_cast<int>(*ax);
    if (!exact_ready_[ai][j]) {
      exact_cs_[ai][j] = angles_.at((*position_)[*ax], j);
      exact_ready_[ai][j] = true;
    }
    return exact_cs_[ai][j];
  }

  // y known exactly as a double: the figures follow exactly (the difference of two doubles is exact as a
  // two_sum, and the ulp is a power of two).
  ElementOutcome exact_double_element(double y, std::uint32_t got, double r) const {
    ElementOutcome o;
    o.bits = round_double_to_bits<T>(y);
    o.exact = y;
    o.exact_is_zero = y == 0;
    if (!judging_) return o;
    const double g = decode_bits(got, T);
    if (!std::isfinite(g) || !std::isfinite(r)) {
      const ElementOutcome e = judge_exact(S(y), got, T, true, options_.max_ulp, r);
      return e;  // infinity and NaN semantics live in ulp_error
    }
    const double d = std::fabs(g - y);  // correctly rounded |g - y|, as to_double of the exact difference
    o.abs_error = d;
    // ldexp of d by an ulp exponent is exact whatever d is; to_double of the exact quotient is the same value.
    o.pair_ulp = r == 0 ? (d == 0 ? 0.0 : kAtZeroNorm) : std::ldexp(d, -ulp_exponent<T>(r));
    o.ulp = y == 0 ? o.pair_ulp : std::ldexp(d, -ulp_exponent<T>(y));
    o.element_over = o.ulp > options_.max_ulp;
    o.pair_over = o.pair_ulp > options_.max_ulp;
    return o;
  }

  // Fills `o` and returns true where a tier's bound decides the element.
  bool fast_element(const OutputTerms& t, const FastCosSin& cs, std::uint32_t got, double r, ElementOutcome& o) const {
    const double fa = std::fabs(t.first), fb = std::fabs(t.second);
    if (!is_fast_input(fa) || !is_fast_input(fb)) return false;  // NaN and infinities too
    // Exact cos/sin in {(+-2^k, 0), (0, +-2^k)}: the reference's products and sum are exact in double.
    if (cs.exact_power) {
      const double y = t.subtract ? t.first * cs.cos.hi - t.second * cs.sin.hi : t.first * cs.cos.hi + t.second * cs.sin.hi;
      o = exact_double_element(y, got, r);
      return true;
    }
    const double inputs = fa + fb;
    // Tier 1: plain double (two products and a sum on cos.hi, sin.hi). Where its bound decides, done.
    if (double_tier_) {
      const double t1 = t.first * cs.cos.hi, t2 = t.second * cs.sin.hi;
      const double y1 = t.subtract ? t1 - t2 : t1 + t2;
      // (rotated() has already tried decide_judged_double on this y1 and bound.)
      if (decide({y1, 0.0}, inputs * cs.double_coefficient, got, r, o)) return true;
    }
    // Tier 2: double-double.
    const DoubleDouble p1 = times(cs.cos, t.first);
    const DoubleDouble p2 = times(cs.sin, t.second);
    const DoubleDouble y = plus(p1, t.subtract ? negated(p2) : p2);
    const double bound = inputs * cs.dd_coefficient;
    return decide(y, bound, got, r, o);
  }

  // Whether a figure known to +-error is over max_ulp, as the mpfr engine decides it (to_double(ulp) > max_ulp):
  // over when even fl(figure - error) exceeds the double above max_ulp, within when fl(figure + error) is
  // below max_ulp (fl is monotone, so each test holds for the exact figure); otherwise undecided (false).
  [[gnu::always_inline]] bool decide_over(double figure, double error, bool& over) const {
    if (figure - error > max_ulp_above_) over = true;
    else if (figure + error < options_.max_ulp) over = false;
    else return false;
    return true;
  }

  // decide() for a judged element of the plain-double tier (y.lo = 0), in the common case only: the exact value
  // in a normal binade of the dtype, the output finite. No outward steps: fl() is monotone and powers of two are
  // doubles, so fl(|y| - bound) > 2^E proves the exact |value| > 2^E, and fl(|y| + bound) < 2^(E+1) that it is
  // below 2^(E+1). Returns false where decide() must look at the element.
  [[gnu::always_inline]] bool decide_judged_double(double y, double bound, std::uint32_t got, double r, ElementOutcome& o) const {
    constexpr FloatFormat f = format_of(T);
    const double m = std::fabs(y);
    // 2^E, |y|'s binade, from its bits; the binade's ulp is 2^(E - mantissa_bits).
    const auto binade_bits = std::bit_cast<std::uint64_t>(m) & (std::uint64_t{0x7ff} << 52);
    const double binade = std::bit_cast<double>(binade_bits);
    const int exponent = static_cast<int>(binade_bits >> 52) - 1023;
    if (exponent < f.min_exponent() || exponent > f.max_exponent() - 1) return false;  // subnormal, or near overflow
    if (!(m - bound > binade) || !(m + bound < 2 * binade) || !bits_are_finite(got, T)) return false;
    // d = fl(g - y): |d - (g - y_exact)| <= bound + 2^-53 |d|. Scalings by powers of two are exact.
    const double d = std::fabs(decode_bits(got, T) - y);
    const double d_error = (bound + 0x1p-52 * d) * (1 + 0x1p-40);
    const double scale = power_of_two_inverse(exponent - f.mantissa_bits);
    const double ulp = d * scale;
    const double ulp_error_bound = d_error * scale + std::numeric_limits<double>::denorm_min();
    if (ulp_error_bound > 0x1p-30 || !decide_over(ulp, ulp_error_bound, o.element_over)) return false;
    // The pair metric at r (r >= |y| up to the bound, so its ulp is at least y's and the figure as accurate).
    if (!(r > 0) || !(r < overflow_threshold_)) return false;
    const double pair_scale = power_of_two_inverse(ulp_exponent<T>(r));
    const double pair_ulp = d * pair_scale;
    const double pair_error_bound = d_error * pair_scale + std::numeric_limits<double>::denorm_min();
    if (pair_error_bound > 0x1p-30 || !decide_over(pair_ulp, pair_error_bound, o.pair_over)) return false;
    o.exact = y;
    o.ulp = ulp;
    o.pair_ulp = pair_ulp;
    o.abs_error = d;
    return true;
  }

  // The element's outcome from y with |y - y_mpfr| <= bound, or nothing when the bound cannot decide it.
  bool decide(const DoubleDouble& y, double bound, std::uint32_t got, double r, ElementOutcome& o) const {
    // [low, high] holds the exact value; two steps outward cover the roundings of these sums.
    const double low = next_down(next_down(y.hi + (y.lo - bound)));
    const double high = next_up(next_up(y.hi + (y.lo + bound)));
    if (!(low > 0 || high < 0)) return false;  // the sign (or a zero) is not decided
    o.exact = y.hi;
    if (!judging_) {
      const std::uint32_t low_bits = round_double_to_bits<T>(low);
      if (low_bits != round_double_to_bits<T>(high)) return false;  // a rounding boundary lies within
      o.bits = low_bits;
      return true;
    }
    // Near or past the largest finite, and NaN or infinite outputs: their semantics live in ulp_error (MPFR).
    if (std::max(std::fabs(low), std::fabs(high)) >= overflow_threshold_ || !bits_are_finite(got, T)) return false;
    const int e = ulp_exponent<T>(low);
    if (ulp_exponent<T>(high) != e) return false;  // the binade (so the ulp) is not decided
    const double g = decode_bits(got, T);
    const DoubleDouble s = two_sum(g, -y.hi);
    const double d = s.hi + (s.lo - y.lo);
    const double d_error = (bound + 0x1p-51 * std::fabs(d) + 0x1p-51 * std::fabs(s.lo - y.lo)) * (1 + 0x1p-40);
    const double scale = power_of_two_inverse(e);  // exact scalings: |d| and d_error are far from the extremes
    const double ulp = std::fabs(d) * scale;
    const double ulp_error_bound = d_error * scale * (1 + 0x1p-40) + std::numeric_limits<double>::denorm_min();
    // The reported figure must match the mpfr engine's to far below the printed digits: a tier whose
    // figure is less accurate than 2^-30 ulp hands the element to the next.
    if (ulp_error_bound > 0x1p-30) return false;
    if (!decide_over(ulp, ulp_error_bound, o.element_over)) return false;
    // The pair metric: the same difference over r's ulp, never smaller than y's (|y| <= r, up to the bound),
    // so its figure is at least as accurate. r = 0 cannot occur here (y would be 0: its sign undecided).
    if (!(r > 0) || !std::isfinite(r) || r >= overflow_threshold_) return false;
    const double pair_scale = power_of_two_inverse(ulp_exponent<T>(r));
    const double pair_ulp = std::fabs(d) * pair_scale;
    const double pair_error_bound = d_error * pair_scale * (1 + 0x1p-40) + std::numeric_limits<double>::denorm_min();
    if (pair_error_bound > 0x1p-30 || !decide_over(pair_ulp, pair_error_bound, o.pair_over)) return false;
    o.ulp = ulp;
    o.pair_ulp = pair_ulp;
    o.abs_error = std::fabs(d);
    return true;
  }

  const Problem& p_;
  const AxisMap& axes_;
  const FastTables* fast_;
  const Options& options_;
  bool judging_;
  ExactAngles<S> angles_;
  double overflow_threshold_;  // a little below the largest finite: values near it go to MPFR
  double max_ulp_above_;       // the double above max_ulp: a figure decided above it is over the bound
  double attention_magnitude_ = 1;  // |f| in double, for the pair norm
  bool double_tier_ = false;   // try plain double before double-double
  const Position3* position_ = nullptr;
  std::array<std::vector<CosSin<S>>, 3> exact_cs_;
  std::array<std::vector<bool>, 3> exact_ready_;
  std::array<std::vector<FastCosSin>, 3> fast_cs_;
};

// The worst-list order: the larger figure in the verdict's metric first, ties by index.
struct Worse {
  Metric metric;
  double figure(const ElementError& e) const { return metric == Metric::element ? e.ulp : e.pair_ulp; }
  bool operator()(const ElementError& a, const ElementError& b) const {
    const double fa = figure(a), fb = figure(b);
    return fa != fb ? fa > fb : a.index < b.index;
  }
};

void keep_worst(std::vector<ElementError>& v, std::size_t keep, Worse worse) {
  if (v.size() <= keep) return;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(keep), v.end(), worse);
  v.resize(keep);
}

// The worst elements in one metric, kept among the candidates of a block (trimmed to `keep` now and then).
struct WorstList {
  Worse order{Metric::element};
  std::size_t keep = 0;
  std::vector<ElementError> candidates;
  double threshold = -1;  // the smallest figure among the candidates after the last trim
  // At least the figure of every element this list turned away or dropped (-inf: none). The fast engine's
  // figures are estimates, so an element turned away may tie with a kept one in MPFR: check() looks again.
  double discarded = -std::numeric_limits<double>::infinity();

  // Only an element that beats the current keep-th worst can enter (a tie loses: its index is larger).
  bool wants(double figure) const { return candidates.size() < keep || figure > threshold; }
  void add(const ElementError& e) {
    candidates.push_back(e);
    if (candidates.size() >= 4 * keep + 64) trim();
  }
  void trim() {
    if (candidates.size() <= keep) return;
    keep_worst(candidates, keep, order);
    threshold = std::numeric_limits<double>::infinity();
    for (const auto& kept : candidates) threshold = std::min(threshold, order.figure(kept));
    discarded = std::max(discarded, threshold);
  }
};

// How far a decided fast figure may be from the mpfr engine's (decide(): 2^-30 ulp), with room for the
// rounding of the exact figure to double.
constexpr double kFigureTolerance = 0x1p-29;

// A worst-list entry for element `index` (token: over all rows) from its outcome.
ElementError element_error(std::size_t index, int token, int head, int channel, double got, const ElementOutcome& e) {
  ElementError err;
  err.index = index;
  err.token = token;
  err.head = head;
  err.channel = channel;
  err.got = got;
  err.exact = e.exact;
  err.ulp = e.ulp;
  err.pair_ulp = e.pair_ulp;
  err.abs_error = e.abs_error;
  err.exact_is_zero = e.exact_is_zero;
  return err;
}

// What one block of tokens contributes; blocks are merged in order, so the result is the same for any
// thread count.
struct BlockResult {
  double sum_ulp = 0, sum_pair_ulp = 0, sum_abs = 0, max_abs = 0;
  std::uint64_t over = 0, over_element = 0, over_pair = 0, fallbacks = 0, beyond_element_bound = 0;
  ErrorSummaries summaries;
  bool output_all_zero = true, reference_all_zero = true;
  std::array<WorstList, 2> worst;  // [Metric]: the block's worst in each metric
};

void add_to(std::vector<SummaryBin>& bins, std::size_t i, double ulp, bool over) {
  if (bins.size() <= i) bins.resize(i + 1);
  bins[i].add(ulp, over);
}

struct Blocks {
  int tokens_per_block = 1;
  int blocks_per_row = 1;
  std::int64_t count = 0;
  explicit Blocks(const Problem& p) {
    const std::int64_t per_token = static_cast<std::int64_t>(p.row.heads) * p.row.head_dim;
    tokens_per_block = static_cast<int>(std::clamp<std::int64_t>(16384 / std::max<std::int64_t>(per_token, 1), 1, 1 << 20));
    blocks_per_row = std::max(1, (p.row.tokens + tokens_per_block - 1) / tokens_per_block);
    count = static_cast<std::int64_t>(blocks_per_row) * p.batch();
  }
};

// Prints elements done, rate and ETA on stderr about every half second, from the thread that waits.
class Progress {
 public:
  Progress(bool enabled, std::int64_t total) : enabled_(enabled), total_(total), start_(Clock::now()) {}
  void add(std::int64_t n) { done_ += n; }
  void show() {
    if (!enabled_) return;
    const double elapsed = seconds();
    if (elapsed < 1.0) return;
    const double done = static_cast<double>(done_.load());
    const double rate = done / elapsed;
    const double eta = rate > 0 ? (static_cast<double>(total_) - done) / rate : 0;
    std::fprintf(stderr, "\rjudged %.3g of %.3g elements (%.3g/s, ETA %.0f s)   ", done, static_cast<double>(total_), rate, eta);
    shown_ = true;
  }
  void finish() {
    if (shown_) std::fprintf(stderr, "\n");
  }

 private:
  using Clock = std::chrono::steady_clock;
  double seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
  bool enabled_;
  std::int64_t total_;
  Clock::time_point start_;
  std::atomic<std::int64_t> done_{0};
  bool shown_ = false;
};

// Calls f(std::integral_constant<DType, d>) for the dtype d given at run time.
template <class F>
void with_dtype(DType d, const F& f) {
  switch (d) {
    case DType::fp16: return f(std::integral_constant<DType, DType::fp16>{});
    case DType::bf16: return f(std::integral_constant<DType, DType::bf16>{});
    case DType::fp32: break;
  }
  f(std::integral_constant<DType, DType::fp32>{});
}

// Runs `work(worker, block)` over every block on the threads, with progress from the calling thread.
template <DType T, class Work>
void run_blocks_as(const Problem& p, const FrequencyPlan<S>& plan, const Options& o, bool judging, const Work& work) {
  const AxisMap axes(p);
  std::optional<FastTables> fast;
  if (o.engine == Engine::fast) fast.emplace(p, plan, axes);
  const Blocks blocks(p);
  unsigned threads = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::int64_t>(threads, std::max<std::int64_t>(blocks.count, 1)));
  std::atomic<std::int64_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  Progress progress(o.progress, p.elements());
  unsigned running = threads;
  std::mutex running_mutex;
  std::condition_variable finished;
  auto body = [&] {
    try {
      Worker<T> worker(p, plan, axes, fast ? &*fast : nullptr, o, judging);
      for (std::int64_t k; !failed && (k = next++) < blocks.count;) progress.add(work(worker, blocks, k));
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      failed = true;
    }
    std::lock_guard<std::mutex> lock(running_mutex);
    if (--running == 0) finished.notify_all();
  };
  std::vector<std::thread> pool;
  if (threads == 1) {
    body();
  } else {
    for (unsigned i = 0; i < threads; ++i)
      pool.emplace_back([&body] {
        body();
        mpfr_free_cache2(MPFR_FREE_LOCAL_CACHE);  // MPFR's per-thread constant caches die with the thread
      });
    std::unique_lock<std::mutex> lock(running_mutex);
    while (!finished.wait_for(lock, std::chrono::milliseconds(250), [&] { return running == 0; })) progress.show();
  }
  for (auto& t : pool) t.join();
  progress.finish();
  if (error) std::rethrow_exception(error);
}

template <class Work>
void run_blocks(const Problem& p, const FrequencyPlan<S>& plan, const Options& o, bool judging, const Work& work) {
  with_dtype(p.dtype, [&](auto dtype) { run_blocks_as<dtype.value>(p, plan, o, judging, work); });
}

// Visits every element of block k: (index, token in row, head, channel, pair or -1, |x0| + |x1| or -1, outcome).
template <class W, class Visit>
std::int64_t visit_block(W& w, const Problem& p, const Blocks& blocks, std::int64_t k, std::span<const double> x,
                         std::span<const std::uint32_t> got, const Visit& visit) {
  const int b = static_cast<int>(k / blocks.blocks_per_row);
  const int t0 = static_cast<int>(k % blocks.blocks_per_row) * blocks.tokens_per_block;
  const int t1 = std::min(p.row.tokens, t0 + blocks.tokens_per_block);
  const RotarySpec& spec = p.spec;
  const std::size_t per_token = static_cast<std::size_t>(p.row.heads) * p.row.head_dim;
  for (int t = t0; t < t1; ++t) {
    w.start_token(b, t);
    for (int h = 0; h < p.row.heads; ++h) {
      const std::size_t base = static_cast<std::size_t>(t - t0) * per_token + static_cast<std::size_t>(h) * p.row.head_dim;
      for (int j = 0; j < spec.pairs(); ++j) {
        const auto [c0, c1] = pair_channels(spec.pairing, j, spec.rotary_dim);
        const double a = x[base + c0], bb = x[base + c1];
        const std::uint32_t g0 = got.empty() ? 0 : got[base + c0], g1 = got.empty() ? 0 : got[base + c1];
        const double r = w.pair_norm(a, bb);
        visit(base + c0, t, h, c0, j, std::fabs(a) + std::fabs(bb), w.rotated(h, j, false, a, bb, g0, r));
        visit(base + c1, t, h, c1, j, std::fabs(a) + std::fabs(bb), w.rotated(h, j, true, a, bb, g1, r));
      }
      for (int c = spec.rotary_dim; c < p.row.head_dim; ++c)
        visit(base + c, t, h, c, -1, -1.0, w.passed_through(x[base + c], got.empty() ? 0 : got[base + c]));
    }
  }
  return static_cast<std::int64_t>(t1 - t0) * static_cast<std::int64_t>(per_token);
}

std::pair<std::int64_t, std::size_t> block_range(const Problem& p, const Blocks& blocks, std::int64_t k) {
  const int b = static_cast<int>(k / blocks.blocks_per_row);
  const int t0 = static_cast<int>(k % blocks.blocks_per_row) * blocks.tokens_per_block;
  const int t1 = std::min(p.row.tokens, t0 + blocks.tokens_per_block);
  const std::int64_t per_token = static_cast<std::int64_t>(p.row.heads) * p.row.head_dim;
  return {(static_cast<std::int64_t>(b) * p.row.tokens + t0) * per_token, static_cast<std::size_t>((t1 - t0) * per_token)};
}

// Block k's first element and its inputs (and, given `got`, its judged bits) in per-thread buffers that the
// next call on the same thread reuses.
struct BlockData {
  std::int64_t first;
  std::span<double> x;
  std::span<std::uint32_t> bits;
};

BlockData load_block(const Problem& p, const Blocks& blocks, std::int64_t k, const ValueReader& x, const BitsReader* got) {
  const auto range = block_range(p, blocks, k);
  thread_local std::vector<double> xs;
  thread_local std::vector<std::uint32_t> bits;
  xs.resize(range.second);
  bits.resize(range.second);
  x(range.first, xs);
  if (got) (*got)(range.first, bits);
  return {range.first, xs, bits};
}

}  // namespace

int position_decade(const Coordinate& c) {
  const double v = std::fabs(static_cast<double>(c.to_real()));
  if (!(v >= 1)) return 0;
  int d = 1;
  for (double edge = 10; v >= edge && d < 40; edge *= 10) ++d;
  return d;
}

void add_to_summaries(ErrorSummaries& s, int pair, PairAxis axis, int decade, TokenKind kind, int head, int row,
                      double figure, bool over) {
  if (pair >= 0) add_to(s.by_pair, static_cast<std::size_t>(pair), figure, over);
  else s.pass_through.add(figure, over);
  add_to(s.by_axis, pair < 0 ? 4 : axis ? static_cast<std::size_t>(*axis) : 3, figure, over);
  add_to(s.by_decade, static_cast<std::size_t>(decade), figure, over);
  add_to(s.by_kind, static_cast<std::size_t>(kind), figure, over);
  add_to(s.by_head, static_cast<std::size_t>(head), figure, over);
  add_to(s.by_row, static_cast<std::size_t>(row), figure, over);
}

void validate(const Problem& p) {
  check_rotary_spec(p.spec);
  if (p.positions.empty()) throw Error("the judged tensor has no batch rows");
  if (p.row.tokens < 0 || p.row.heads <= 0 || p.row.head_dim <= 0)
    throw Error("the judged tensor's shape [" + std::to_string(p.row.tokens) + ", " + std::to_string(p.row.heads) + ", " +
                std::to_string(p.row.head_dim) + "] is not a [tokens, heads, head_dim] shape");
  if (p.row.head_dim != p.spec.head_dim)
    throw Error("tensor head_dim " + std::to_string(p.row.head_dim) + " differs from the spec's " + std::to_string(p.spec.head_dim));
  for (std::size_t b = 0; b < p.positions.size(); ++b) {
    if (static_cast<int>(p.positions[b].size()) != p.row.tokens)
      throw Error("batch row " + std::to_string(b) + " has " + std::to_string(p.positions[b].size()) +
                  " positions, the tensor " + std::to_string(p.row.tokens) + " tokens");
    for (std::size_t t = 0; t < p.positions[b].size(); ++t)
      for (Axis a : kAxes)
        if (!p.positions[b][t][a].fits_int64())  // the range the reference is exact for
          check_reference_position(p.positions[b][t][a], "batch row " + std::to_string(b) + ", token " + std::to_string(t) +
                                                             ", axis " + std::string(1, axis_letter(a)));
  }
  const Allocation& a = p.spec.allocation;
  if (a.per_head()) {
    const int want = p.role == TensorRole::query ? a.heads().query : a.heads().kv;
    if (p.row.heads != want)
      throw Error("multi-head allocation expects " + std::to_string(want) + (p.role == TensorRole::query ? " query" : " KV") +
                  " heads, the tensor has " + std::to_string(p.row.heads));
  }
}

std::uint64_t rotate(const Problem& p, const ValueReader& x, const BitsWriter& out, const Options& o) {
  const Blocks blocks_of(p);
  std::vector<std::uint64_t> fallbacks(static_cast<std::size_t>(blocks_of.count), 0);
  validate(p);
  const FrequencyPlan<S> plan = make_frequency_plan<S>(p.spec);
  run_blocks(p, plan, o, false, [&](auto& w, const Blocks& blocks, std::int64_t k) {
    const BlockData d = load_block(p, blocks, k, x, nullptr);
    std::uint64_t fb = 0;
    const std::int64_t n = visit_block(w, p, blocks, k, d.x, {}, [&](std::size_t i, int, int, int, int, double, const ElementOutcome& e) {
      d.bits[i] = e.bits;
      fb += e.fallback;
    });
    out(d.first, d.bits);
    fallbacks[static_cast<std::size_t>(k)] = fb;
    return n;
  });
  std::uint64_t total = 0;
  for (auto f : fallbacks) total += f;
  return total;
}

ComparisonReport check(const Problem& p, const ValueReader& x, const BitsReader& got, const Options& o) {
  if (!(o.max_ulp >= 0) || std::isinf(o.max_ulp)) throw Error("the ulp bound must be a finite number >= 0");
  if (!p.kinds.empty()) {
    if (p.kinds.size() != p.positions.size()) throw Error("the judged problem's token kinds do not cover its batch rows");
    for (std::size_t b = 0; b < p.kinds.size(); ++b)
      if (p.kinds[b].size() != p.positions[b].size()) throw Error("batch row " + std::to_string(b) + ": token kinds do not cover its tokens");
  }
  const Blocks blocks_of(p);
  // Refined in MPFR below; the margin of 8 covers near-ties of the estimates. The other metric keeps 8: its
  // maximum is reported.
  const auto verdict = static_cast<std::size_t>(o.metric);
  const AxisMap pair_axes(p);
  std::vector<BlockResult> results(static_cast<std::size_t>(blocks_of.count));
  for (BlockResult& r : results)
    for (std::size_t m = 0; m < 2; ++m) {
      r.worst[m].order = Worse{static_cast<Metric>(m)};
      r.worst[m].keep = m == verdict ? o.worst + 8 : 8;
    }
  validate(p);
  const FrequencyPlan<S> plan = make_frequency_plan<S>(p.spec);
  run_blocks(p, plan, o, true, [&](auto& w, const Blocks& blocks, std::int64_t k) {
    const BlockData d = load_block(p, blocks, k, x, &got);
    const std::int64_t first = d.first;
    const std::span<const std::uint32_t> gs = d.bits;
    BlockResult r = std::move(results[static_cast<std::size_t>(k)]);  // worked on locally: no false sharing
    const int b = static_cast<int>(k / blocks.blocks_per_row);
    const std::uint32_t zero_mask = format_of(p.dtype).sign_bit() - 1;  // +0 and -0
    // The summaries, folded cheaply: per element one bin of [head][pair] (pairs, heads and axes are sums over
    // it) and one of the token's axis groups (decades, kinds and rows are sums over those, per token).
    const int pairs = p.spec.pairs();
    std::vector<SummaryBin> head_pair(static_cast<std::size_t>(p.row.heads) * static_cast<std::size_t>(pairs + 1));
    std::array<SummaryBin, 5> token_axis{};  // t, h, w, none, pass
    int summary_token = -1;
    const auto fold_token = [&] {
      if (summary_token < 0) return;
      SummaryBin whole;
      for (std::size_t ai = 0; ai < token_axis.size(); ++ai) {
        if (token_axis[ai].elements == 0) continue;
        const Axis a = ai < 3 ? static_cast<Axis>(ai) : Axis::t;
        const int dec = position_decade(p.positions[b][summary_token][a]);
        if (r.summaries.by_decade.size() <= static_cast<std::size_t>(dec)) r.summaries.by_decade.resize(static_cast<std::size_t>(dec) + 1);
        r.summaries.by_decade[static_cast<std::size_t>(dec)].merge(token_axis[ai]);
        whole.merge(token_axis[ai]);
        token_axis[ai] = {};
      }
      const auto kind = static_cast<std::size_t>(p.kinds.empty() ? TokenKind::text : p.kinds[b][summary_token]);
      if (r.summaries.by_kind.size() <= kind) r.summaries.by_kind.resize(kind + 1);
      r.summaries.by_kind[kind].merge(whole);
      if (r.summaries.by_row.size() <= static_cast<std::size_t>(b)) r.summaries.by_row.resize(static_cast<std::size_t>(b) + 1);
      r.summaries.by_row[static_cast<std::size_t>(b)].merge(whole);
    };
    const std::int64_t n = visit_block(
        w, p, blocks, k, d.x, gs,
        [&](std::size_t i, int t, int h, int c, int j, double inputs, const ElementOutcome& e) __attribute__((always_inline)) {
          const std::size_t index = static_cast<std::size_t>(first) + i;
          const bool over = e.over(o.metric);
          const double figure = e.figure(o.metric);
          r.sum_ulp += e.ulp;
          r.sum_pair_ulp += e.pair_ulp;
          r.sum_abs += e.abs_error;
          r.max_abs = std::max(r.max_abs, e.abs_error);
          r.over += over;
          r.over_element += e.element_over;
          r.over_pair += e.pair_over;
          r.fallbacks += e.fallback;
          r.output_all_zero = r.output_all_zero && (gs[i] & zero_mask) == 0;
          r.reference_all_zero = r.reference_all_zero && e.exact_is_zero;
          // The summaries: where the error sits.
          if (summary_token != t) {
            fold_token();
            summary_token = t;
          }
          const PairAxis axis = j >= 0 ? pair_axes.head_pair_axis[h][j] : PairAxis{};
          head_pair[static_cast<std::size_t>(h) * static_cast<std::size_t>(pairs + 1) + static_cast<std::size_t>(j >= 0 ? j : pairs)]
              .add(figure, over);
          token_axis[j < 0 ? 4 : axis ? static_cast<std::size_t>(*axis) : 3].add(figure, over);
          if (o.element_bound && e.element_over) {
            // Past rotary_dim the output must be exact; a rotated one is held to the kernel's own bound.
            const double ulp_size = std::ldexp(1.0, ulp_exponent(e.exact, p.dtype));
            if (inputs < 0 || !(e.ulp <= o.element_bound(inputs, e.exact, ulp_size))) ++r.beyond_element_bound;
          } else if (o.element_bound && inputs < 0 && e.ulp != 0) {
            ++r.beyond_element_bound;
          }
          if (r.worst[0].wants(e.ulp) || r.worst[1].wants(e.pair_ulp)) {
            const ElementError err = element_error(index, b * p.row.tokens + t, h, c, decode_bits(gs[i], p.dtype), e);
            if (r.worst[0].wants(e.ulp)) r.worst[0].add(err);
            if (r.worst[1].wants(e.pair_ulp)) r.worst[1].add(err);
          }
        });
    for (auto& list : r.worst) list.trim();
    fold_token();
    ErrorSummaries& sum = r.summaries;
    sum.by_pair.resize(static_cast<std::size_t>(pairs));
    sum.by_head.resize(static_cast<std::size_t>(p.row.heads));
    sum.by_axis.resize(5);
    for (int h = 0; h < p.row.heads; ++h)
      for (int j = 0; j <= pairs; ++j) {
        const SummaryBin& bin = head_pair[static_cast<std::size_t>(h) * static_cast<std::size_t>(pairs + 1) + static_cast<std::size_t>(j)];
        if (bin.elements == 0) continue;
        sum.by_head[static_cast<std::size_t>(h)].merge(bin);
        if (j == pairs) {
          sum.pass_through.merge(bin);
          sum.by_axis[4].merge(bin);
          continue;
        }
        sum.by_pair[static_cast<std::size_t>(j)].merge(bin);
        const PairAxis axis = pair_axes.head_pair_axis[h][j];
        sum.by_axis[axis ? static_cast<std::size_t>(*axis) : 3].merge(bin);
      }
    results[static_cast<std::size_t>(k)] = std::move(r);
    return n;
  });

  ComparisonReport report;
  report.elements = static_cast<std::size_t>(p.elements());
  report.metric = o.metric;
  report.max_ulp_bound = o.max_ulp;
  bool output_all_zero = true, reference_all_zero = true;
  double sum_ulp = 0, sum_pair_ulp = 0, sum_abs = 0;
  std::array<WorstList, 2> lists = results.empty() ? std::array<WorstList, 2>{} : results.front().worst;
  for (auto& list : lists) list.candidates.clear();
  for (const BlockResult& r : results) {
    sum_ulp += r.sum_ulp;
    sum_pair_ulp += r.sum_pair_ulp;
    sum_abs += r.sum_abs;
    report.max_abs = std::max(report.max_abs, r.max_abs);
    report.over_bound += r.over;
    report.over_bound_element += r.over_element;
    report.over_bound_pair += r.over_pair;
    report.fallback_elements += r.fallbacks;
    report.beyond_element_bound += r.beyond_element_bound;
    report.summaries.merge(r.summaries);
    output_all_zero = output_all_zero && r.output_all_zero;
    reference_all_zero = reference_all_zero && r.reference_all_zero;
    for (std::size_t m = 0; m < 2; ++m) {
      lists[m].candidates.insert(lists[m].candidates.end(), r.worst[m].candidates.begin(), r.worst[m].candidates.end());
      lists[m].discarded = std::max(lists[m].discarded, r.worst[m].discarded);
    }
  }
  if (report.elements) {
    report.mean_ulp = sum_ulp / static_cast<double>(report.elements);
    report.mean_pair_ulp = sum_pair_ulp / static_cast<double>(report.elements);
    report.mean_abs = sum_abs / static_cast<double>(report.elements);
  }
  report.all_zero_output = output_all_zero && !reference_all_zero;

  // The worst elements' figures in MPFR, exactly as the mpfr engine gives them.
  for (auto& list : lists) list.trim();
  const auto refine = [&](std::vector<ElementError>& candidates) {
    with_dtype(p.dtype, [&](auto dtype) {
      Worker<dtype.value> exact(p, plan, pair_axes, nullptr, o, true);
      const auto size = static_cast<std::size_t>(p.row.head_dim);
      std::vector<double> head(size);
      std::vector<std::uint32_t> head_got(size);
      for (ElementError& e : candidates) {
        const auto first = static_cast<std::int64_t>(e.index - e.channel);  // the element's head
        x(first, head);
        got(first, head_got);
        const int b = e.token / std::max(p.row.tokens, 1), t = e.token % std::max(p.row.tokens, 1);
        exact.start_token(b, t);
        ElementOutcome out;
        if (e.channel >= p.spec.rotary_dim) {
          out = exact.passed_through(head[e.channel], head_got[e.channel]);
        } else {
          const int half = p.spec.rotary_dim / 2;
          const int j = p.spec.pairing == Pairing::neox ? e.channel % half : e.channel / 2;
          const auto [c0, c1] = pair_channels(p.spec.pairing, j, p.spec.rotary_dim);
          out = exact.rotated(e.head, j, e.channel == c1, head[c0], head[c1], head_got[e.channel], exact.pair_norm(head[c0], head[c1]));
        }
        e.exact = out.exact;
        e.ulp = out.ulp;
        e.pair_ulp = out.pair_ulp;
        e.abs_error = out.abs_error;
      }
    });
  };
  if (o.engine == Engine::fast) {
    for (auto& list : lists) refine(list.candidates);
    // Where an element a list turned away may, by its fast figure, reach the last figure reported in MPFR
    // (ties included: the smaller index wins), the list is rebuilt from every element within the tolerance
    // of that figure, all refined in MPFR. Only near-exact ties do this; its memory is their number.
    std::array<bool, 2> again{};
    std::array<double, 2> cut{};
    for (std::size_t m = 0; m < 2; ++m) {
      WorstList& list = lists[m];
      std::sort(list.candidates.begin(), list.candidates.end(), list.order);
      const std::size_t needed = m == verdict ? o.worst : 1;  // the other metric reports its maximum only
      if (needed == 0 || list.candidates.size() < needed) continue;
      cut[m] = list.order.figure(list.candidates[needed - 1]);
      again[m] = list.discarded + kFigureTolerance >= cut[m];
    }
    if (again[0] || again[1]) {
      std::vector<std::array<std::vector<ElementError>, 2>> near(static_cast<std::size_t>(blocks_of.count));
      run_blocks(p, plan, o, true, [&](auto& w, const Blocks& blocks, std::int64_t k) {
        const BlockData d = load_block(p, blocks, k, x, &got);
        const int b = static_cast<int>(k / blocks.blocks_per_row);
        auto& mine = near[static_cast<std::size_t>(k)];
        return visit_block(w, p, blocks, k, d.x, d.bits, [&](std::size_t i, int t, int h, int c, int, double, const ElementOutcome& e) {
          for (std::size_t m = 0; m < 2; ++m)
            if (again[m] && e.figure(static_cast<Metric>(m)) >= cut[m] - kFigureTolerance)
              mine[m].push_back(element_error(static_cast<std::size_t>(d.first) + i, b * p.row.tokens + t, h, c,
                                              decode_bits(d.bits[i], p.dtype), e));
        });
      });
      for (std::size_t m = 0; m < 2; ++m) {
        if (!again[m]) continue;
        lists[m].candidates.clear();
        for (auto& block : near) lists[m].candidates.insert(lists[m].candidates.end(), block[m].begin(), block[m].end());
        refine(lists[m].candidates);
      }
    }
  }
  for (auto& list : lists) std::sort(list.candidates.begin(), list.candidates.end(), list.order);
  if (!lists[0].candidates.empty()) report.max_ulp = lists[0].candidates.front().ulp;
  if (!lists[1].candidates.empty()) report.max_pair_ulp = lists[1].candidates.front().pair_ulp;
  std::vector<ElementError>& candidates = lists[verdict].candidates;
  candidates.resize(std::min(candidates.size(), o.worst));
  report.worst = std::move(candidates);
  return report;
}

}  // namespace mmrope::judge

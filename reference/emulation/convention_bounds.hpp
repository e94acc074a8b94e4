// What a convention can produce for each element under an error model: the [low, high] its recipe gives as pow, cos and sin range over their bounds.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <cstdint>
#include <bit>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "../rotation.hpp"
#include "convention.hpp"
#include "emulated_rotation.hpp"
#include "error_model.hpp"
#include "fp32_phase.hpp"

namespace mmrope {

// Per element the least and the largest bit pattern (as values: low <= high) the convention can give.
struct ConventionRange {
  TensorShape shape;
  DType dtype = DType::fp32;
  std::vector<double> low, high;
  bool contains(std::size_t i, double got) const { return got >= low[i] && got <= high[i]; }
};

namespace detail {

// fp32 a + b for a double a (an exact product of two fp32 values) and an fp32 b, rounded once: the fused
// multiply-add's result. The double sum can itself be rounded, so an fp32 midpoint is settled by the error term.
inline double fp32_of_exact_sum(double a, double b) {
  const double hi = a + b;
  const double bb = hi - a;
  const double lo = (a - (hi - bb)) + (b - bb);
  const double r = round_to_dtype(hi, DType::fp32);
  if (lo == 0 || r == hi || !std::isfinite(hi)) return r;
  const double other = fp32_step(r, hi > r);
  if (std::fabs(hi - r) != std::fabs(other - hi)) return r;  // not a midpoint: hi + lo rounds as hi does
  return (lo > 0) == (other > r) ? other : r;
}

// fp32 -> tf32 (10 explicit significand bits): to nearest, ties away (cvt.rna), or by truncation (wgmma).
inline double tf32(double fp32_value, bool truncate) {
  std::uint32_t bits = std::bit_cast<std::uint32_t>(static_cast<float>(fp32_value));
  if (!truncate && (bits & 0x7f800000u) != 0x7f800000u) bits += 0x1000u;
  return static_cast<double>(std::bit_cast<float>(bits & 0xffffe000u));
}

}  // namespace detail

// Follows the convention's recipe (convention.hpp) with every function result ranging over what the error
// model allows, and returns per output the hull of the results. Each step is monotone in the values it
// takes (roundings are, and a product by a fixed input is), so the hull's ends come from the ends of the
// cos/sin ranges; the cos/sin ranges come from the phase range's ends and any extremum of cos or sin inside.
// cos and sin are ranged independently: the hull may hold a few outputs no single cos/sin pair gives.
template <class S = Mpfr256>
class ConventionBounds {
 public:
  ConventionBounds(const FrequencyPlan<S>& plan, std::vector<Position3> positions, Convention convention, const ErrorModel& model)
      : spec_(plan.spec), convention_(convention), model_(model), positions_(std::move(positions)) {
    attention_factor_ = decode_bits(round_to_fp32(plan.attention_factor), DType::fp32);
    frequencies(plan);
    for (Axis axis : kAxes) {
      const int ai = static_cast<int>(axis);
      std::map<Coordinate, int> index;
      token_row_[ai].resize(positions_.size());
      for (std::size_t t = 0; t < positions_.size(); ++t) {
        auto [it, inserted] = index.try_emplace(positions_[t][axis], static_cast<int>(fp32_positions_[ai].size()));
        if (inserted) fp32_positions_[ai].push_back(fp32_position<S>(positions_[t][axis]));
        token_row_[ai][t] = it->second;
      }
      table_[ai].assign(fp32_positions_[ai].size(), {});
    }
  }

  // The hull of every output, for x ([tokens, heads, head_dim]) in the output (activation) dtype. Not const: it
  // fills the per-position cache (one object per thread).
  ConventionRange apply(const std::vector<double>& x, TensorShape shape, TensorRole role, Direction direction, DType dtype) {
    if (shape.size() != x.size() || shape.tokens != static_cast<int>(positions_.size()) || shape.head_dim != spec_.head_dim)
      throw Error("convention bounds: the tensor's shape does not match its values, positions or head_dim");
    const DType cache = cache_dtype(convention_, dtype), arith = arithmetic_dtype(convention_, dtype);
    const bool fuse = model_.contraction && arith == DType::fp32;
    ConventionRange out;
    out.shape = shape;
    out.dtype = dtype;
    out.low.resize(shape.size());
    out.high.resize(shape.size());
    const Allocation& al = spec_.allocation;
    for (int t = 0; t < shape.tokens; ++t)
      for (int h = 0; h < shape.heads; ++h) {
        for (int j = 0; j < spec_.pairs(); ++j) {
          const PairAxis axis = role == TensorRole::query ? al.query_axis(al.per_head() ? h : 0, j)
                                                          : al.key_axis(al.per_head() ? h : 0, j);
          Ranges r = axis ? ranges(t, *axis, j) : Ranges{{attention_factor_, attention_factor_}, {0.0, 0.0}};
          r.cos = {round_to_dtype(r.cos.first, cache), round_to_dtype(r.cos.second, cache)};
          r.sin = {round_to_dtype(r.sin.first, cache), round_to_dtype(r.sin.second, cache)};
          const auto [c0, c1] = pair_channels(spec_.pairing, j, spec_.rotary_dim);
          const std::size_t i0 = shape.index(t, h, c0), i1 = shape.index(t, h, c1);
          const double a = round_to_dtype(x[i0], dtype), b = round_to_dtype(x[i1], dtype);
          const bool forward = direction == Direction::forward;
          // y0 = a c -+ b s and y1 = b c +- a s: (first, second, subtract) as the judge writes them.
          hull(a, b, forward, r, arith, fuse, dtype, out.low[i0], out.high[i0]);
          hull(b, a, !forward, r, arith, fuse, dtype, out.low[i1], out.high[i1]);
        }
        for (int c = spec_.rotary_dim; c < shape.head_dim; ++c) {
          const std::size_t i = shape.index(t, h, c);
          out.low[i] = out.high[i] = round_to_dtype(x[i], dtype);
        }
      }
    return out;
  }

 private:
  using Range = std::pair<double, double>;
  struct Ranges {
    Range cos, sin;
  };
  struct PositionRanges {
    std::vector<std::optional<Ranges>> pairs;  // filled as pairs are read
    std::vector<Range> running;                // ggml-running-product: the phase range of every pair
  };

  // Step 1, per pair: the range of the frequency (fp32 inv_freq, or ggml's scale) under the pow model.
  Range pow_results(double x, double y) const {
    using std::pow;
    const S exact = pow(S(x), S(y));
    if (!model_.fast_math_pow) return fp32_results(exact, exact, model_.pow);
    const double relative = fast_math_pow_relative_error(x, y);
    return {fp32_at_or_above(S(exact * S(1 - relative))), fp32_at_or_below(S(exact * S(1 + relative)))};
  }

  void frequencies(const FrequencyPlan<S>& plan) {
    const int d = spec_.rotary_dim, pairs = spec_.pairs();
    const double base = decode_bits(round_to_fp32(parse_scalar<S>(spec_.base, "rope base")), DType::fp32);
    if (convention_ == Convention::ggml_running_product) {
      scale_ = pow_results(base, dtype_div(-2.0, static_cast<double>(d), DType::fp32));
      return;
    }
    for (int j = 0; j < pairs; ++j) {
      const double exponent = dtype_div(2.0 * j, static_cast<double>(d), DType::fp32);
      if (spec_.scaling.kind != ScalingKind::none) {  // as fp32_inverse_frequencies: the scaled theta rounded once
        const double v = decode_bits(round_to_fp32(plan.inverse_frequencies[static_cast<std::size_t>(j)]), DType::fp32);
        inverse_.emplace_back(v, v);
      } else if (convention_ == Convention::fast_math) {
        inverse_.push_back(pow_results(dtype_div(1.0, base, DType::fp32), exponent));
      } else {
        const Range p = pow_results(base, exponent);  // inv = fp32(1 / p): decreasing in p
        inverse_.emplace_back(dtype_div(1.0, p.second, DType::fp32), dtype_div(1.0, p.first, DType::fp32));
      }
    }
  }

  // Step 2: the phase range of a pair at an fp32 position.
  Range phase(const std::vector<Range>& running, double pos, int j) const {
    if (convention_ == Convention::ggml_running_product) return running[static_cast<std::size_t>(j)];
    const Range inv = inverse_[static_cast<std::size_t>(j)];
    if (convention_ == Convention::tf32_phase) {
      double lo = std::numeric_limits<double>::infinity(), hi = -lo;
      for (bool tp : {false, true})
        for (double iv : {detail::tf32(inv.first, true), detail::tf32(inv.second, false), detail::tf32(inv.first, false),
                          detail::tf32(inv.second, true)}) {
          const double v = detail::tf32(pos, tp) * iv;  // exact: two 11-bit significands
          lo = std::min(lo, v);
          hi = std::max(hi, v);
        }
      return {lo, hi};
    }
    const double p1 = dtype_mul(pos, inv.first, DType::fp32), p2 = dtype_mul(pos, inv.second, DType::fp32);
    return {std::min(p1, p2), std::max(p1, p2)};
  }

  // cos and sin over a phase range, then widened by the model and scaled by the attention factor.
  Ranges cos_sin(Range theta) const {
    const CosSin<S> a = cos_sin_of_angle(S(theta.first));
    const CosSin<S> b = theta.second == theta.first ? a : cos_sin_of_angle(S(theta.second));
    S cos_lo = std::min(a.cos, b.cos), cos_hi = std::max(a.cos, b.cos);
    S sin_lo = std::min(a.sin, b.sin), sin_hi = std::max(a.sin, b.sin);
    if (theta.second != theta.first) {
      // Extrema inside: cos at k pi, sin at (k + 1/2) pi. A range wider than pi holds every value.
      const S pi = pi_of<S>(), half_pi = S(pi / 2);
      using std::ceil;
      using std::floor;
      const S first = ceil(S(S(theta.first) / half_pi)), last = floor(S(S(theta.second) / half_pi));
      if (last - first > 4) {
        cos_lo = sin_lo = -1;
        cos_hi = sin_hi = 1;
      } else {
        for (S k = first; k <= last; k = k + 1) {
          const long q = static_cast<long>(k);
          const long m = ((q % 4) + 4) % 4;  // the quadrant boundary k pi / 2: cos 1, sin 1, cos -1, sin -1
          if (m == 0) cos_hi = 1;
          if (m == 1) sin_hi = 1;
          if (m == 2) cos_lo = -1;
          if (m == 3) sin_lo = -1;
        }
      }
    }
    const double argument = std::max(std::fabs(theta.first), std::fabs(theta.second));
    Ranges r{fp32_results(cos_lo, cos_hi, model_.cos, argument), fp32_results(sin_lo, sin_hi, model_.sin, argument)};
    if (attention_factor_ != 1.0) {  // HF: cos() * attention_scaling in fp32 (a positive factor keeps the order)
      r.cos = {dtype_mul(r.cos.first, attention_factor_, DType::fp32), dtype_mul(r.cos.second, attention_factor_, DType::fp32)};
      r.sin = {dtype_mul(r.sin.first, attention_factor_, DType::fp32), dtype_mul(r.sin.second, attention_factor_, DType::fp32)};
    }
    return r;
  }

  const Ranges& ranges(int token, Axis axis, int j) {
    const int ai = static_cast<int>(axis);
    const auto row = static_cast<std::size_t>(token_row_[ai][static_cast<std::size_t>(token)]);
    PositionRanges& cached = table_[ai][row];
    const double pos = fp32_positions_[ai][row];
    if (cached.pairs.empty()) {
      cached.pairs.resize(static_cast<std::size_t>(spec_.pairs()));
      if (convention_ == Convention::ggml_running_product) {
        // theta_{j+1} = fp32(theta_j * s): monotone in theta_j and in s (decreasing in s for theta < 0), so the
        // range's ends follow from the corners.
        Range theta{pos, pos};
        for (int k = 0; k < spec_.pairs(); ++k) {
          cached.running.push_back(theta);
          const double a = dtype_mul(theta.first, scale_.first, DType::fp32), b = dtype_mul(theta.second, scale_.second, DType::fp32);
          const double c = dtype_mul(theta.first, scale_.second, DType::fp32), d = dtype_mul(theta.second, scale_.first, DType::fp32);
          theta = {std::min({a, b, c, d}), std::max({a, b, c, d})};
        }
      }
    }
    std::optional<Ranges>& slot = cached.pairs[static_cast<std::size_t>(j)];
    if (!slot) slot = cos_sin(phase(cached.running, pos, j));
    return *slot;
  }

  // The hull of y = first c + (subtract ? -1 : 1) second s over the cos/sin ranges, in every accepted
  // evaluation order: separate roundings, or one product fused (fma) with the other rounded.
  static void hull(double first, double second, bool subtract, const Ranges& r, DType arith, bool fuse, DType out,
                   double& low, double& high) {
    const double sg = subtract ? -second : second;
    const auto eval = [&](double c, double s, bool smallest) {
      const double p1 = first * c, p2 = sg * s;  // exact in double: <= 24-bit operands
      double v = dtype_add(round_to_dtype(p1, arith), round_to_dtype(p2, arith), arith);
      if (fuse) {
        const double f1 = detail::fp32_of_exact_sum(p1, round_to_dtype(p2, arith));
        const double f2 = detail::fp32_of_exact_sum(p2, round_to_dtype(p1, arith));
        v = smallest ? std::min({v, f1, f2}) : std::max({v, f1, f2});
      }
      return round_to_dtype(v, out);
    };
    // Increasing in c where first >= 0, in s where sg >= 0.
    low = eval(first >= 0 ? r.cos.first : r.cos.second, sg >= 0 ? r.sin.first : r.sin.second, true);
    high = eval(first >= 0 ? r.cos.second : r.cos.first, sg >= 0 ? r.sin.second : r.sin.first, false);
    // A product that overflows the arithmetic dtype meeting one of the other sign gives inf - inf: the recipe
    // can then give NaN or either infinity, depending on the order, and no interval is tighter than all values.
    if (std::isnan(low) || std::isnan(high)) {
      low = -std::numeric_limits<double>::infinity();
      high = std::numeric_limits<double>::infinity();
    }
  }

  RotarySpec spec_;
  Convention convention_;
  ErrorModel model_;
  std::vector<Position3> positions_;
  double attention_factor_ = 1.0;
  std::vector<Range> inverse_;  // per pair: the fp32 inv_freq range (fast-math: __powf's)
  Range scale_{1.0, 1.0};       // ggml-running-product: the range of fp32 base^(-2/d)
  std::array<std::vector<int>, 3> token_row_;
  std::array<std::vector<double>, 3> fp32_positions_;
  std::array<std::vector<PositionRanges>, 3> table_;  // per axis, per distinct position
};

}  // namespace mmrope

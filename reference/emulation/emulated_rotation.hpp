// A rotation computed the way a named lower-precision convention computes it, bit for bit, for comparison with the exact one.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <vector>

#include "../rotation.hpp"
#include "convention.hpp"
#include "fp32_phase.hpp"

namespace mmrope {

// Output bit patterns of an emulated rotation, shaped like RotatedTensor (no exact values: there are none).
struct EmulatedTensor {
  TensorShape shape;
  DType dtype = DType::fp32;
  std::vector<std::uint32_t> bits;
  double rounded(std::size_t i) const { return decode_bits(bits[i], dtype); }
};

// The dtype cos/sin are held in, per convention (activation-dtype: the output dtype).
inline DType cache_dtype(Convention c, DType activation) {
  switch (c) {
    case Convention::fp32_phase: return DType::fp32;
    case Convention::bf16_cache: return DType::bf16;
    case Convention::fp16_cache: return DType::fp16;
    case Convention::activation_dtype: return activation;
    default: return DType::fp32;  // the conventions that change the phase keep an fp32 cache
  }
}

// The conventions with the common fp32 phase, which EmulatedRotation reproduces bit for bit.
inline bool emulated_bit_for_bit(Convention c) {
  return c == Convention::fp32_phase || c == Convention::bf16_cache || c == Convention::fp16_cache ||
         c == Convention::activation_dtype;
}

// The dtype the products and sums of the rotation are rounded to.
inline DType arithmetic_dtype(Convention c, DType activation) {
  return c == Convention::activation_dtype ? activation : DType::fp32;
}

// Emulates a convention (convention.hpp) step by step on a sequence's positions:
//   1. inv_freq in fp32 (fp32_inverse_frequencies); the position of the pair's axis rounded to fp32;
//   2. phase = fp32(pos * inv_freq); c, s = correctly rounded fp32 cos, sin of it; with a YaRN attention
//      factor f != 1, c and s are multiplied by fp32(f) in fp32 (HF: cos() * attention_scaling);
//      a pair that does not rotate (HoPE's band, MHRoPE's leftover heads) has c = fp32(f), s = 0;
//   3. c, s rounded to the cache dtype (fp32, bf16, fp16, or the activation dtype);
//   4. the input, held in the activation dtype D (rounded to it: a no-op for D-valued inputs);
//   5. forward y0 = A(A(a c) - A(b s)), y1 = A(A(b c) + A(a s)); backward (R^T) y0 = A(A(a c) + A(b s)),
//      y1 = A(A(b c) - A(a s)), with A the arithmetic dtype (fp32, or D for activation-dtype), no FMA;
//   6. y rounded to D (a second rounding after fp32 arithmetic; none for activation-dtype);
//      channels from rotary_dim on are the input rounded to D.
// S is the scalar the correctly rounded pow, cos and sin are computed in.
template <class S = Mpfr256>
class EmulatedRotation {
 public:
  EmulatedRotation(const FrequencyPlan<S>& plan, std::vector<Position3> positions, Convention convention)
      : spec_(plan.spec), convention_(convention), positions_(std::move(positions)) {
    if (!emulated_bit_for_bit(convention))
      throw Error("convention " + std::string(to_string(convention)) + " is emulated as bounds only (ConventionBounds)");
    inverse_frequencies_ = fp32_inverse_frequencies(plan);
    attention_factor_ = decode_bits(round_to_fp32(plan.attention_factor), DType::fp32);
    none_ = {attention_factor_, 0.0};
    for (Axis axis : kAxes) {
      const int ai = static_cast<int>(axis);
      std::map<Coordinate, int> index;
      token_row_[ai].resize(positions_.size());
      for (std::size_t t = 0; t < positions_.size(); ++t) {
        const Coordinate& c = positions_[t][axis];
        auto [it, inserted] = index.try_emplace(c, static_cast<int>(table_[ai].size()));
        if (inserted) table_[ai].emplace_back(static_cast<std::size_t>(spec_.pairs()));
        token_row_[ai][t] = it->second;
      }
      fp32_positions_[ai].resize(table_[ai].size());
      for (const auto& [c, row] : index) fp32_positions_[ai][static_cast<std::size_t>(row)] = fp32_position<S>(c);
      computed_[ai].assign(table_[ai].size() * static_cast<std::size_t>(spec_.pairs()), false);
    }
  }

  Convention convention() const { return convention_; }
  const std::vector<double>& inverse_frequencies() const { return inverse_frequencies_; }

  // Steps 1-2: the fp32 phase and the fp32 cos/sin (attention factor applied) of pair j of a token's axis a.
  double phase(int token, Axis axis, int pair) const {
    const int ai = static_cast<int>(axis);
    return fp32_phase(fp32_positions_[ai][static_cast<std::size_t>(token_row_[ai][static_cast<std::size_t>(token)])],
                      inverse_frequencies_[static_cast<std::size_t>(pair)]);
  }
  // Not const: it fills the cache (one object per thread).
  CosSin<double> fp32_cos_sin_of(int token, TensorRole role, int head, int pair) {
    const Allocation& a = spec_.allocation;
    const PairAxis axis = role == TensorRole::query ? a.query_axis(a.per_head() ? head : 0, pair)
                                                    : a.key_axis(a.per_head() ? head : 0, pair);
    if (!axis) return none_;
    const int ai = static_cast<int>(*axis);
    const std::size_t row = static_cast<std::size_t>(token_row_[ai][static_cast<std::size_t>(token)]);
    const std::size_t slot = row * static_cast<std::size_t>(spec_.pairs()) + static_cast<std::size_t>(pair);
    CosSin<double>& cs = table_[ai][row][static_cast<std::size_t>(pair)];
    if (!computed_[ai][slot]) {
      cs = fp32_cos_sin<S>(phase(token, *axis, pair));
      if (attention_factor_ != 1.0) {
        cs.cos = dtype_mul(cs.cos, attention_factor_, DType::fp32);
        cs.sin = dtype_mul(cs.sin, attention_factor_, DType::fp32);
      }
      computed_[ai][slot] = true;
    }
    return cs;
  }

  // Steps 3-6 on x ([tokens, heads, head_dim]) for the output (activation) dtype.
  EmulatedTensor apply(const std::vector<double>& x, TensorShape shape, TensorRole role, Direction direction,
                       DType dtype) {
    if (shape.size() != x.size() || shape.tokens != static_cast<int>(positions_.size()) || shape.head_dim != spec_.head_dim)
      throw Error("emulated rotation: the tensor's shape does not match its values, positions or head_dim");
    const DType cache = cache_dtype(convention_, dtype), arith = arithmetic_dtype(convention_, dtype);
    EmulatedTensor out;
    out.shape = shape;
    out.dtype = dtype;
    out.bits.resize(shape.size());
    for (int t = 0; t < shape.tokens; ++t) {
      for (int h = 0; h < shape.heads; ++h) {
        for (int j = 0; j < spec_.pairs(); ++j) {
          const auto [c0, c1] = pair_channels(spec_.pairing, j, spec_.rotary_dim);
          const std::size_t i0 = shape.index(t, h, c0), i1 = shape.index(t, h, c1);
          const CosSin<double> f = fp32_cos_sin_of(t, role, h, j);
          const double c = round_to_dtype(f.cos, cache), s = round_to_dtype(f.sin, cache);
          const double a = round_to_dtype(x[i0], dtype), b = round_to_dtype(x[i1], dtype);
          const double ac = dtype_mul(a, c, arith), bs = dtype_mul(b, s, arith);
          const double bc = dtype_mul(b, c, arith), as = dtype_mul(a, s, arith);
          const bool forward = direction == Direction::forward;
          const double y0 = forward ? dtype_sub(ac, bs, arith) : dtype_add(ac, bs, arith);
          const double y1 = forward ? dtype_add(bc, as, arith) : dtype_sub(bc, as, arith);
          out.bits[i0] = round_to_bits(y0, dtype);
          out.bits[i1] = round_to_bits(y1, dtype);
        }
        for (int c = spec_.rotary_dim; c < shape.head_dim; ++c)
          out.bits[shape.index(t, h, c)] = round_to_bits(x[shape.index(t, h, c)], dtype);
      }
    }
    return out;
  }

 private:
  RotarySpec spec_;
  Convention convention_;
  std::vector<Position3> positions_;
  std::vector<double> inverse_frequencies_;
  double attention_factor_ = 1.0;
  CosSin<double> none_;
  std::array<std::vector<int>, 3> token_row_;
  std::array<std::vector<double>, 3> fp32_positions_;
  std::array<std::vector<std::vector<CosSin<double>>>, 3> table_;  // per axis: distinct position -> per pair
  std::array<std::vector<bool>, 3> computed_;                      // lazily filled: only pairs read
};

}  // namespace mmrope

// The fp32 phase of the common convention: transformers' fp32 inv_freq, fp32(pos) * inv_freq, fp32 cos/sin of it.
#pragma once

#include <vector>

#include "../frequency/frequency_plan.hpp"
#include "../positions.hpp"
#include "../rotation.hpp"
#include "dtype_arithmetic.hpp"

namespace mmrope {

// inv_freq as transformers (Qwen2-VL, Llama, default rope) and vLLM build it, every step in fp32:
//   e_j   = fp32(fp32(2j) / fp32(d))             torch.arange(0, d, 2, dtype=int64).float() / d
//   p_j   = fp32(fp32(base) ** e_j)              base ** e (a Python float base: the pow is computed in fp32)
//   inv_j = fp32(1 / p_j)                        1.0 / (...)
// The pow is modelled as correctly rounded (MPFR in S, then rounded once to fp32); a libm powf may differ
// from it by an ulp, which is a property of that libm, not of the convention. For a scaled spectrum (linear,
// NTK, YaRN, llama3) the exact scaled theta_j is rounded once to fp32 instead: the scaling formulas'
// own fp32 roundings are not modelled.
template <class S>
std::vector<double> fp32_inverse_frequencies(const FrequencyPlan<S>& plan) {
  const RotarySpec& spec = plan.spec;
  std::vector<double> out;
  const int d = spec.rotary_dim;
  if (spec.scaling.kind != ScalingKind::none) {
    for (const S& theta : plan.inverse_frequencies) out.push_back(decode_bits(round_to_fp32(theta), DType::fp32));
    return out;
  }
  const double base = decode_bits(round_to_fp32(parse_scalar<S>(spec.base, "rope base")), DType::fp32);
  for (int j = 0; j < spec.pairs(); ++j) {
    const double exponent = dtype_div(2.0 * j, static_cast<double>(d), DType::fp32);
    using std::pow;
    const double power = decode_bits(round_to_fp32(S(pow(S(base), S(exponent)))), DType::fp32);
    out.push_back(dtype_div(1.0, power, DType::fp32));
  }
  return out;
}

// The position as fp32, rounded once from its exact value (integers above 2^24 lose their low bits).
template <class S>
double fp32_position(const Coordinate& c) {
  return decode_bits(round_to_fp32(to_scalar<S>(c)), DType::fp32);
}

// phase = fp32(fp32(pos) * inv_freq): HF's inv_freq @ position_ids (an fp32 product: the inner dimension is 1).
inline double fp32_phase(double fp32_pos, double fp32_inverse_frequency) {
  return dtype_mul(fp32_pos, fp32_inverse_frequency, DType::fp32);
}

// cos and sin of an fp32 phase, each the correctly rounded fp32 value (torch's fp32 cos/sin are accurate to
// about an ulp; the convention is modelled with the correctly rounded one). Computed in S, rounded once.
template <class S>
CosSin<double> fp32_cos_sin(double phase) {
  const CosSin<S> cs = cos_sin_of_angle(S(phase));
  return {decode_bits(round_to_fp32(cs.cos), DType::fp32), decode_bits(round_to_fp32(cs.sin), DType::fp32)};
}

}  // namespace mmrope

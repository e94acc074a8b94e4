// The rotation of one channel pair in double: forward (x0, x1) R(theta), backward by R(theta)^T = R(-theta).
#pragma once

#include "host_device.hpp"
#include "reference/vocabulary.hpp"
#include "sincospi.hpp"

namespace mmrope::kernels {

struct PairValues {
  double first = 0;
  double second = 0;
};

// forward:  (a cos - b sin, b cos + a sin), what attention applies to q and k.
// backward: (a cos + b sin, b cos - a sin), the gradient dx = R^T dy.
// Two products and one sum per output, each rounded once in double (no FMA: see sincospi.hpp); the inputs
// are fp32/fp16/bf16 values, exact in double.
MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE PairValues rotate_pair(double a, double b, CosSin cs, Direction d) {
  const double sin = d == Direction::forward ? cs.sin : -cs.sin;
  return {a * cs.cos - b * sin, b * cs.cos + a * sin};
}

// cos and sin times the attention factor (YaRN's mscale; 1 elsewhere, where the product is exact).
MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE CosSin scaled(CosSin cs, double attention_factor) {
  return {cs.cos * attention_factor, cs.sin * attention_factor};
}

}  // namespace mmrope::kernels

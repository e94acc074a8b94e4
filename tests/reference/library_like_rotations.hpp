// Rotations written the way two shipped libraries compute them, in plain float arithmetic (the test oracle for conventions).
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

#include "reference/rounding.hpp"

namespace mmrope::library_like {

// These follow the libraries' published code, not mmrope's emulation: float arithmetic, the C library's powf,
// cosf and sinf, and the libraries' own order of operations. `axis_of(pair)` gives the row (0 t, 1 h, 2 w) of
// `positions` a pair reads; ggml_like also takes 3, its fourth position, which llama.cpp leaves 0. x and the result are [tokens, heads, head_dim], neox pairs (j, j + half).
struct Problem {
  int tokens = 0, heads = 0, head_dim = 0;
  float base = 1000000.0f;
  std::vector<std::array<std::int64_t, 3>> positions;  // per token (t, h, w)
  std::function<int(int)> axis_of;
};

// transformers' Qwen2-VL / Qwen2.5-VL rotary code in fp32 (torch on CPU):
//   inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim))
//   freqs = inv_freq[:, None].float() @ position_ids[None, :].float()   (inner dimension 1: one fp32 product)
//   cos, sin = emb.cos(), emb.sin();  q_embed = q * cos + rotate_half(q) * sin   (separate fp32 ops)
// bf16_eager: q, cos and sin are bf16 and every product and sum is rounded to bf16 (eager bf16 execution);
// bf16_cos_sin: only cos and sin are rounded to bf16 (a model-dtype cache), the rest stays fp32.
enum class Precision { fp32, bf16_eager, bf16_cos_sin };

inline std::vector<double> transformers_like(const Problem& p, const std::vector<double>& x, Precision precision) {
  const bool bf16 = precision == Precision::bf16_eager;
  const int half = p.head_dim / 2;
  std::vector<float> inv(static_cast<std::size_t>(half));
  for (int j = 0; j < half; ++j) {
    const float exponent = static_cast<float>(2 * j) / static_cast<float>(p.head_dim);
    inv[static_cast<std::size_t>(j)] = 1.0f / std::pow(p.base, exponent);
  }
  const auto to_model = [bf16](float v) {
    return bf16 ? static_cast<float>(decode_bits(round_to_bits(static_cast<double>(v), DType::bf16), DType::bf16)) : v;
  };
  std::vector<double> y(x.size());
  for (int t = 0; t < p.tokens; ++t)
    for (int h = 0; h < p.heads; ++h)
      for (int j = 0; j < half; ++j) {
        const float pos = static_cast<float>(p.positions[static_cast<std::size_t>(t)][static_cast<std::size_t>(p.axis_of(j))]);
        const float freq = pos * inv[static_cast<std::size_t>(j)];
        const auto cache = [&](float v) {
          return precision == Precision::fp32 ? v : static_cast<float>(decode_bits(round_to_bits(static_cast<double>(v), DType::bf16), DType::bf16));
        };
        const float c = cache(std::cos(freq)), s = cache(std::sin(freq));
        const std::size_t i0 = (static_cast<std::size_t>(t) * p.heads + h) * p.head_dim + j, i1 = i0 + half;
        const float a = to_model(static_cast<float>(x[i0])), b = to_model(static_cast<float>(x[i1]));
        // rotate_half(q) = (-q1, q0): y0 = q0 cos + (-q1) sin, y1 = q1 cos + q0 sin.
        const float ac = to_model(a * c), nbs = to_model(-b * s), bc = to_model(b * c), as = to_model(a * s);
        y[i0] = to_model(ac + nbs);
        y[i1] = to_model(bc + as);
      }
  return y;
}

// ggml's CPU rope_multi (llama.cpp) in MROPE mode, f32: theta_scale = powf(freq_base, -2.0f / n_dims); per
// axis a running product theta = p, then theta *= theta_scale after each pair; cos_theta = cosf(theta),
// sin_theta = sinf(theta) (mscale 1); dst[0] = x0 * cos - x1 * sin, dst[n/2] = x0 * sin + x1 * cos.
inline std::vector<double> ggml_like(const Problem& p, const std::vector<double>& x) {
  const int half = p.head_dim / 2;
  const float theta_scale = std::pow(p.base, -2.0f / static_cast<float>(p.head_dim));
  std::vector<double> y(x.size());
  for (int t = 0; t < p.tokens; ++t) {
    float theta[4] = {0, 0, 0, 0};
    for (int a = 0; a < 3; ++a) theta[a] = static_cast<float>(p.positions[static_cast<std::size_t>(t)][static_cast<std::size_t>(a)]);
    std::vector<float> cos_theta(static_cast<std::size_t>(half)), sin_theta(static_cast<std::size_t>(half));
    for (int j = 0; j < half; ++j) {
      const float th = theta[p.axis_of(j)];
      cos_theta[static_cast<std::size_t>(j)] = std::cos(th);
      sin_theta[static_cast<std::size_t>(j)] = std::sin(th);
      for (float& v : theta) v *= theta_scale;
    }
    for (int h = 0; h < p.heads; ++h)
      for (int j = 0; j < half; ++j) {
        const std::size_t i0 = (static_cast<std::size_t>(t) * p.heads + h) * p.head_dim + j, i1 = i0 + half;
        const float x0 = static_cast<float>(x[i0]), x1 = static_cast<float>(x[i1]);
        const float c = cos_theta[static_cast<std::size_t>(j)], s = sin_theta[static_cast<std::size_t>(j)];
        y[i0] = x0 * c - x1 * s;
        y[i1] = x0 * s + x1 * c;
      }
  }
  return y;
}

}  // namespace mmrope::library_like

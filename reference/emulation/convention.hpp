// The named lower-precision RoPE conventions a kernel may follow, and the error model each accepts by default.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "../error.hpp"
#include "../registry.hpp"

namespace mmrope {

// Each convention is a step-by-step recipe, emulated bit for bit by EmulatedRotation. The first two steps are
// shared (fp32_phase.hpp):
//   1. inv_freq_j = fp32(1 / fp32(fp32(base) ** fp32(fp32(2j) / fp32(d))))    (transformers, vLLM, SGLang)
//   2. phase = fp32(fp32(pos) * inv_freq_j); c, s = fp32(cos(phase)), fp32(sin(phase)), correctly rounded
// Then:
//   fp32-phase       rotation in fp32: y0 = fp32(fp32(a c) - fp32(b s)), y1 = fp32(fp32(b c) + fp32(a s));
//                    each output rounded once more, to the output dtype. (TE, FlashInfer's fp32 cache, SGLang 1-D.)
//   bf16-cache       c, s rounded to bf16 (a model-dtype cache), then the fp32 rotation above. (vLLM CUDA kernel.)
//   fp16-cache       c, s rounded to fp16, then the fp32 rotation above.
//   activation-dtype c, s rounded to the activation dtype D and every product and sum rounded to D:
//                    y0 = D(D(a c) + D(-b s)), y1 = D(D(b c) + D(a s)) -- eager PyTorch's
//                    q * cos + rotate_half(q) * sin in bf16 (HF eager, Liger, vLLM/SGLang Triton MRoPE, Apex).
// Three more change the phase, then rotate in fp32 as fp32-phase does:
//   ggml-running-product  s = fp32(pow(fp32(base), fp32(-2 / d))); theta_0 = fp32(pos), theta_{j+1} = fp32(theta_j s):
//                    one running product per axis (ggml's CPU rope and rope_multi, llama.cpp).
//   fast-math        inv_freq_j = __powf(fp32(1 / fp32(base)), fp32(fp32(2j) / fp32(d))); phase = fp32(pos inv_freq_j);
//                    __sincosf (FlashInfer's pos_enc; nvcc -use_fast_math code such as ggml-CUDA's cos/sin).
//   tf32-phase       phase = tf32(pos) * tf32(inv_freq_j), exact in fp32 (11-bit significands), with tf32() rounding
//                    to nearest or truncating (both occur: cvt.rna, wgmma's truncation): HF's inv_freq @ positions and
//                    Megatron's matmul on Ampere and later with TF32 on.
// Functions are judged by an error model (error_model.hpp): the convention's output is any value its recipe
// gives with pow, cos and sin anywhere within the model's bounds; the bit-exact recipe is "correctly-rounded".
enum class Convention { fp32_phase, bf16_cache, fp16_cache, activation_dtype, ggml_running_product, fast_math, tf32_phase };

struct ConventionInfo {
  Convention convention;
  std::string_view name;
  std::string_view summary;
  std::string_view error_model = "common";  // the model accepted unless another is named
};

inline const std::vector<ConventionInfo>& convention_registry() {
  static const std::vector<ConventionInfo> all = {
      {Convention::fp32_phase, "fp32-phase", "fp32 inv_freq and phase, fp32 cos/sin, rotation in fp32, output rounded"},
      {Convention::bf16_cache, "bf16-cache", "fp32-phase cos/sin rounded to bf16, rotation in fp32, output rounded"},
      {Convention::fp16_cache, "fp16-cache", "fp32-phase cos/sin rounded to fp16, rotation in fp32, output rounded"},
      {Convention::activation_dtype, "activation-dtype",
       "fp32-phase cos/sin rounded to the dtype, each multiply and add rounded to the dtype"},
      {Convention::ggml_running_product, "ggml-running-product",
       "ggml: the phase a running fp32 product theta_{j+1} = theta_j * base^(-2/d), rotation in fp32"},
      {Convention::fast_math, "fast-math", "FlashInfer: __powf inv_freq, fp32 phase, __sincosf, rotation in fp32",
       "cuda-fast-math"},
      {Convention::tf32_phase, "tf32-phase", "the phase a TF32 matmul of inv_freq and positions, rotation in fp32"},
  };
  return all;
}

inline std::string_view to_string(Convention c) {
  for (const auto& info : convention_registry())
    if (info.convention == c) return info.name;
  return "?";
}

inline const ConventionInfo& convention_info(Convention c) {
  for (const auto& info : convention_registry())
    if (info.convention == c) return info;
  throw Error("unregistered convention");
}

inline Convention parse_convention(std::string_view name) {
  return find_named(convention_registry(), name, "convention").convention;
}

}  // namespace mmrope

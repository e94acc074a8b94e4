// The named lower-precision RoPE conventions a kernel may follow (fp32-phase, bf16-cache, fp16-cache, activation-dtype).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "../error.hpp"

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
enum class Convention { fp32_phase, bf16_cache, fp16_cache, activation_dtype };

struct ConventionInfo {
  Convention convention;
  std::string_view name;
  std::string_view summary;
};

inline const std::vector<ConventionInfo>& convention_registry() {
  static const std::vector<ConventionInfo> all = {
      {Convention::fp32_phase, "fp32-phase", "fp32 inv_freq and phase, fp32 cos/sin, rotation in fp32, output rounded"},
      {Convention::bf16_cache, "bf16-cache", "fp32-phase cos/sin rounded to bf16, rotation in fp32, output rounded"},
      {Convention::fp16_cache, "fp16-cache", "fp32-phase cos/sin rounded to fp16, rotation in fp32, output rounded"},
      {Convention::activation_dtype, "activation-dtype",
       "fp32-phase cos/sin rounded to the dtype, each multiply and add rounded to the dtype"},
  };
  return all;
}

inline std::string_view to_string(Convention c) {
  for (const auto& info : convention_registry())
    if (info.convention == c) return info.name;
  return "?";
}

inline Convention parse_convention(std::string_view name) {
  std::string known;
  for (const auto& info : convention_registry()) {
    if (info.name == name) return info.convention;
    known += (known.empty() ? "" : ", ") + std::string(info.name);
  }
  throw Error("unknown convention " + quoted_prefix(name) + " (known: " + known + ")");
}

}  // namespace mmrope

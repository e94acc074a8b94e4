// Builds an fp32 cos/sin cache in vLLM's and FlashInfer's layout from the kernels' frequency table.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/core/kv_append_params.hpp"
#include "kernels/host/kernel_frequency_table.hpp"

namespace mmrope::kernels {

// Owns the cache a CosSinCacheArgs points at.
struct CosSinCache {
  std::vector<float> values;  // [max_position, rotary_dim]
  std::int64_t max_position = 0;
  int rotary_dim = 0;
  CosSinCacheArgs args() const { return {values.data(), max_position, rotary_dim}; }
};

// Row r: cos(r theta_j) times the attention factor for each pair j, then sin(r theta_j) times it, each the
// kernels' double value (the training kernels' phase, within a few units of 2^-53 of exact) rounded to fp32.
// A cache a serving engine builds in fp32 arithmetic (torch's cos of an fp32 angle) differs from this one by
// up to the angle's fp32 error; the KV-append kernel takes either as given.
CosSinCache build_cos_sin_cache(const KernelFrequencyTable& table, std::int64_t max_position);

}  // namespace mmrope::kernels

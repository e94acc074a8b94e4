// Draws a kernel case from the whole domain the kernels accept, from any source of integers: a seeded
// std::mt19937_64 in the tests, the input bytes in fuzz/. One generator, so both reach the same cases.
#pragma once

#include <cstdint>
#include <functional>
#include <random>

#include "kernel_case.hpp"

namespace mmrope::kernels::testing {

// An integer in [lo, hi] (lo <= hi).
using Pick = std::function<std::int64_t(std::int64_t lo, std::int64_t hi)>;

// Bounds that keep one case cheap to judge (the reference works per distinct (position, pair)).
struct CaseLimits {
  int max_sequences = 4;
  std::int64_t max_sequence_length = 6;
  int max_pairs = 16;       // rotary_dim <= 32
  int max_tail = 6;         // channels past rotary_dim
  int max_kv_heads = 4;
  int max_group = 8;        // query heads per KV head
};

// Every allocation (and MHRoPE with non-rotating heads), pairing, dtype, layout with random gaps in its
// strides, GQA groups up to 8, partial rotary, every scaling, in place or not, fused qkv, direction, batch and
// padding, every position source and every magnitude to 2^31 - 1, negative positions, and input values of
// ordinary magnitude or any finite value of the dtype.
KernelCase random_kernel_case(const Pick& pick, CaseLimits limits = {});

// A Pick over a seeded generator.
inline Pick pick_from(std::mt19937_64& rng) {
  return [&rng](std::int64_t lo, std::int64_t hi) { return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng); };
}

}  // namespace mmrope::kernels::testing

// The kernel harnesses' case limits, shared with the GPU replay so it reads their inputs as they do.
#pragma once

#include "random_kernel_case.hpp"

namespace mmrope::fuzz {

// Small cases (up to 3 sequences of 4 tokens, 8 pairs, 2 KV heads in groups of up to 8): the exact judgement
// costs per distinct (position, pair), so small cases keep the harnesses fast; the tests run larger ones.
constexpr kernels::testing::CaseLimits kKernelFuzzLimits{.max_sequences = 3, .max_sequence_length = 4, .max_pairs = 8,
                                                         .max_tail = 4, .max_kv_heads = 2, .max_group = 8};

}  // namespace mmrope::fuzz

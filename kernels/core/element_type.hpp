// The element types kernels read and write (fp32, fp16, bf16), stored as raw bit patterns.
#pragma once

#include <cstdint>

#include "reference/vocabulary.hpp"

namespace mmrope::kernels {

// Bytes per element; fp16 and bf16 travel as uint16_t bit patterns, so the core needs no cuda_fp16.h.
constexpr int element_bytes(DType t) { return t == DType::fp32 ? 4 : 2; }

}  // namespace mmrope::kernels

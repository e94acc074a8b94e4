// The element types kernels read and write (fp32, fp16, bf16), stored as raw bit patterns.
#pragma once

#include <cstdint>

namespace mmrope::kernels {

enum class ElementType : std::uint8_t { fp32, fp16, bf16 };

// Bytes per element; fp16 and bf16 travel as uint16_t bit patterns, so the core needs no cuda_fp16.h.
constexpr int element_bytes(ElementType t) { return t == ElementType::fp32 ? 4 : 2; }

}  // namespace mmrope::kernels

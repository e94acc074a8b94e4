// The words the reference and the kernels share: the element type, the rotation's direction, the pairing, cos/sin.
// C++17 and dependency-free, so kernels/core (host+device, built by nvcc) includes it as the reference does.
#pragma once

#include <cstdint>

namespace mmrope {

// The dtype of an output (and of a kernel's inputs): fp16 and bf16 travel as 16-bit patterns.
enum class DType : std::uint8_t { fp32, fp16, bf16 };

// forward: y = R(theta) x, what attention applies to q and k. backward: dx = R(theta)^T dy, its gradient.
enum class Direction : std::uint8_t { forward, backward };

// Which two channels of a head a rotary pair rotates: neox (c, c + d/2, "rotate_half") or gptj (2i, 2i + 1).
// (The reference and the kernels each compute the channels themselves, from this one name: a kernel's
// indexing is checked against the reference's, so they share the word and not the code.)
enum class Pairing : std::uint8_t { neox, gptj };

// cos and sin of one (position, pair): exact values in the reference (S = Mpfr256), doubles in the kernels.
// A pair that does not rotate has cos 1, sin 0.
template <class S>
struct CosSin {
  S cos{1};
  S sin{0};
};

}  // namespace mmrope

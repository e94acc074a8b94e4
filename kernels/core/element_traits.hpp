// Per element type: how a stored value widens to double and how a double result is stored (rounded once).
// narrow_common: the same rounding where it is branch-free (every fp32 result; fp16 and bf16 normals and zeros,
// every non-NaN result on sm_90), returning false where the result needs narrow's slow route instead.
#pragma once

#include <cstdint>

#include "dtype_conversion.hpp"
#include "element_type.hpp"
#include "host_device.hpp"

namespace mmrope::kernels {

template <DType T>
struct ElementTraits;

template <>
struct ElementTraits<DType::fp32> {
  using Storage = float;
  static MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE double widen(Storage x) { return static_cast<double>(x); }
  static MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE Storage narrow(double x) { return double_to_float(x); }
  static MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE bool narrow_common(double x, Storage& out) {
    out = double_to_float(x);
    return true;
  }
};

template <>
struct ElementTraits<DType::fp16> {
  using Storage = std::uint16_t;
  static MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE double widen(Storage x) { return static_cast<double>(fp16_bits_to_float(x)); }
  static MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE Storage narrow(double x) { return double_to_fp16_bits(x); }
  static MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE bool narrow_common(double x, Storage& out) {
#if defined(MMROPE_HARDWARE_F64_TO_F16)
    out = hardware_f64_to_fp16(x);
    return x == x;
#else
    return round_normal_to_16_bits<10, 1009u, 1038u>(x, out);
#endif
  }
};

template <>
struct ElementTraits<DType::bf16> {
  using Storage = std::uint16_t;
  static MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE double widen(Storage x) { return static_cast<double>(bf16_bits_to_float(x)); }
  static MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE Storage narrow(double x) { return double_to_bf16_bits(x); }
  static MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE bool narrow_common(double x, Storage& out) {
#if defined(MMROPE_HARDWARE_F64_TO_F16)
    out = hardware_f64_to_bf16(x);
    return x == x;
#else
    return round_normal_to_16_bits<7, 897u, 1150u>(x, out);
#endif
  }
};

}  // namespace mmrope::kernels

// Per element type: how a stored value widens to double and how a double result is stored (rounded once).
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
};

template <>
struct ElementTraits<DType::fp16> {
  using Storage = std::uint16_t;
  static MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE double widen(Storage x) { return static_cast<double>(fp16_bits_to_float(x)); }
  static MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE Storage narrow(double x) { return double_to_fp16_bits(x); }
};

template <>
struct ElementTraits<DType::bf16> {
  using Storage = std::uint16_t;
  static MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE double widen(Storage x) { return static_cast<double>(bf16_bits_to_float(x)); }
  static MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE Storage narrow(double x) { return double_to_bf16_bits(x); }
};

}  // namespace mmrope::kernels

// Reinterprets float and double bit patterns the same way on the host and the GPU.
#pragma once

#include <cstdint>
#include <cstring>

#include "host_device.hpp"

namespace mmrope::kernels {

MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE std::uint32_t bits_of(float x) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(x);
#else
  std::uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
#endif
}

MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE float float_from_bits(std::uint32_t u) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(u);
#else
  float x;
  std::memcpy(&x, &u, sizeof x);
  return x;
#endif
}

MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE std::uint64_t bits_of(double x) {
#if defined(__CUDA_ARCH__)
  return static_cast<std::uint64_t>(__double_as_longlong(x));
#else
  std::uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
#endif
}

MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE double double_from_bits(std::uint64_t u) {
#if defined(__CUDA_ARCH__)
  return __longlong_as_double(static_cast<long long>(u));
#else
  double x;
  std::memcpy(&x, &u, sizeof x);
  return x;
#endif
}

}  // namespace mmrope::kernels

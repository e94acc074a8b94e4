// MMROPE_HOST_DEVICE: marks the core functions that both the CUDA kernels and the host backend call; inlining marks.
#pragma once

// The project's own spelling, not Thrust's: CCCL no longer defines __host__/__device__ for plain compilers,
// so a g++ build must see nothing here, and nvcc must see both execution spaces.
#if defined(__CUDACC__)
#define MMROPE_HOST_DEVICE __host__ __device__
#define MMROPE_FORCE_INLINE __forceinline__
#define MMROPE_NOINLINE __noinline__
#else
#define MMROPE_HOST_DEVICE
#define MMROPE_FORCE_INLINE inline __attribute__((always_inline))
#define MMROPE_NOINLINE __attribute__((noinline))
#endif
// MMROPE_NOINLINE keeps a rare slow path out of the hot loop: a call there, not a copy per element.

// MMROPE_HOST_DEVICE: marks the core functions that both the CUDA kernels and the host backend call.
#pragma once

// The project's own spelling, not Thrust's: CCCL no longer defines __host__/__device__ for plain compilers,
// so a g++ build must see nothing here, and nvcc must see both execution spaces.
#if defined(__CUDACC__)
#define MMROPE_HOST_DEVICE __host__ __device__
#define MMROPE_FORCE_INLINE __forceinline__
#else
#define MMROPE_HOST_DEVICE
#define MMROPE_FORCE_INLINE inline __attribute__((always_inline))
#endif

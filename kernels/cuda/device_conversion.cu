// The core's double -> dtype roundings on the GPU (sm_90: the hardware conversions), for tests to hold to the reference.
#include "kernels/cuda/device_conversion.hpp"

#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "kernels/core/bit_cast.hpp"
#include "kernels/core/element_traits.hpp"

namespace mmrope::kernels {
namespace {

__device__ std::uint32_t storage_bits(float f) { return bits_of(f); }
__device__ std::uint32_t storage_bits(std::uint16_t b) { return b; }

template <DType T>
__global__ void narrow_kernel(const double* values, std::size_t n, std::uint32_t* narrow, std::uint32_t* common,
                              std::uint8_t* answered) {
  for (std::size_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    narrow[i] = storage_bits(ElementTraits<T>::narrow(values[i]));
    typename ElementTraits<T>::Storage out{};
    answered[i] = ElementTraits<T>::narrow_common(values[i], out) ? 1 : 0;
    common[i] = storage_bits(out);
  }
}

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(e));
}

}  // namespace

DeviceNarrowing narrow_on_device(const std::vector<double>& values, DType dtype) {
  const std::size_t n = values.size();
  DeviceNarrowing out{std::vector<std::uint32_t>(n), std::vector<std::uint32_t>(n), std::vector<std::uint8_t>(n)};
  if (n == 0) return out;
  double* v = nullptr;
  std::uint32_t *narrow = nullptr, *common = nullptr;
  std::uint8_t* answered = nullptr;
  check(cudaMalloc(&v, n * sizeof(double)), "cudaMalloc");
  check(cudaMalloc(&narrow, n * 4), "cudaMalloc");
  check(cudaMalloc(&common, n * 4), "cudaMalloc");
  check(cudaMalloc(&answered, n), "cudaMalloc");
  check(cudaMemcpy(v, values.data(), n * sizeof(double), cudaMemcpyHostToDevice), "cudaMemcpy");
  const unsigned blocks = static_cast<unsigned>(n / 256 + 1 < 4096 ? n / 256 + 1 : 4096);
  switch (dtype) {
    case DType::fp32: narrow_kernel<DType::fp32><<<blocks, 256>>>(v, n, narrow, common, answered); break;
    case DType::fp16: narrow_kernel<DType::fp16><<<blocks, 256>>>(v, n, narrow, common, answered); break;
    case DType::bf16: narrow_kernel<DType::bf16><<<blocks, 256>>>(v, n, narrow, common, answered); break;
  }
  check(cudaGetLastError(), "narrow_kernel launch");
  check(cudaMemcpy(out.narrow.data(), narrow, n * 4, cudaMemcpyDeviceToHost), "cudaMemcpy");
  check(cudaMemcpy(out.common.data(), common, n * 4, cudaMemcpyDeviceToHost), "cudaMemcpy");
  check(cudaMemcpy(out.answered.data(), answered, n, cudaMemcpyDeviceToHost), "cudaMemcpy");
  for (void* p : {static_cast<void*>(v), static_cast<void*>(narrow), static_cast<void*>(common), static_cast<void*>(answered)})
    cudaFree(p);
  return out;
}

}  // namespace mmrope::kernels

// GPU benchmark: RoPE forward/backward GB/s (CUDA events) and its fraction of the device-to-device copy bandwidth.
#include <cuda_runtime_api.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "gpu_benchmark_support.hpp"
#include "kernels/core/dtype_conversion.hpp"
#include "kernels/cuda/apply_rotary_cuda.hpp"
#include "reference/presets/preset_rotary.hpp"
#include "reference/presets/presets.hpp"

// Qwen2-VL-7B training shapes: thd, 28 query / 4 KV heads, head_dim 128, bf16, tokens 4K .. 64K; forward and
// backward out of place (read q, k; write q, k). Prints GB/s and the fraction of a cudaMemcpy device-to-device
// of the same bytes (which reads and writes them too).
int main() {
  using namespace mmrope;
  using namespace mmrope::kernels;
  if (!benchmarks::announce_device()) return 0;
  const RotarySpec spec = rotary_spec_for(find_preset("qwen2-vl").frequency);
  const KernelFrequencyTable table = kernel_frequency_table(spec);
  const RotaryFrequencyArgs frequencies = benchmarks::device_frequency_args(table);
  const int q_heads = 28, k_heads = 4, d = 128;
  std::printf("%8s %4s %10s %10s %12s %10s\n", "tokens", "dir", "us", "GB/s", "copy GB/s", "fraction");
  for (std::int64_t tokens : {4096, 8192, 16384, 32768, 65536}) {
    const std::size_t q_bytes = tokens * q_heads * d * 2, k_bytes = tokens * k_heads * d * 2;
    void *q, *k, *qo, *ko, *pos;
    MMROPE_CUDA_CHECK(cudaMalloc(&q, q_bytes));
    MMROPE_CUDA_CHECK(cudaMalloc(&k, k_bytes));
    MMROPE_CUDA_CHECK(cudaMalloc(&qo, q_bytes));
    MMROPE_CUDA_CHECK(cudaMalloc(&ko, k_bytes));
    MMROPE_CUDA_CHECK(cudaMemset(q, 0x3c, q_bytes));
    MMROPE_CUDA_CHECK(cudaMemset(k, 0x3c, k_bytes));
    std::vector<std::int64_t> positions(3 * tokens);
    for (std::int64_t n = 0; n < tokens; ++n)
      for (int a = 0; a < 3; ++a) positions[a * tokens + n] = n / (a + 1);
    MMROPE_CUDA_CHECK(cudaMalloc(&pos, positions.size() * 8));
    MMROPE_CUDA_CHECK(cudaMemcpy(pos, positions.data(), positions.size() * 8, cudaMemcpyHostToDevice));
    RotaryKernelParams p;
    p.dtype = DType::bf16;
    p.layout = TensorLayout::thd;
    p.total_tokens = tokens;
    p.head_dim = p.rotary_dim = d;
    p.positions.values = pos;
    p.positions.axis_stride = tokens;
    p.frequencies = frequencies;
    p.q = contiguous_tensor(q, qo, TensorLayout::thd, 1, tokens, q_heads, d);
    p.k = contiguous_tensor(k, ko, TensorLayout::thd, 1, tokens, k_heads, d);
    const double bytes = 2.0 * static_cast<double>(q_bytes + k_bytes);
    const float copy_ms = benchmarks::milliseconds_per_call([&] {
      MMROPE_CUDA_CHECK(cudaMemcpyAsync(qo, q, q_bytes, cudaMemcpyDeviceToDevice));
      MMROPE_CUDA_CHECK(cudaMemcpyAsync(ko, k, k_bytes, cudaMemcpyDeviceToDevice));
    });
    const double copy_gbs = bytes / (copy_ms * 1e-3) / 1e9;
    for (Direction dir : {Direction::forward, Direction::backward}) {
      p.direction = dir;
      const float ms = benchmarks::milliseconds_per_call([&] {
        if (apply_rotary_cuda(p, nullptr) != 0) std::exit(1);
      });
      const double gbs = bytes / (ms * 1e-3) / 1e9;
      std::printf("%8lld %4s %10.1f %10.1f %12.1f %10.3f\n", static_cast<long long>(tokens),
                  dir == Direction::forward ? "fwd" : "bwd", ms * 1e3, gbs, copy_gbs, gbs / copy_gbs);
    }
    for (void* ptr : {q, k, qo, ko, pos}) MMROPE_CUDA_CHECK(cudaFree(ptr));
  }
  return 0;
}

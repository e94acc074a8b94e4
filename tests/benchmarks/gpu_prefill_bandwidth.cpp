// GPU benchmark: a prefill chunk's rope + KV-cache write in GB/s (CUDA events), as a fraction of the device-to-device
// copy bandwidth of the same bytes measured in the same run.
#include <cuda_runtime_api.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "gpu_benchmark_support.hpp"
#include "kernels/cuda/kv_append_cuda.hpp"
#include "kernels/host/cos_sin_cache.hpp"
#include "reference/presets/preset_rotary.hpp"
#include "reference/presets/presets.hpp"

// One sequence's prompt of 4K .. 64K tokens in one chunk: 32 query / 8 KV heads of 128, bf16, Qwen2-VL's
// sections, 3-axis int64 positions; q rotated in place, k rotated and v copied into a paged cache of 16-token
// blocks through a slot mapping (vLLM's prefill), the blocks in reverse order. The phase on the fly, then from
// an fp32 cos/sin cache of 64K rows. Bytes counted: q read and written, k and v read and written into the cache
// (positions, slots and cos/sin rows are extra reads the copy does not make). The copy: cudaMemcpyAsync of q,
// k and v to other buffers (each byte read once and written once).
int main() {
  using namespace mmrope;
  using namespace mmrope::kernels;
  if (!benchmarks::announce_device()) return 0;
  const KernelFrequencyTable table = kernel_frequency_table(rotary_spec_for(find_preset("qwen2-vl").frequency));
  const RotaryFrequencyArgs frequencies = benchmarks::device_frequency_args(table);
  const int q_heads = 32, kv_heads = 8, d = 128, block_size = 16;
  constexpr std::int64_t kLongest = 65536;
  const CosSinCache cos_sin = build_cos_sin_cache(table, kLongest);
  const float* cos_sin_device = benchmarks::device_copy(cos_sin.values);
  unsigned* faults = nullptr;
  MMROPE_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&faults), sizeof(unsigned)));
  MMROPE_CUDA_CHECK(cudaMemset(faults, 0, sizeof(unsigned)));
  std::printf("%8s %10s %10s %10s %12s %10s\n", "tokens", "phase", "us", "GB/s", "copy GB/s", "fraction");
  for (std::int64_t tokens : {4096, 16384, 32768, 65536}) {
    const std::size_t q_bytes = static_cast<std::size_t>(tokens) * q_heads * d * 2;
    const std::size_t kv_bytes = static_cast<std::size_t>(tokens) * kv_heads * d * 2;
    const std::int64_t blocks = tokens / block_size;
    std::vector<std::int64_t> positions(static_cast<std::size_t>(3 * tokens)), slots(static_cast<std::size_t>(tokens));
    for (std::int64_t n = 0; n < tokens; ++n) {
      for (int a = 0; a < 3; ++a) positions[static_cast<std::size_t>(a * tokens + n)] = n / (a + 1);
      slots[static_cast<std::size_t>(n)] = (blocks - 1 - n / block_size) * block_size + n % block_size;
    }
    void *q, *k, *v, *k_cache, *v_cache, *q_copy, *k_copy, *v_copy;
    for (auto [ptr, bytes] : {std::pair{&q, q_bytes}, std::pair{&k, kv_bytes}, std::pair{&v, kv_bytes},
                              std::pair{&k_cache, kv_bytes}, std::pair{&v_cache, kv_bytes}, std::pair{&q_copy, q_bytes},
                              std::pair{&k_copy, kv_bytes}, std::pair{&v_copy, kv_bytes}}) {
      MMROPE_CUDA_CHECK(cudaMalloc(ptr, bytes));
      MMROPE_CUDA_CHECK(cudaMemset(*ptr, 0x3c, bytes));
    }
    const std::vector<std::int32_t> cu_new_tokens = {0, static_cast<std::int32_t>(tokens)};
    const std::vector<std::int64_t> cache_lengths = {0};
    KvAppendParams p;
    p.dtype = DType::bf16;
    p.head_dim = p.rotary_dim = d;
    p.frequencies = frequencies;
    p.batch = 1;
    p.cu_new_tokens = benchmarks::device_copy(cu_new_tokens);
    p.total_tokens = tokens;
    p.positions.values = benchmarks::device_copy(positions);
    p.positions.axis_stride = tokens;
    p.q_heads = q_heads;
    p.kv_heads = kv_heads;
    p.q = {q, q, static_cast<std::int64_t>(q_heads) * d, d};
    p.k = {k, nullptr, static_cast<std::int64_t>(kv_heads) * d, d};
    p.v = {v, nullptr, static_cast<std::int64_t>(kv_heads) * d, d};
    p.cache_lengths = benchmarks::device_copy(cache_lengths);
    p.cache = {k_cache, v_cache, CacheLayout::paged, static_cast<std::int64_t>(kv_heads) * d, d, 0, nullptr, 0,
               block_size, blocks, benchmarks::device_copy(slots)};
    const double bytes = 2.0 * static_cast<double>(q_bytes + 2 * kv_bytes);
    const float copy_ms = benchmarks::milliseconds_per_call([&] {
      MMROPE_CUDA_CHECK(cudaMemcpyAsync(q_copy, q, q_bytes, cudaMemcpyDeviceToDevice));
      MMROPE_CUDA_CHECK(cudaMemcpyAsync(k_copy, k, kv_bytes, cudaMemcpyDeviceToDevice));
      MMROPE_CUDA_CHECK(cudaMemcpyAsync(v_copy, v, kv_bytes, cudaMemcpyDeviceToDevice));
    });
    const double copy_gbs = bytes / (copy_ms * 1e-3) / 1e9;
    for (bool from_cache : {false, true}) {
      p.cos_sin_cache = from_cache ? CosSinCacheArgs{cos_sin_device, cos_sin.max_position, cos_sin.rotary_dim} : CosSinCacheArgs{};
      const float ms = benchmarks::milliseconds_per_call([&] {
        if (apply_kv_append_cuda(p, faults, nullptr) != 0) std::exit(1);
      });
      unsigned fault_bits = 0;
      MMROPE_CUDA_CHECK(cudaMemcpy(&fault_bits, faults, sizeof fault_bits, cudaMemcpyDeviceToHost));
      if (fault_bits != 0) {
        std::fprintf(stderr, "prefill faults %u\n", fault_bits);
        return 1;
      }
      const double gbs = bytes / (ms * 1e-3) / 1e9;
      std::printf("%8lld %10s %10.1f %10.1f %12.1f %10.3f\n", static_cast<long long>(tokens),
                  from_cache ? "cos/sin" : "on-the-fly", ms * 1e3, gbs, copy_gbs, gbs / copy_gbs);
    }
    for (void* ptr : {q, k, v, k_cache, v_cache, q_copy, k_copy, v_copy}) MMROPE_CUDA_CHECK(cudaFree(ptr));
  }
  return 0;
}

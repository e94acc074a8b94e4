// GPU benchmark: device time of one decode step (rope + the paged KV-cache write) at serving shapes, by CUDA events.
#include <cuda_runtime_api.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "gpu_benchmark_support.hpp"
#include "kernels/cuda/kv_append_cuda.hpp"
#include "reference/presets/preset_rotary.hpp"
#include "reference/presets/presets.hpp"

// 32 query / 8 KV heads of 128, bf16, q rotated in place, k and v written into a paged cache of 16-token blocks
// at cache length 4,096 (+ 37 per sequence); batch 1, 8 and 64, one new token per sequence. The mean device time
// of 200 back-to-back steps after 20 warm-up ones (events around the whole run: launch gaps included).
int main() {
  using namespace mmrope;
  using namespace mmrope::kernels;
  if (!benchmarks::announce_device()) return 0;
  const KernelFrequencyTable table = kernel_frequency_table(rotary_spec_for(find_preset("qwen2-vl").frequency));
  const RotaryFrequencyArgs frequencies = benchmarks::device_frequency_args(table);
  const int q_heads = 32, kv_heads = 8, d = 128, block_size = 16;
  std::printf("%6s %12s %12s\n", "batch", "us/step", "GB/s");
  for (int batch : {1, 8, 64}) {
    std::vector<std::int64_t> lengths, deltas(static_cast<std::size_t>(batch), -3);
    for (int b = 0; b < batch; ++b) lengths.push_back(4096 + 37 * b);
    const int blocks_per_sequence = (4096 + 37 * batch) / block_size + 2;
    std::vector<std::int32_t> table_rows(static_cast<std::size_t>(batch) * blocks_per_sequence);
    for (std::size_t i = 0; i < table_rows.size(); ++i) table_rows[i] = static_cast<std::int32_t>(table_rows.size() - 1 - i);
    const std::size_t q_bytes = static_cast<std::size_t>(batch) * q_heads * d * 2, kv_bytes = static_cast<std::size_t>(batch) * kv_heads * d * 2;
    const std::size_t cache_bytes = table_rows.size() * block_size * kv_heads * d * 2;
    void *q, *k, *v, *k_cache, *v_cache;
    unsigned* faults;
    for (auto [ptr, bytes] : {std::pair{&q, q_bytes}, std::pair{&k, kv_bytes}, std::pair{&v, kv_bytes},
                              std::pair{&k_cache, cache_bytes}, std::pair{&v_cache, cache_bytes}}) {
      MMROPE_CUDA_CHECK(cudaMalloc(ptr, bytes));
      MMROPE_CUDA_CHECK(cudaMemset(*ptr, 0x3c, bytes));
    }
    MMROPE_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&faults), sizeof(unsigned)));
    MMROPE_CUDA_CHECK(cudaMemset(faults, 0, sizeof(unsigned)));
    KvAppendParams p;
    p.dtype = DType::bf16;
    p.head_dim = p.rotary_dim = d;
    p.frequencies = frequencies;
    p.batch = batch;
    p.q_heads = q_heads;
    p.kv_heads = kv_heads;
    p.q = {q, q, static_cast<std::int64_t>(q_heads) * d, d};
    p.k = {k, nullptr, static_cast<std::int64_t>(kv_heads) * d, d};
    p.v = {v, nullptr, static_cast<std::int64_t>(kv_heads) * d, d};
    p.cache_lengths = benchmarks::device_copy(lengths);
    p.rope_deltas = benchmarks::device_copy(deltas);
    p.cache = {k_cache, v_cache, CacheLayout::paged, static_cast<std::int64_t>(kv_heads) * d, d, 0,
               benchmarks::device_copy(table_rows), blocks_per_sequence, block_size, static_cast<std::int64_t>(table_rows.size()), nullptr};
    for (int i = 0; i < 20; ++i)
      if (apply_kv_append_cuda(p, faults, nullptr) != 0) std::exit(1);
    cudaEvent_t start, stop;
    MMROPE_CUDA_CHECK(cudaEventCreate(&start));
    MMROPE_CUDA_CHECK(cudaEventCreate(&stop));
    constexpr int kSteps = 200;
    MMROPE_CUDA_CHECK(cudaEventRecord(start));
    for (int i = 0; i < kSteps; ++i)
      if (apply_kv_append_cuda(p, faults, nullptr) != 0) std::exit(1);
    MMROPE_CUDA_CHECK(cudaEventRecord(stop));
    MMROPE_CUDA_CHECK(cudaEventSynchronize(stop));
    float ms = 0;
    MMROPE_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
    unsigned fault_bits = 0;
    MMROPE_CUDA_CHECK(cudaMemcpy(&fault_bits, faults, sizeof fault_bits, cudaMemcpyDeviceToHost));
    if (fault_bits != 0) {
      std::fprintf(stderr, "decode faults %u\n", fault_bits);
      return 1;
    }
    const double us = ms * 1e3 / kSteps;
    const double bytes = 2.0 * static_cast<double>(q_bytes) + 4.0 * static_cast<double>(kv_bytes);  // q r+w, k/v read + cache write
    std::printf("%6d %12.2f %12.1f\n", batch, us, bytes / (us * 1e-6) / 1e9);
  }
  return 0;
}

// The CUDA KV-append kernel (decode steps, prefill chunks) against its host twin (bit for bit) and the reference;
// skipped without a GPU.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "../../reference/random_seed.hpp"
#include "../append_case.hpp"
#include "device_launch.hpp"
#include "kernels/host/kv_append_host.hpp"

namespace mmrope::kernels::testing {
namespace {

void expect_gpu_equals_host(const AppendCase& c, std::uint64_t seed) {
  SCOPED_TRACE("seed " + std::to_string(seed) + ", case " + c.name());
  std::mt19937_64 rng_gpu(seed), rng_host(seed);
  AppendData gpu = make_append_data(c, rng_gpu);
  AppendData host = make_append_data(c, rng_host);
  EXPECT_EQ(run_decode_on_gpu(gpu), 0u);
  apply_kv_append_host(host.params);
  EXPECT_EQ(gpu.q.bytes, host.q.bytes);
  EXPECT_EQ(gpu.k_cache.bytes, host.k_cache.bytes);
  EXPECT_EQ(gpu.v_cache.bytes, host.v_cache.bytes);
  EXPECT_EQ(gpu.k_fp8, host.k_fp8);
  EXPECT_EQ(gpu.v_fp8, host.v_fp8);
  EXPECT_EQ(gpu.k_out.bytes, host.k_out.bytes);
  if (c.fp8_scale > 0) return;
  if (c.cos_sin_rows > 0) {  // judged against the cache's own values
    EXPECT_EQ(cos_sin_cache_problem(gpu), "");
    return;
  }  // the host twin's fp8 values are judged by decode_test.cpp
  for (TensorRole role : {TensorRole::query, TensorRole::key})
    EXPECT_EQ(judge_rotated(gpu, role).beyond_element_bound, 0u);
  EXPECT_EQ(cache_problem(gpu), "");
}

// The fp8 e4m3 cache (per-tensor scales, saturation included) bit for bit with the host twin.
TEST(CudaDecode, Fp8CacheMatchesHostBitForBit) {
  REQUIRE_GPU();
  const std::uint64_t seed = test_seed();
  for (AppendCase c : decode_case_matrix())
    for (double scale : {1.0, 0x1p-6}) {
      c.fp8_scale = scale;
      expect_gpu_equals_host(c, seed);
    }
}

// Prefill chunks: given positions, packed sequences, the cos/sin cache, no KV cache.
TEST(CudaPrefill, EveryCombinationMatchesHostBitForBit) {
  REQUIRE_GPU();
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  for (const AppendCase& c : prefill_case_matrix(rng)) expect_gpu_equals_host(c, seed);
}

TEST(CudaDecode, EveryCombinationMatchesHostBitForBit) {
  REQUIRE_GPU();
  const std::uint64_t seed = test_seed();
  for (const AppendCase& c : decode_case_matrix()) expect_gpu_equals_host(c, seed);
}

// The serving shape: 32 q / 8 kv heads of 128, bf16, a paged cache of 16-token blocks; batch 1 and 64.
TEST(CudaDecode, ServingShapesMatchHostBitForBit) {
  REQUIRE_GPU();
  const std::uint64_t seed = test_seed();
  for (int batch : {1, 64}) {
    AppendCase c;
    c.q_heads = 32;
    c.kv_heads = 8;
    c.head_dim = c.rotary_dim = 128;
    c.sections = "16,24,24";
    c.block_size = 16;
    c.cache_lengths.assign(static_cast<std::size_t>(batch), 0);
    c.rope_deltas.assign(static_cast<std::size_t>(batch), 0);
    c.real_lengths.assign(static_cast<std::size_t>(batch), 0);
    for (int b = 0; b < batch; ++b) {
      c.cache_lengths[b] = 100 + 37 * b;
      c.rope_deltas[b] = -5 * b;
    }
    expect_gpu_equals_host(c, seed);
  }
}

// A token the kernel cannot place is reported in the fault bits and not written; the others are.
TEST(CudaDecode, FaultsAreReportedNotWritten) {
  REQUIRE_GPU();
  std::mt19937_64 rng(test_seed());
  AppendCase c;  // cache lengths 3 and 9, block size 4: token 1 reads table entry 3 + 2
  AppendData d = make_append_data(c, rng);
  d.block_table[5] = -1;
  const Buffer q_before = d.q;
  EXPECT_EQ(run_decode_on_gpu(d), kKvAppendFaultBlock);
  const std::int64_t row = d.token_stride_q;
  for (std::int64_t e = 0; e < row; ++e) EXPECT_EQ(d.q.bits(row + e), q_before.bits(row + e)) << "token 1's q changed";
  EXPECT_NE(d.q.bits(0), q_before.bits(0));
}

}  // namespace
}  // namespace mmrope::kernels::testing

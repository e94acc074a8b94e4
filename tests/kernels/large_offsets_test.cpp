// Offsets past 2^32 elements: the training launch and the KV-append step (host twins) with tokens, sequences and
// cache slots that lie beyond 32-bit element indices (signed or unsigned), in sparse memory (only the touched
// pages are ever backed), equal bit for bit to the same work laid out nearby.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../reference/random_seed.hpp"
#include "append_case.hpp"
#include "kernels/host/apply_rotary_host.hpp"
#include "kernels/host/kernel_frequency_table.hpp"
#include "kernels/host/kv_append_host.hpp"
#include "reference/presets/preset_rotary.hpp"
#include "reference/presets/presets.hpp"

namespace mmrope::kernels::testing {
namespace {

// Address space of `bytes` whose pages are backed only when touched (MAP_NORESERVE), so a buffer can reach past
// 2^32 elements on a small machine.
class SparseBuffer {
 public:
  explicit SparseBuffer(std::size_t bytes) : bytes_(bytes) {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p != MAP_FAILED) data_ = static_cast<std::uint8_t*>(p);
    else error_ = std::strerror(errno);
  }
  SparseBuffer(const SparseBuffer&) = delete;
  SparseBuffer& operator=(const SparseBuffer&) = delete;
  ~SparseBuffer() {
    if (data_) munmap(data_, bytes_);
  }
  std::uint8_t* data() const { return data_; }
  const std::string& error() const { return error_; }

 private:
  std::size_t bytes_;
  std::uint8_t* data_ = nullptr;
  std::string error_;
};

constexpr std::int64_t kFarStride = (std::int64_t{1} << 32) + 40;  // elements: a token stride past uint32's reach

// The case's step run near (as make_append_data lays it out) and far: q's tokens kFarStride elements apart, and
// the cache slots moved past 2^32 elements (contiguous: sequences 2^28 slots apart; paged: block ids past 2^26).
// Every q row and cached k and v of the far run must equal the near run's bit for bit, read at offsets the
// test computes itself.
void expect_far_equals_near(CacheKind kind) {
  SCOPED_TRACE(name_of(kind));
  std::mt19937_64 rng(test_seed());
  AppendCase c;
  c.cache = kind;
  c.dtype = DType::bf16;
  AppendData near = make_append_data(c, rng);
  KvAppendParams far = near.params;
  apply_kv_append_host(near.params);  // near.q and the caches now hold the step's result

  const std::int64_t width = 2, row = static_cast<std::int64_t>(c.q_heads) * c.head_dim;
  const std::int64_t slot_stride = static_cast<std::int64_t>(c.kv_heads) * c.head_dim;
  SparseBuffer q_far(static_cast<std::size_t>((c.tokens() - 1) * kFarStride + row) * width);
  ASSERT_NE(q_far.data(), nullptr) << "mmap of sparse memory failed: " << q_far.error();
  for (std::int64_t n = 0; n < c.tokens(); ++n)
    std::memcpy(q_far.data() + n * kFarStride * width, near.q_original.bytes.data() + n * near.token_stride_q * width,
                static_cast<std::size_t>(row * width));
  far.q = {q_far.data(), q_far.data(), kFarStride, c.head_dim};

  // Where (sequence b, cache index i) lives in the far cache, by the test's own arithmetic.
  std::vector<std::int32_t> far_table = near.block_table;
  constexpr std::int64_t kBlockShift = std::int64_t{1} << 26;
  std::int64_t far_slots = 0;
  if (kind == CacheKind::contiguous) {
    far.cache.max_seq = std::int64_t{1} << 28;
    far_slots = (c.batch() - 1) * far.cache.max_seq + near.params.cache.max_seq;  // the last sequence's slots used
  } else {
    for (std::int32_t& e : far_table) e = static_cast<std::int32_t>(e + kBlockShift);
    far.cache.block_table = far_table.data();
    far.cache.num_blocks = near.params.cache.num_blocks + kBlockShift;
    far_slots = far.cache.num_blocks * c.block_size;
  }
  const auto far_slot = [&](int b, std::int64_t i) -> std::int64_t {
    if (kind == CacheKind::contiguous) return b * far.cache.max_seq + i;
    return far_table[static_cast<std::size_t>(b * near.params.cache.max_blocks + i / c.block_size)] *
               static_cast<std::int64_t>(c.block_size) + i % c.block_size;
  };
  SparseBuffer k_far(static_cast<std::size_t>(far_slots * slot_stride * width));
  SparseBuffer v_far(static_cast<std::size_t>(far_slots * slot_stride * width));
  ASSERT_NE(k_far.data(), nullptr) << "mmap of sparse memory failed: " << k_far.error();
  ASSERT_NE(v_far.data(), nullptr) << "mmap of sparse memory failed: " << v_far.error();
  far.cache.k = k_far.data();
  far.cache.v = v_far.data();
  apply_kv_append_host(far);

  for (std::int64_t n = 0; n < c.tokens(); ++n)
    ASSERT_EQ(std::memcmp(q_far.data() + n * kFarStride * width, near.q.bytes.data() + n * near.token_stride_q * width,
                          static_cast<std::size_t>(row * width)), 0)
        << "q of token " << n << " (element offset " << n * kFarStride << ")";
  bool past_32 = false;
  for (int b = 0; b < c.batch(); ++b)
    for (int i = 0; i < c.new_tokens; ++i) {
      const std::int64_t index = c.cache_lengths[b] + i;
      const std::int64_t at = far_slot(b, index) * slot_stride, here = near.slot_of.at({b, index}) * slot_stride;
      past_32 = past_32 || at > UINT32_MAX;
      EXPECT_EQ(std::memcmp(k_far.data() + at * width, near.k_cache.bytes.data() + here * width,
                            static_cast<std::size_t>(slot_stride * width)), 0)
          << "k of sequence " << b << " index " << index << " (element offset " << at << ")";
      EXPECT_EQ(std::memcmp(v_far.data() + at * width, near.v_cache.bytes.data() + here * width,
                            static_cast<std::size_t>(slot_stride * width)), 0)
          << "v of sequence " << b << " index " << index << " (element offset " << at << ")";
    }
  EXPECT_TRUE(past_32) << "no cache slot lay past 2^32 elements: the test tests nothing";
}

// A training launch (q and k, 2 sequences x 3 tokens x 2 heads of 16, bf16, Qwen2-VL's allocation) run near,
// contiguous, and far: bshd with kFarStride elements between sequences, or thd with kFarStride between tokens,
// in and out of place. Each far output row must equal the near one.
void expect_far_launch_equals_near(TensorLayout layout) {
  SCOPED_TRACE(layout == TensorLayout::bshd ? "bshd" : "thd");
  const int batch = 2, seqlen = 3, heads = 2, d = 16;
  const std::int64_t tokens = batch * seqlen, row = static_cast<std::int64_t>(heads) * d, width = 2;
  const KernelFrequencyTable table = kernel_frequency_table(rotary_spec_for(find_preset("qwen2-vl").frequency));
  std::mt19937_64 rng(test_seed());
  std::vector<std::uint16_t> input(static_cast<std::size_t>(tokens * row)), near_out(input.size());
  for (auto& v : input) v = static_cast<std::uint16_t>(0x3c00 + rng() % 0x0800);  // bf16 in [2^-7, 2^9)
  const std::vector<std::int32_t> cu_seqlens = {0, seqlen, 2 * seqlen};
  RotaryKernelParams p;
  p.dtype = DType::bf16;
  p.layout = layout;
  p.batch = batch;
  p.seqlen = seqlen;
  p.cu_seqlens = layout == TensorLayout::thd ? cu_seqlens.data() : nullptr;
  p.total_tokens = tokens;
  p.head_dim = p.rotary_dim = d;
  p.frequencies = table.args();
  RotaryKernelParams near = p;
  near.q = contiguous_tensor(input.data(), near_out.data(), layout, batch, seqlen, heads, d);
  std::vector<std::uint16_t> near_k = input;  // k: in place, in its own copy
  near.k = near.q;
  near.k.input = near.k.output = near_k.data();
  apply_rotary_host(near);

  // Far: token n of sequence b at b * kFarStride + s * row (bshd) or n * kFarStride (thd).
  const auto far_offset = [&](std::int64_t n) {
    return layout == TensorLayout::bshd ? (n / seqlen) * kFarStride + (n % seqlen) * row : n * kFarStride;
  };
  const auto far_bytes = static_cast<std::size_t>((far_offset(tokens - 1) + row) * width);
  SparseBuffer q_in(far_bytes), q_out(far_bytes), k_io(far_bytes);
  for (const SparseBuffer* b : {&q_in, &q_out, &k_io}) ASSERT_NE(b->data(), nullptr) << "mmap of sparse memory failed: " << b->error();
  for (std::int64_t n = 0; n < tokens; ++n) {
    std::memcpy(q_in.data() + far_offset(n) * width, input.data() + n * row, static_cast<std::size_t>(row * width));
    std::memcpy(k_io.data() + far_offset(n) * width, input.data() + n * row, static_cast<std::size_t>(row * width));
  }
  RotaryKernelParams far = p;
  far.q = near.q;
  far.q.input = q_in.data();
  far.q.output = q_out.data();
  if (layout == TensorLayout::bshd) far.q.batch_stride = kFarStride;
  else far.q.seq_stride = kFarStride;
  far.k = far.q;
  far.k.input = far.k.output = k_io.data();
  apply_rotary_host(far);
  for (std::int64_t n = 0; n < tokens; ++n) {
    EXPECT_EQ(std::memcmp(q_out.data() + far_offset(n) * width, near_out.data() + n * row, static_cast<std::size_t>(row * width)), 0)
        << "q of token " << n << " (element offset " << far_offset(n) << ")";
    EXPECT_EQ(std::memcmp(k_io.data() + far_offset(n) * width, near_k.data() + n * row, static_cast<std::size_t>(row * width)), 0)
        << "k of token " << n << " (element offset " << far_offset(n) << ")";
  }
  ASSERT_GT(far_offset(tokens - 1), static_cast<std::int64_t>(UINT32_MAX));
}

TEST(ApplyRotaryHost, BatchStridePast2To32Elements) { expect_far_launch_equals_near(TensorLayout::bshd); }
TEST(ApplyRotaryHost, TokenStridePast2To32Elements) { expect_far_launch_equals_near(TensorLayout::thd); }

TEST(KvAppendHost, ContiguousCacheOffsetsPast2To32Elements) { expect_far_equals_near(CacheKind::contiguous); }
TEST(KvAppendHost, PagedCacheOffsetsPast2To32Elements) { expect_far_equals_near(CacheKind::paged_table); }

}  // namespace
}  // namespace mmrope::kernels::testing

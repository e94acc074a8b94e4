// The parameters of the decode kernel: new tokens' q rotated in place, k rotated into a KV cache, v copied beside it.
#pragma once

#include <cstdint>

#include "rotary_params.hpp"

namespace mmrope::kernels {

// Where token i of sequence b goes in the cache, at cache index c = cache_lengths[b] + i:
//   contiguous: slot b * max_seq + c of a [batch, max_seq, kv_heads, head_dim] cache;
//   paged:      slot block_table[b * max_blocks + c / block_size] * block_size + c % block_size of a
//               [num_blocks, block_size, kv_heads, head_dim] cache (vLLM's block table), or slot_mapping[n] for
//               token n where a slot mapping is given (vLLM's; a negative slot skips the token, as vLLM's padding).
enum class CacheLayout : std::uint8_t { contiguous, paged };

struct KvCacheArgs {
  void* k = nullptr;
  void* v = nullptr;
  CacheLayout layout = CacheLayout::contiguous;
  std::int64_t slot_stride = 0;  // elements between slots (kv_heads * head_dim when dense)
  std::int64_t head_stride = 0;  // elements between heads of a slot
  std::int64_t max_seq = 0;      // contiguous: slots per sequence
  const std::int32_t* block_table = nullptr;  // paged: [batch, max_blocks]
  int max_blocks = 0;
  int block_size = 0;
  std::int64_t num_blocks = 0;
  const std::int64_t* slot_mapping = nullptr;  // paged, optional: [batch * new_tokens]
  // The cache's elements: the step's dtype, or fp8 e4m3 bytes with per-tensor scales (FlashInfer's and vLLM's
  // quantized cache): stored = e4m3(value / scale), value the rotated k (in double) or v, rounded once to nearest
  // even and saturated to +-448 (kernels/core/fp8_e4m3.hpp).
  bool fp8_e4m3 = false;
  double k_scale = 1;
  double v_scale = 1;
};

// What the rope delta is added to, by transformers' name for it under left padding:
//   transformers4: the cache index (padding included); its delta is next_position - padded length;
//   transformers5: the sequence's real tokens so far (the attention mask's sum); its delta is
//                  next_position - real token count. Either way generated token k is at next_position + k.
enum class RopeDeltaConvention : std::uint8_t { transformers4, transformers5 };

// One of q, k, v: [batch * new_tokens, heads, head_dim] with element strides (channels contiguous).
struct TokenTensorArgs {
  const void* input = nullptr;
  void* output = nullptr;  // q: where the rotated q goes (== input: in place); k, v: unused (the cache is)
  std::int64_t token_stride = 0;
  std::int64_t head_stride = 0;
};

// A decode step: batch sequences with new_tokens each (1, or k for speculative decoding), token n = b *
// new_tokens + i. Every new token is text, so its (t, h, w) are all cache-derived position p:
//   p = base[b] + i + rope_deltas[b], base = cache_lengths[b] (transformers4) or real_lengths[b] (transformers5).
struct KvAppendParams {
  DType dtype = DType::bf16;
  Pairing pairing = Pairing::neox;
  int head_dim = 0;
  int rotary_dim = 0;  // channels [rotary_dim, head_dim) pass through unchanged
  RotaryFrequencyArgs frequencies;
  int batch = 0;
  int new_tokens = 1;
  int q_heads = 0;
  int kv_heads = 0;
  TokenTensorArgs q, k, v;
  const std::int64_t* cache_lengths = nullptr;  // [batch]: tokens already in each sequence's cache
  const std::int64_t* rope_deltas = nullptr;    // [batch], or nullptr for 0
  RopeDeltaConvention convention = RopeDeltaConvention::transformers4;
  const std::int64_t* real_lengths = nullptr;   // [batch], transformers5: real tokens before the new ones
  KvCacheArgs cache;

  MMROPE_HOST_DEVICE std::int64_t tokens() const { return static_cast<std::int64_t>(batch) * new_tokens; }
  MMROPE_HOST_DEVICE int pairs() const { return rotary_dim / 2; }
};

// Why a token was not written: found by the kernel per token and reported to the caller (never an
// out-of-bounds access). The codes are bits, so a launch reports every kind it met.
enum KvAppendFault : unsigned {
  kKvAppendFaultNone = 0,
  kKvAppendFaultCacheIndex = 1u,    // cache index past max_seq (contiguous) or past the block table's row (paged)
  kKvAppendFaultBlock = 2u,         // a block table entry outside [0, num_blocks)
  kKvAppendFaultSlot = 4u,          // a slot mapping entry past num_blocks * block_size
  kKvAppendFaultPosition = 8u,      // a rope position outside [-2^31, 2^31 - 1], the kernels' accuracy range
};

}  // namespace mmrope::kernels

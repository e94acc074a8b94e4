// The parameters of the KV-append kernel (decode steps and prefill chunks): new tokens' q rotated, k rotated into a
// KV cache, v copied beside it.
#pragma once

#include <cstdint>

#include "rotary_params.hpp"

namespace mmrope::kernels {

// Where new token i of sequence b goes in the cache, at cache index c = cache_lengths[b] + i:
//   contiguous: slot b * max_seq + c of a [batch, max_seq, kv_heads, head_dim] cache;
//   paged:      slot block_table[b * max_blocks + c / block_size] * block_size + c % block_size of a
//               [num_blocks, block_size, kv_heads, head_dim] cache (vLLM's block table), or slot_mapping[n] for
//               token n where a slot mapping is given (vLLM's; a negative slot skips the token, as vLLM's padding).
enum class CacheLayout : std::uint8_t { contiguous, paged };

// k == nullptr: no cache. k is then rotated into the k tensor's output (as the training kernels and vLLM's
// rotary_embedding do) and v is not read.
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
  const std::int64_t* slot_mapping = nullptr;  // paged, optional: [tokens], by packed token
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

// One of q, k, v: [tokens, heads, head_dim] with element strides (channels contiguous), tokens packed.
struct TokenTensorArgs {
  const void* input = nullptr;
  void* output = nullptr;  // where the rotated q (or, without a cache, k) goes (== input: in place); v: unused
  std::int64_t token_stride = 0;
  std::int64_t head_stride = 0;
};

// The cos/sin cache of vLLM's and FlashInfer's rotary embedding, fp32 [max_position, rotary_dim] with row r =
// cos(r theta_0) .. cos(r theta_{d/2-1}), then sin(r theta_0) .. sin(r theta_{d/2-1}) (any attention factor
// already multiplied in). Pair j on axis a reads row positions[a], cos at column j and sin at column d/2 + j,
// as given: no attention factor is applied. A pair (or MHRoPE head) without an axis is not rotated, as on the
// fly (cos = attention_factor, sin = 0). Every axis position of a token must name a row of the cache.
struct CosSinCacheArgs {
  const float* values = nullptr;  // nullptr: the phase on the fly (the training kernels' arithmetic)
  std::int64_t max_position = 0;  // rows
  std::int64_t row_stride = 0;    // floats between rows (rotary_dim when dense)
};

// One step of tokens appended to the cache: batch sequences, sequence b's new tokens packed at n in
// [cu_new_tokens[b], cu_new_tokens[b+1]) (vLLM's query_start_loc: prefill chunks of any length), or, without
// cu_new_tokens, new_tokens each at n = b * new_tokens + i (decode; k for speculative decoding). The (t, h, w)
// of token i of sequence b are
//   given   (positions.values set, a prefill chunk): positions[axis][n], 3 axes or 1 for all three;
//   derived (decode, every new token text): p = base[b] + i + rope_deltas[b] on all three axes, base =
//           cache_lengths[b] (transformers4) or real_lengths[b] (transformers5).
struct KvAppendParams {
  DType dtype = DType::bf16;
  Pairing pairing = Pairing::neox;
  int head_dim = 0;
  int rotary_dim = 0;  // channels [rotary_dim, head_dim) pass through unchanged
  RotaryFrequencyArgs frequencies;
  int batch = 0;
  int new_tokens = 1;                           // without cu_new_tokens: new tokens per sequence
  const std::int32_t* cu_new_tokens = nullptr;  // [batch + 1]: 0, nondecreasing, total_tokens last
  std::int64_t total_tokens = 0;                // with cu_new_tokens: the packed token count
  RotaryPositionArgs positions;                 // values set: given positions, read at the packed index n
  CosSinCacheArgs cos_sin_cache;
  int q_heads = 0;
  int kv_heads = 0;
  TokenTensorArgs q, k, v;
  const std::int64_t* cache_lengths = nullptr;  // [batch]: tokens already in each sequence's cache
  const std::int64_t* rope_deltas = nullptr;    // [batch], or nullptr for 0 (derived positions only)
  RopeDeltaConvention convention = RopeDeltaConvention::transformers4;
  const std::int64_t* real_lengths = nullptr;   // [batch], transformers5: real tokens before the new ones
  KvCacheArgs cache;

  MMROPE_HOST_DEVICE std::int64_t tokens() const {
    return cu_new_tokens != nullptr ? total_tokens : static_cast<std::int64_t>(batch) * new_tokens;
  }
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
  kKvAppendFaultSequence = 16u,     // cu_new_tokens not nondecreasing from 0 to total_tokens around the token
  kKvAppendFaultCosSinRow = 32u,    // a position outside the cos/sin cache's rows [0, max_position)
};

}  // namespace mmrope::kernels

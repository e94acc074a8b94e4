// The host twin of the decode kernel: every token checked first, then q rotated, k rotated into the cache, v copied.
#include "kernels/host/kv_append_host.hpp"

#include <stdexcept>
#include <string>

#include "kernels/core/kv_append_check.hpp"
#include "kernels/core/kv_append_indexing.hpp"
#include "kernels/core/element_traits.hpp"
#include "kernels/core/fp8_e4m3.hpp"
#include "kernels/core/token_indexing.hpp"

namespace mmrope::kernels {
namespace {

// One head: the rotary pairs rotated, the tail copied (in place it is already there).
template <DType T>
void rotate_head(const KvAppendParams& p, const typename ElementTraits<T>::Storage* in,
                 typename ElementTraits<T>::Storage* out, std::int64_t position, bool is_query, int head) {
  using Traits = ElementTraits<T>;
  for (int j = 0; j < p.pairs(); ++j) {
    const PairChannels c = pair_channels(p.pairing, j, p.rotary_dim);
    const PairValues y = rotate_pair(Traits::widen(in[c.first]), Traits::widen(in[c.second]),
                                     decode_cos_sin(p.frequencies, position, is_query, head, j), Direction::forward);
    out[c.first] = Traits::narrow(y.first);
    out[c.second] = Traits::narrow(y.second);
  }
  if (out != in)
    for (int c = p.rotary_dim; c < p.head_dim; ++c) out[c] = in[c];
}

// One k head into an fp8 cache: the rotated pairs in double, divided by the scale, rounded once to e4m3; the
// tail likewise from its exact value.
template <DType T>
void rotate_head_into_fp8(const KvAppendParams& p, const typename ElementTraits<T>::Storage* in, std::uint8_t* out,
                          std::int64_t position, int head) {
  using Traits = ElementTraits<T>;
  const double scale = p.cache.k_scale;
  for (int j = 0; j < p.pairs(); ++j) {
    const PairChannels c = pair_channels(p.pairing, j, p.rotary_dim);
    const PairValues y = rotate_pair(Traits::widen(in[c.first]), Traits::widen(in[c.second]),
                                     decode_cos_sin(p.frequencies, position, false, head, j), Direction::forward);
    out[c.first] = double_to_e4m3(y.first / scale);
    out[c.second] = double_to_e4m3(y.second / scale);
  }
  for (int c = p.rotary_dim; c < p.head_dim; ++c) out[c] = double_to_e4m3(Traits::widen(in[c]) / scale);
}

template <DType T>
void decode_typed(const KvAppendParams& p) {
  using Storage = typename ElementTraits<T>::Storage;
  const auto* q_in = static_cast<const Storage*>(p.q.input);
  auto* q_out = static_cast<Storage*>(p.q.output);
  const auto* k_in = static_cast<const Storage*>(p.k.input);
  const auto* v_in = static_cast<const Storage*>(p.v.input);
  auto* k_cache = static_cast<Storage*>(p.cache.k);
  auto* v_cache = static_cast<Storage*>(p.cache.v);
  for (std::int64_t n = 0; n < p.tokens(); ++n) {
    const AppendToken t = append_token(p, n);
    unsigned fault = 0;
    const std::int64_t position = append_position(p, t, fault);
    const std::int64_t slot = append_cache_slot(p, t, n, fault);
    for (int h = 0; h < p.q_heads; ++h) {
      const std::int64_t o = n * p.q.token_stride + h * p.q.head_stride;
      rotate_head<T>(p, q_in + o, q_out + o, position, true, h);
    }
    if (slot < 0) continue;  // skipped by the slot mapping
    for (int h = 0; h < p.kv_heads; ++h) {
      const std::int64_t cache = slot * p.cache.slot_stride + h * p.cache.head_stride;
      const Storage* k = k_in + n * p.k.token_stride + h * p.k.head_stride;
      const Storage* v = v_in + n * p.v.token_stride + h * p.v.head_stride;
      if (p.cache.fp8_e4m3) {
        rotate_head_into_fp8<T>(p, k, static_cast<std::uint8_t*>(p.cache.k) + cache, position, h);
        auto* v_bytes = static_cast<std::uint8_t*>(p.cache.v) + cache;
        for (int c = 0; c < p.head_dim; ++c) v_bytes[c] = double_to_e4m3(ElementTraits<T>::widen(v[c]) / p.cache.v_scale);
        continue;
      }
      rotate_head<T>(p, k, k_cache + cache, position, false, h);
      for (int c = 0; c < p.head_dim; ++c) v_cache[cache + c] = v[c];
    }
  }
}

}  // namespace

void apply_kv_append_host(const KvAppendParams& params) {
  if (const std::string problem = kv_append_params_problem(params); !problem.empty()) throw std::invalid_argument(problem);
  for (std::int64_t n = 0; n < params.tokens(); ++n) {  // every fault before any write
    const AppendToken t = append_token(params, n);
    unsigned fault = 0;
    append_position(params, t, fault);
    append_cache_slot(params, t, n, fault);
    if (fault != 0)
      throw std::invalid_argument("decode token " + std::to_string(n) + " (sequence " + std::to_string(t.sequence) +
                                  ", new token " + std::to_string(t.index) + "): " + kv_append_fault_text(fault));
  }
  switch (params.dtype) {
    case DType::fp32: decode_typed<DType::fp32>(params); break;
    case DType::fp16: decode_typed<DType::fp16>(params); break;
    case DType::bf16: decode_typed<DType::bf16>(params); break;
  }
}

}  // namespace mmrope::kernels

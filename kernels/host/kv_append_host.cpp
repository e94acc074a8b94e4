// The host twin of the KV-append kernel: every token checked first, then q rotated, k rotated into the cache
// (or into k's output without one), v copied.
#include "kernels/host/kv_append_host.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/core/element_traits.hpp"
#include "kernels/core/fp8_e4m3.hpp"
#include "kernels/core/kv_append_check.hpp"
#include "kernels/core/kv_append_indexing.hpp"
#include "kernels/core/token_indexing.hpp"

namespace mmrope::kernels {
namespace {

// One head: each pair rotated with its slot's cos/sin, then stored by `store(channel, value)`.
template <DType T, class Store>
void rotate_head(const KvAppendParams& p, const std::vector<CosSin>& slots, const typename ElementTraits<T>::Storage* in,
                 bool is_query, int head, Store store) {
  using Traits = ElementTraits<T>;
  const CosSin unrotated{p.frequencies.attention_factor, 0.0};
  for (int j = 0; j < p.pairs(); ++j) {
    const PairChannels c = pair_channels(p.pairing, j, p.rotary_dim);
    const int slot = append_slot_of(p, is_query, head, j);
    const PairValues y = rotate_pair(Traits::widen(in[c.first]), Traits::widen(in[c.second]),
                                     slot < 0 ? unrotated : slots[static_cast<std::size_t>(slot)], Direction::forward);
    store(c.first, y.first);
    store(c.second, y.second);
  }
}

template <DType T>
void append_typed(const KvAppendParams& p) {
  using Traits = ElementTraits<T>;
  using Storage = typename Traits::Storage;
  const auto* q_in = static_cast<const Storage*>(p.q.input);
  auto* q_out = static_cast<Storage*>(p.q.output);
  const auto* k_in = static_cast<const Storage*>(p.k.input);
  const auto* v_in = static_cast<const Storage*>(p.v.input);
  std::vector<CosSin> slots(static_cast<std::size_t>(append_slots(p)));
  for (std::int64_t n = 0; n < p.tokens(); ++n) {
    unsigned fault = 0;
    const AppendToken t = append_token(p, n, fault);
    const TokenPositions positions = append_positions(p, t, n, fault);
    const std::int64_t slot = append_cache_slot(p, t, n, fault);
    for (int s = 0; s < append_slots(p); ++s) slots[static_cast<std::size_t>(s)] = append_slot_cos_sin(p, positions, s);
    // A tensor's head: rotated into `out`, the tail copied (in place it is already there).
    auto rotate_into = [&](const Storage* in, Storage* out, bool is_query, int head) {
      rotate_head<T>(p, slots, in, is_query, head, [&](int c, double y) { out[c] = Traits::narrow(y); });
      if (out != in)
        for (int c = p.rotary_dim; c < p.head_dim; ++c) out[c] = in[c];
    };
    for (int h = 0; h < p.q_heads; ++h) {
      const std::int64_t o = n * p.q.token_stride + h * p.q.head_stride;
      rotate_into(q_in + o, q_out + o, true, h);
    }
    for (int h = 0; h < p.kv_heads; ++h) {
      const Storage* k = k_in + n * p.k.token_stride + h * p.k.head_stride;
      if (p.cache.k == nullptr) {  // no cache: k rotated like q
        rotate_into(k, static_cast<Storage*>(p.k.output) + n * p.k.token_stride + h * p.k.head_stride, false, h);
        continue;
      }
      if (slot < 0) continue;  // skipped by the slot mapping
      const std::int64_t cache = slot * p.cache.slot_stride + h * p.cache.head_stride;
      const Storage* v = v_in + n * p.v.token_stride + h * p.v.head_stride;
      if (p.cache.fp8_e4m3) {  // the rotated value in double over the scale, rounded once to e4m3; tail and v alike
        auto* k_bytes = static_cast<std::uint8_t*>(p.cache.k) + cache;
        auto* v_bytes = static_cast<std::uint8_t*>(p.cache.v) + cache;
        const double k_scale = p.cache.k_scale;
        rotate_head<T>(p, slots, k, false, h, [&](int c, double y) { k_bytes[c] = double_to_e4m3(y / k_scale); });
        for (int c = p.rotary_dim; c < p.head_dim; ++c) k_bytes[c] = double_to_e4m3(Traits::widen(k[c]) / k_scale);
        for (int c = 0; c < p.head_dim; ++c) v_bytes[c] = double_to_e4m3(Traits::widen(v[c]) / p.cache.v_scale);
        continue;
      }
      rotate_into(k, static_cast<Storage*>(p.cache.k) + cache, false, h);
      Storage* v_cache = static_cast<Storage*>(p.cache.v) + cache;
      for (int c = 0; c < p.head_dim; ++c) v_cache[c] = v[c];
    }
  }
}

// cu_new_tokens as a whole, which the host can read: the kernel's per-token bracket check misses nothing, but
// this names the entry.
std::string sequence_starts_problem(const KvAppendParams& p) {
  if (p.cu_new_tokens == nullptr) return {};
  if (p.cu_new_tokens[0] != 0) return "cu_new_tokens[0] is " + std::to_string(p.cu_new_tokens[0]) + ", not 0";
  for (int b = 0; b < p.batch; ++b)
    if (p.cu_new_tokens[b + 1] < p.cu_new_tokens[b])
      return "cu_new_tokens decreases at sequence " + std::to_string(b) + " (" + std::to_string(p.cu_new_tokens[b]) +
             " then " + std::to_string(p.cu_new_tokens[b + 1]) + ")";
  if (p.cu_new_tokens[p.batch] != p.total_tokens)
    return "cu_new_tokens ends at " + std::to_string(p.cu_new_tokens[p.batch]) + ", not total_tokens " +
           std::to_string(p.total_tokens);
  return {};
}

}  // namespace

void apply_kv_append_host(const KvAppendParams& params) {
  if (const std::string problem = kv_append_params_problem(params); !problem.empty()) throw std::invalid_argument(problem);
  if (const std::string problem = sequence_starts_problem(params); !problem.empty()) throw std::invalid_argument(problem);
  for (std::int64_t n = 0; n < params.tokens(); ++n) {  // every fault before any write
    unsigned fault = 0;
    const AppendToken t = append_token(params, n, fault);
    append_positions(params, t, n, fault);
    append_cache_slot(params, t, n, fault);
    if (fault != 0)
      throw std::invalid_argument("token " + std::to_string(n) + " (sequence " + std::to_string(t.sequence) +
                                  ", new token " + std::to_string(t.index) + "): " + kv_append_fault_text(fault));
  }
  switch (params.dtype) {
    case DType::fp32: append_typed<DType::fp32>(params); break;
    case DType::fp16: append_typed<DType::fp16>(params); break;
    case DType::bf16: append_typed<DType::bf16>(params); break;
  }
}

}  // namespace mmrope::kernels

// The exact rotation by a cos/sin cache's values, element by element in MPFR, against a launch's outputs.
#include "kernels/host/cos_sin_cache_check.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "kernels/core/element_traits.hpp"
#include <cstring>

#include "kernels/core/kv_append_check.hpp"
#include "kernels/core/kv_append_indexing.hpp"
#include "kernels/host/error_bound.hpp"
#include "reference/rounding.hpp"
#include "reference/scalar.hpp"

namespace mmrope::kernels {
namespace {

std::uint32_t bits_at(const void* base, std::int64_t offset, DType t) {
  if (t == DType::fp32) {
    std::uint32_t b = 0;
    const float f = static_cast<const float*>(base)[offset];
    std::memcpy(&b, &f, 4);
    return b;
  }
  return static_cast<const std::uint16_t*>(base)[offset];
}

// One tensor: heads of every token, read at `in(n, h)` and `out(n, h)` (element offsets of channel 0).
template <class In, class Out>
TensorVerdict judge_tensor(const KvAppendParams& p, int heads, bool is_query, const void* input, const void* output,
                           In in, Out out) {
  TensorVerdict v;
  v.present = true;
  ComparisonReport& r = v.report;
  r.max_ulp_bound = 0.5;
  bool all_zero = true, any_exact_nonzero = false;
  for (std::int64_t n = 0; n < p.tokens(); ++n) {
    unsigned fault = 0;
    const AppendToken t = append_token(p, n, fault);
    const TokenPositions pos = append_positions(p, t, n, fault);
    if (fault != 0) throw std::invalid_argument("check_cos_sin_cache_rotation: token " + std::to_string(n) + ": " + kv_append_fault_text(fault));
    for (int h = 0; h < heads; ++h) {
      const std::int64_t i0 = in(n, h), o0 = out(n, h);
      for (int ch = 0; ch < p.head_dim; ++ch) {
        const double x = decode_bits(bits_at(input, i0 + ch, p.dtype), p.dtype);
        Mpfr256 exact(x);
        if (ch < p.rotary_dim) {
          const int half = p.rotary_dim / 2;
          const int pair = p.pairing == Pairing::neox ? ch % half : ch / 2;
          const PairChannels c = kernels::pair_channels(p.pairing, pair, p.rotary_dim);
          const bool first = ch == c.first;
          const double other = decode_bits(bits_at(input, i0 + (first ? c.second : c.first), p.dtype), p.dtype);
          const int slot = append_slot_of(p, is_query, h, pair);
          Mpfr256 cos(p.frequencies.attention_factor), sin(0);
          if (slot >= 0) {  // the cache's values at the row of the slot's axis
            const int axis = p.frequencies.per_kv_head ? slot / half : p.frequencies.axis_of[pair];
            const float* row = p.cos_sin_cache.values + pos.on(axis) * p.cos_sin_cache.row_stride;
            cos = Mpfr256(row[pair]);
            sin = Mpfr256(row[half + pair]);
          }
          // forward: (a cos - b sin, b cos + a sin)
          exact = first ? Mpfr256(Mpfr256(x) * cos - Mpfr256(other) * sin) : Mpfr256(Mpfr256(x) * cos + Mpfr256(other) * sin);
        }
        const std::uint32_t got = bits_at(output, o0 + ch, p.dtype);
        const double ulp = ulp_error(exact, got, p.dtype);
        const double y = to_double(exact);
        const double bound = 0.5 + 0x1p-53 * std::fabs(y) / to_double(ulp_of(exact, p.dtype));
        ++r.elements;
        if (decode_bits(got, p.dtype) != 0) all_zero = false;
        if (y != 0) any_exact_nonzero = true;
        if (ulp > kContractUlps) ++v.beyond_contract;
        if (ulp > bound) ++v.beyond_element_bound, ++r.over_bound;
        if (ulp > r.max_ulp || r.worst.empty()) {
          r.max_ulp = ulp;
          ElementError e;
          e.index = r.elements - 1;
          e.token = static_cast<int>(n), e.head = h, e.channel = ch;
          e.got = decode_bits(got, p.dtype), e.exact = y, e.ulp = ulp;
          r.worst = {e};
        }
      }
    }
  }
  r.all_zero_output = all_zero && any_exact_nonzero;
  return v;
}

}  // namespace

KernelVerdict check_cos_sin_cache_rotation(const KvAppendParams& p, const void* q_original, const void* k_original) {
  if (p.cos_sin_cache.values == nullptr) throw std::invalid_argument("check_cos_sin_cache_rotation: the launch has no cos/sin cache");
  if (p.cache.k != nullptr && p.cache.fp8_e4m3) throw std::invalid_argument("check_cos_sin_cache_rotation: an fp8 cache is judged by check_fp8_cache_against_reference");
  std::vector<std::int64_t> slots;
  for (std::int64_t n = 0; n < p.tokens(); ++n) {
    unsigned fault = 0;
    const AppendToken t = append_token(p, n, fault);
    slots.push_back(append_cache_slot(p, t, n, fault));
    if (fault != 0 || (p.cache.k != nullptr && slots.back() < 0))
      throw std::invalid_argument("check_cos_sin_cache_rotation: token " + std::to_string(n) + " has no cache slot");
  }
  KernelVerdict v;
  const auto at = [](const TokenTensorArgs& t) {
    return [&t](std::int64_t n, int h) { return n * t.token_stride + h * t.head_stride; };
  };
  if (p.q_heads > 0) v.q = judge_tensor(p, p.q_heads, true, q_original, p.q.output, at(p.q), at(p.q));
  const void* k_in = k_original != nullptr ? k_original : p.k.input;
  if (p.cache.k == nullptr) {
    v.k = judge_tensor(p, p.kv_heads, false, k_in, p.k.output, at(p.k), at(p.k));
  } else {
    v.k = judge_tensor(p, p.kv_heads, false, k_in, p.cache.k, at(p.k), [&](std::int64_t n, int h) {
      return slots[static_cast<std::size_t>(n)] * p.cache.slot_stride + h * p.cache.head_stride;
    });
  }
  return v;
}

}  // namespace mmrope::kernels

// Judges a kernel launch against the exact reference through the judge engine, reading q and k in [tokens, heads, head_dim] order.
#include "kernels/host/reference_check.hpp"

#include <algorithm>
#include <functional>
#include <cmath>
#include <cstdint>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

#include "kernels/core/kv_append_check.hpp"
#include "kernels/core/kv_append_indexing.hpp"
#include "kernels/core/element_traits.hpp"
#include "kernels/core/token_indexing.hpp"
#include "kernels/host/error_bound.hpp"
#include "reference/judge/judge_engine.hpp"

namespace mmrope::kernels {
namespace {

// The value of element `offset` of a tensor, exactly, and its raw bits (as comparison.hpp wants them).
double value_at(const void* base, std::int64_t offset, DType t) {
  switch (t) {
    case DType::fp32: return static_cast<const float*>(base)[offset];
    case DType::fp16: return fp16_bits_to_float(static_cast<const std::uint16_t*>(base)[offset]);
    case DType::bf16: return bf16_bits_to_float(static_cast<const std::uint16_t*>(base)[offset]);
  }
  return 0;
}
std::uint32_t bits_at(const void* base, std::int64_t offset, DType t) {
  if (t == DType::fp32) return bits_of(static_cast<const float*>(base)[offset]);
  return static_cast<const std::uint16_t*>(base)[offset];
}

// Element i of the [tokens, heads, head_dim] order: read at in_offset(i) of the input and out_offset(i) of
// the output, judged at its token's position.
using ElementOffset = std::function<std::int64_t(std::int64_t)>;

TensorVerdict judge_elements(const RotarySpec& spec, const std::vector<Position3>& positions, TensorRole role,
                             Direction direction, DType dtype, int heads, int head_dim, double attention,
                             const void* input, const ElementOffset& in_offset, const void* output,
                             const ElementOffset& out_offset, judge::Engine engine, unsigned threads) {
  TensorVerdict v;
  v.present = true;
  judge::Problem problem;
  problem.spec = spec;
  problem.role = role;
  problem.direction = direction;
  problem.dtype = dtype;
  problem.row = TensorShape{static_cast<int>(positions.size()), heads, head_dim};
  problem.positions = {positions};
  const auto x = [&](std::int64_t first, std::span<double> out) {
    for (std::size_t k = 0; k < out.size(); ++k) out[k] = value_at(input, in_offset(first + static_cast<std::int64_t>(k)), dtype);
  };
  const auto got = [&](std::int64_t first, std::span<std::uint32_t> out) {
    for (std::size_t k = 0; k < out.size(); ++k) out[k] = bits_at(output, out_offset(first + static_cast<std::int64_t>(k)), dtype);
  };
  judge::Options o;
  o.engine = engine;
  o.threads = threads;
  o.max_ulp = kContractUlps;
  o.element_bound = [attention](double inputs, double exact, double ulp) {
    return element_bound_ulps(inputs, attention, exact, ulp);
  };
  v.report = judge::check(problem, x, got, o);
  v.beyond_contract = v.report.over_bound;
  v.beyond_element_bound = v.report.beyond_element_bound;
  return v;
}

TensorVerdict judge(const RotarySpec& spec, const std::vector<Position3>& positions, const RotaryKernelParams& p,
                    const RotaryTensorArgs& t, TensorRole role, judge::Engine engine, unsigned threads) {
  if (t.heads == 0 || t.input == nullptr) return {};
  // Element i of the [tokens, heads, head_dim] order lives at the kernel's strided offset.
  const std::int64_t tokens = p.tokens();
  std::vector<std::int64_t> token_base(static_cast<std::size_t>(tokens));
  for (std::int64_t n = 0; n < tokens; ++n) token_base[n] = token_offset(p, t, n, locate_token(p, n));
  const std::int64_t per_token = static_cast<std::int64_t>(t.heads) * p.head_dim;
  const ElementOffset offset = [&](std::int64_t i) {
    const std::int64_t n = i / per_token, h = (i % per_token) / p.head_dim, c = i % p.head_dim;
    return token_base[n] + h * t.head_stride + c;
  };
  return judge_elements(spec, positions, role, p.direction, p.dtype, t.heads, p.head_dim, p.frequencies.attention_factor,
                        t.input, offset, t.output, offset, engine, threads);
}

}  // namespace


double KernelVerdict::max_ulp() const {
  return std::max(q.present ? q.report.max_ulp : 0.0, k.present ? k.report.max_ulp : 0.0);
}

std::string KernelVerdict::describe() const {
  std::ostringstream out;
  for (const auto& [name, v] : {std::pair{"q", &q}, std::pair{"k", &k}}) {
    if (!v->present) continue;
    out << name << ": max " << v->report.max_ulp << " ulp over " << v->report.elements << " elements, "
        << v->beyond_contract << " beyond " << kContractUlps << " ulp, " << v->beyond_element_bound
        << " beyond their element bound" << (v->report.all_zero_output ? ", ALL-ZERO OUTPUT" : "") << "\n";
    for (const ElementError& e : v->report.worst)
      if (e.ulp > 0.5)
        out << "  token " << e.token << " head " << e.head << " channel " << e.channel << ": got " << e.got
            << ", exact " << e.exact << " (" << e.ulp << " ulp)\n";
  }
  return out.str();
}

std::vector<Position3> kernel_token_positions(const RotaryKernelParams& p) {
  std::vector<Position3> out;
  const std::int64_t tokens = p.tokens();
  out.reserve(static_cast<std::size_t>(tokens));
  for (std::int64_t n = 0; n < tokens; ++n) {
    const TokenPositions pos = token_positions(p, n, locate_token(p, n));
    out.push_back({Coordinate(pos.axis[0]), Coordinate(pos.axis[1]), Coordinate(pos.axis[2])});
  }
  return out;
}

KernelVerdict check_against_reference(const RotarySpec& spec, const RotaryKernelParams& params, judge::Engine engine,
                                      unsigned threads) {
  const std::vector<Position3> positions = kernel_token_positions(params);
  KernelVerdict v;
  v.q = judge(spec, positions, params, params.q, TensorRole::query, engine, threads);
  v.k = judge(spec, positions, params, params.k, TensorRole::key, engine, threads);
  return v;
}

namespace {

// Where each appended token's k went (its cache slot's element offsets, or k's output) and its (t, h, w).
struct AppendedTokens {
  std::vector<Position3> positions;
  std::vector<std::int64_t> slots;  // per token; -1 without a cache
};

AppendedTokens appended_tokens(const KvAppendParams& p) {
  AppendedTokens out;
  for (std::int64_t n = 0; n < p.tokens(); ++n) {
    unsigned fault = 0;
    const AppendToken t = append_token(p, n, fault);
    const TokenPositions pos = append_positions(p, t, n, fault);
    out.positions.push_back({Coordinate(pos.axis[0]), Coordinate(pos.axis[1]), Coordinate(pos.axis[2])});
    out.slots.push_back(append_cache_slot(p, t, n, fault));
    if (fault != 0 || (p.cache.k != nullptr && out.slots.back() < 0))
      throw std::invalid_argument("the KV-append check: token " + std::to_string(n) + " has no cache slot (" +
                                  kv_append_fault_text(fault) + ")");
  }
  return out;
}

ElementOffset strided(const KvAppendParams& p, const TokenTensorArgs& t, int heads) {
  const std::int64_t per_token = static_cast<std::int64_t>(heads) * p.head_dim;
  return [&t, per_token, head_dim = p.head_dim](std::int64_t i) {
    return (i / per_token) * t.token_stride + ((i % per_token) / head_dim) * t.head_stride + i % head_dim;
  };
}

// Where k's element i went: its token's cache slot, or k's output at k's strides.
ElementOffset k_destination(const KvAppendParams& p, const AppendedTokens& tokens) {
  if (p.cache.k == nullptr) return strided(p, p.k, p.kv_heads);
  const std::int64_t per_token = static_cast<std::int64_t>(p.kv_heads) * p.head_dim;
  return [&p, &tokens, per_token](std::int64_t i) {
    return tokens.slots[static_cast<std::size_t>(i / per_token)] * p.cache.slot_stride +
           ((i % per_token) / p.head_dim) * p.cache.head_stride + i % p.head_dim;
  };
}

}  // namespace

KernelVerdict check_kv_append_against_reference(const RotarySpec& spec, const KvAppendParams& p, const void* q_original,
                                                const void* k_original, judge::Engine engine, unsigned threads) {
  if (p.cos_sin_cache.values != nullptr)
    throw std::invalid_argument("the KV-append check judges the phase on the fly; a cos/sin-cache launch is judged by "
                                "check_cos_sin_cache_rotation, against its cache's values");
  const AppendedTokens tokens = appended_tokens(p);
  const double attention = p.frequencies.attention_factor;
  const void* k_in = k_original != nullptr ? k_original : p.k.input;
  KernelVerdict v;
  if (p.q_heads > 0)
    v.q = judge_elements(spec, tokens.positions, TensorRole::query, Direction::forward, p.dtype, p.q_heads, p.head_dim,
                         attention, q_original, strided(p, p.q, p.q_heads), p.q.output, strided(p, p.q, p.q_heads), engine,
                         threads);
  if (p.cache.k != nullptr && p.cache.fp8_e4m3) return v;  // check_fp8_cache_against_reference judges the cache
  v.k = judge_elements(spec, tokens.positions, TensorRole::key, Direction::forward, p.dtype, p.kv_heads, p.head_dim, attention,
                       k_in, strided(p, p.k, p.kv_heads), p.cache.k != nullptr ? p.cache.k : p.k.output,
                       k_destination(p, tokens), engine, threads);
  return v;
}

}  // namespace mmrope::kernels

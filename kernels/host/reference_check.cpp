// Judges a kernel launch against the exact reference through the judge engine, reading q and k in [tokens, heads, head_dim] order.
#include "kernels/host/reference_check.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <sstream>
#include <utility>

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

TensorVerdict judge(const RotarySpec& spec, const std::vector<Position3>& positions, const RotaryKernelParams& p,
                    const RotaryTensorArgs& t, TensorRole role, judge::Engine engine, unsigned threads) {
  TensorVerdict v;
  if (t.heads == 0 || t.input == nullptr) return v;
  v.present = true;
  const std::int64_t tokens = p.tokens();
  judge::Problem problem;
  problem.spec = spec;
  problem.role = role;
  problem.direction = p.direction;
  problem.dtype = p.dtype;
  problem.row = TensorShape{static_cast<int>(tokens), t.heads, p.head_dim};
  problem.positions = {positions};
  // Element i of the [tokens, heads, head_dim] order lives at the kernel's strided offset.
  std::vector<std::int64_t> token_base(static_cast<std::size_t>(tokens));
  for (std::int64_t n = 0; n < tokens; ++n) token_base[n] = token_offset(p, t, n, locate_token(p, n));
  const std::int64_t per_token = static_cast<std::int64_t>(t.heads) * p.head_dim;
  const auto offset = [&](std::int64_t i) {
    const std::int64_t n = i / per_token, h = (i % per_token) / p.head_dim, c = i % p.head_dim;
    return token_base[n] + h * t.head_stride + c;
  };
  const auto x = [&](std::int64_t first, std::span<double> out) {
    for (std::size_t k = 0; k < out.size(); ++k) out[k] = value_at(t.input, offset(first + static_cast<std::int64_t>(k)), p.dtype);
  };
  const auto got = [&](std::int64_t first, std::span<std::uint32_t> out) {
    for (std::size_t k = 0; k < out.size(); ++k) out[k] = bits_at(t.output, offset(first + static_cast<std::int64_t>(k)), p.dtype);
  };
  judge::Options o;
  o.engine = engine;
  o.threads = threads;
  o.max_ulp = kContractUlps;
  const double attention = p.frequencies.attention_factor;
  o.element_bound = [attention](double inputs, double exact, double ulp) {
    return element_bound_ulps(inputs, attention, exact, ulp);
  };
  v.report = judge::check(problem, x, got, o);
  v.beyond_contract = v.report.over_bound;
  v.beyond_element_bound = v.report.beyond_element_bound;
  return v;
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

}  // namespace mmrope::kernels

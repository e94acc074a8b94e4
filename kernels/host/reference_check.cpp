// Judges a kernel launch against the exact reference: gathers q and k into [tokens, heads, head_dim] order.
#include "kernels/host/reference_check.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <utility>

#include "kernels/core/element_traits.hpp"
#include "kernels/core/token_indexing.hpp"
#include "kernels/host/error_bound.hpp"
#include "reference/frequency/frequency_plan.hpp"
#include "reference/rotation.hpp"

namespace mmrope::kernels {
namespace {

// The value of element `offset` of a tensor, exactly, and its raw bits (as comparison.hpp wants them).
double value_at(const void* base, std::int64_t offset, ElementType t) {
  switch (t) {
    case ElementType::fp32: return static_cast<const float*>(base)[offset];
    case ElementType::fp16: return fp16_bits_to_float(static_cast<const std::uint16_t*>(base)[offset]);
    case ElementType::bf16: return bf16_bits_to_float(static_cast<const std::uint16_t*>(base)[offset]);
  }
  return 0;
}
std::uint32_t bits_at(const void* base, std::int64_t offset, ElementType t) {
  if (t == ElementType::fp32) return bits_of(static_cast<const float*>(base)[offset]);
  return static_cast<const std::uint16_t*>(base)[offset];
}

TensorVerdict judge(const Rotation<Mpfr256>& rotation, const RotaryKernelParams& p, const RotaryTensorArgs& t,
                    TensorRole role) {
  TensorVerdict v;
  if (t.heads == 0 || t.input == nullptr) return v;
  v.present = true;
  const std::int64_t tokens = p.tokens();
  const TensorShape shape{static_cast<int>(tokens), t.heads, p.head_dim};
  std::vector<double> x(shape.size());
  std::vector<std::uint32_t> got(shape.size());
  for (std::int64_t n = 0; n < tokens; ++n) {
    const std::int64_t base = token_offset(p, t, n, locate_token(p, n));
    for (int h = 0; h < t.heads; ++h)
      for (int c = 0; c < p.head_dim; ++c) {
        const std::int64_t off = base + h * t.head_stride + c;
        const std::size_t i = shape.index(static_cast<int>(n), h, c);
        x[i] = value_at(t.input, off, p.dtype);
        got[i] = bits_at(t.output, off, p.dtype);
      }
  }
  const DType dtype = reference_dtype(p.dtype);
  const Direction direction = p.direction == RotationDirection::forward ? Direction::forward : Direction::backward;
  const RotatedTensor<Mpfr256> exact = rotation.apply(x, shape, role, direction, dtype);
  v.report = compare(exact, got, kContractUlps);
  const double attention = to_double(rotation.plan().attention_factor);
  for (int n = 0; n < shape.tokens; ++n)
    for (int h = 0; h < shape.heads; ++h) {
      for (int j = 0; j < p.pairs(); ++j) {
        const PairChannels c = pair_channels(p.pairing, j, p.rotary_dim);
        const std::size_t i0 = shape.index(n, h, c.first), i1 = shape.index(n, h, c.second);
        const double inputs = std::fabs(x[i0]) + std::fabs(x[i1]);
        for (std::size_t i : {i0, i1}) {
          const double ulp = ulp_error(exact.exact[i], got[i], dtype);
          if (ulp <= kContractUlps) continue;
          ++v.beyond_contract;
          const double bound =
              element_bound_ulps(inputs, attention, to_double(exact.exact[i]), to_double(ulp_of(exact.exact[i], dtype)));
          if (!(ulp <= bound)) ++v.beyond_element_bound;
        }
      }
      // The tail passes through exactly: 0 ulp, which the contract alone would allow to be 1.
      for (int c = p.rotary_dim; c < p.head_dim; ++c) {
        const std::size_t i = shape.index(n, h, c);
        if (ulp_error(exact.exact[i], got[i], dtype) != 0) ++v.beyond_element_bound;
      }
    }
  return v;
}

}  // namespace

DType reference_dtype(ElementType t) {
  switch (t) {
    case ElementType::fp32: return DType::fp32;
    case ElementType::fp16: return DType::fp16;
    case ElementType::bf16: return DType::bf16;
  }
  return DType::fp32;
}

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

KernelVerdict check_against_reference(const RotarySpec& spec, const RotaryKernelParams& params) {
  const Rotation<Mpfr256> rotation(make_frequency_plan<Mpfr256>(spec), kernel_token_positions(params));
  KernelVerdict v;
  v.q = judge(rotation, params, params.q, TensorRole::query);
  v.k = judge(rotation, params, params.k, TensorRole::key);
  return v;
}

}  // namespace mmrope::kernels

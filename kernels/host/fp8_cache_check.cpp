// The fp8 e4m3 cache against the exact reference quantized: decoded bytes measured in e4m3 ulps.
#include "kernels/host/fp8_cache_check.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "kernels/core/kv_append_indexing.hpp"
#include "kernels/host/error_bound.hpp"
#include "reference/frequency/frequency_plan.hpp"
#include "reference/rotation.hpp"
#include "reference/rounding.hpp"

namespace mmrope::kernels {
namespace {

double e4m3_decoded(std::uint8_t code) {
  const int e = (code >> 3) & 15, m = code & 7;
  const double magnitude = e == 0 ? std::ldexp(m, -9) : std::ldexp(8 + m, e - 10);
  return code & 0x80 ? -magnitude : magnitude;
}

// One ulp of e4m3 at |v|: subnormal spacing below 2^-6, 3 fraction bits above.
double e4m3_ulp(double v) {
  const double a = std::fabs(v);
  if (a < 0x1p-6) return 0x1p-9;
  return std::ldexp(1.0, std::ilogb(a) - 3);
}

// |decoded(code) - value| in e4m3 ulps; 0 for the saturated 448 of a value beyond it; NaN codes never match.
double e4m3_ulp_error(std::uint8_t code, double value) {
  if ((code & 0x7F) == 0x7F) return INFINITY;
  const double got = e4m3_decoded(code);
  if (std::fabs(value) >= 448) return got == std::copysign(448.0, value) ? 0.0 : INFINITY;
  return std::fabs(got - value) / e4m3_ulp(value);
}

double read_value(const void* base, std::int64_t offset, DType t) {
  if (t == DType::fp32) return static_cast<const float*>(base)[offset];
  return decode_bits(static_cast<const std::uint16_t*>(base)[offset], t);
}

}  // namespace

KernelVerdict check_fp8_cache_against_reference(const RotarySpec& spec, const KvAppendParams& p) {
  if (p.cache.k == nullptr || !p.cache.fp8_e4m3) throw std::invalid_argument("check_fp8_cache_against_reference: the launch has no fp8 cache");
  if (p.cos_sin_cache.values != nullptr) throw std::invalid_argument("check_fp8_cache_against_reference judges the phase on the fly");
  const std::int64_t tokens = p.tokens();
  std::vector<Position3> positions;
  std::vector<std::int64_t> slots;
  std::vector<double> k;
  for (std::int64_t n = 0; n < tokens; ++n) {
    unsigned fault = 0;
    const AppendToken t = append_token(p, n, fault);
    const TokenPositions pos = append_positions(p, t, n, fault);
    positions.push_back({Coordinate(pos.axis[0]), Coordinate(pos.axis[1]), Coordinate(pos.axis[2])});
    slots.push_back(append_cache_slot(p, t, n, fault));
    if (fault != 0 || slots.back() < 0)
      throw std::invalid_argument("check_fp8_cache_against_reference: token " + std::to_string(n) + " has no cache slot");
    for (int h = 0; h < p.kv_heads; ++h)
      for (int c = 0; c < p.head_dim; ++c) k.push_back(read_value(p.k.input, n * p.k.token_stride + h * p.k.head_stride + c, p.dtype));
  }
  const Rotation<Mpfr256> rotation(make_frequency_plan<Mpfr256>(spec), positions);
  const auto exact = rotation.apply(k, TensorShape{static_cast<int>(tokens), p.kv_heads, p.head_dim}, TensorRole::key,
                                    Direction::forward, p.dtype).exact;
  KernelVerdict v;
  v.k.present = true;
  ComparisonReport& r = v.k.report;
  r.max_ulp_bound = 0.5;
  const auto* k_cache = static_cast<const std::uint8_t*>(p.cache.k);
  const auto* v_cache = static_cast<const std::uint8_t*>(p.cache.v);
  const int half = p.rotary_dim / 2;
  const auto count = [&](double ulp, double bound, std::int64_t n, int h, int c, double got, double want) {
    ++r.elements;
    if (ulp > kContractUlps) ++v.k.beyond_contract;
    if (ulp > bound) ++v.k.beyond_element_bound, ++r.over_bound;
    if (ulp > r.max_ulp || r.worst.empty()) {
      r.max_ulp = ulp;
      ElementError e;
      e.index = r.elements - 1;
      e.token = static_cast<int>(n), e.head = h, e.channel = c, e.got = got, e.exact = want, e.ulp = ulp;
      r.worst = {e};
    }
  };
  for (std::int64_t n = 0; n < tokens; ++n)
    for (int h = 0; h < p.kv_heads; ++h)
      for (int c = 0; c < p.head_dim; ++c) {
        const std::size_t i = static_cast<std::size_t>((n * p.kv_heads + h) * p.head_dim + c);
        const std::int64_t at = slots[static_cast<std::size_t>(n)] * p.cache.slot_stride + h * p.cache.head_stride + c;
        const std::size_t partner = c >= p.rotary_dim ? i
                                    : p.pairing == Pairing::gptj ? (c % 2 ? i - 1 : i + 1)
                                    : c < half ? i + static_cast<std::size_t>(half) : i - static_cast<std::size_t>(half);
        const double k_value = to_double(Mpfr256(exact[i] / Mpfr256(p.cache.k_scale)));
        const double k_slack = c >= p.rotary_dim ? 0x1p-52 * std::fabs(k[i]) / p.cache.k_scale
                                                 : (0x1p-49 * (std::fabs(k[i]) + std::fabs(k[partner])) +
                                                    0x1p-51 * std::fabs(to_double(exact[i]))) / p.cache.k_scale;
        // The exact value's double is within 2^-53 of it relative, far inside the slack's smallest term.
        count(e4m3_ulp_error(k_cache[at], k_value), 0.5 + k_slack / e4m3_ulp(k_value), n, h, c, e4m3_decoded(k_cache[at]), k_value);
        const double x = read_value(p.v.input, n * p.v.token_stride + h * p.v.head_stride + c, p.dtype);
        const double v_value = x / p.cache.v_scale;  // one rounding: within 2^-53 |v_value|
        count(e4m3_ulp_error(v_cache[at], v_value), 0.5 + 0x1p-52 * std::fabs(x) / p.cache.v_scale / e4m3_ulp(v_value), n, h, c,
              e4m3_decoded(v_cache[at]), v_value);
      }
  return v;
}

}  // namespace mmrope::kernels

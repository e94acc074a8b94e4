// Metamorphic laws between launches of one case, compared over the real tokens in (b, s, head, channel) order.
#include "metamorphic.hpp"

#include <cmath>
#include <cstring>
#include <random>
#include <sstream>

#include "reference/frequency/frequency_plan.hpp"
#include "reference/rounding.hpp"
#include "reference/scalar.hpp"

namespace mmrope::kernels::testing {
namespace {

struct Outputs {
  std::vector<std::uint32_t> q, k;
  bool operator==(const Outputs&) const = default;
};

Outputs outputs_of(const KernelCaseData& d) { return {logical_bits(d, true, true), logical_bits(d, false, true)}; }

// The variant `v` of the base case, with the base's inputs and positions, run on the backend.
Outputs run_variant(const KernelCase& v, const KernelCaseData& base, const Backend& backend) {
  std::mt19937_64 unused(0);
  KernelCaseData d = make_case(v, unused);
  copy_logical_inputs(base, d);
  backend(d.params);
  return outputs_of(d);
}

const char* layout_name(TensorLayout l) { return l == TensorLayout::bshd ? "bshd" : l == TensorLayout::sbhd ? "sbhd" : "thd"; }

std::string first_difference(const Outputs& a, const Outputs& b) {
  for (const auto& [name, x, y] : {std::tuple{"q", &a.q, &b.q}, std::tuple{"k", &a.k, &b.k}})
    for (std::size_t i = 0; i < x->size(); ++i)
      if ((*x)[i] != (*y)[i]) {
        std::ostringstream s;
        s << name << " element " << i << " (real tokens, (b, s, head, channel) order): 0x" << std::hex << (*x)[i] << " vs 0x" << (*y)[i];
        return s.str();
      }
  return "the outputs differ in size";
}

bool attention_factor_is_one(const KernelCase& c) { return make_frequency_plan<Mpfr256>(c.spec()).attention_factor == 1; }

// Backward after forward, in place, against the inputs: every pair within backward_after_forward_bound and
// the tail exactly the input.
std::string round_trip_failure(const KernelCase& base_case, const KernelCaseData& base, const Backend& backend) {
  KernelCase c = base_case;
  c.direction = Direction::forward;
  c.in_place = true;
  std::mt19937_64 unused(0);
  KernelCaseData d = make_case(c, unused);
  copy_logical_inputs(base, d);
  backend(d.params);
  d.params.direction = Direction::backward;
  backend(d.params);
  const DType t = c.dtype;
  const int half = c.rotary_dim / 2;
  for (bool query : {true, false}) {
    const std::vector<std::uint32_t> x = logical_bits(d, query, false), z = logical_bits(d, query, true);
    for (std::size_t row = 0; row + static_cast<std::size_t>(c.head_dim) <= x.size(); row += static_cast<std::size_t>(c.head_dim)) {
      for (int j = 0; j < half; ++j) {
        const int a = c.pairing == Pairing::neox ? j : 2 * j, b = c.pairing == Pairing::neox ? j + half : 2 * j + 1;
        const double x0 = decode_bits(x[row + a], t), x1 = decode_bits(x[row + b], t);
        const double z0 = decode_bits(z[row + a], t), z1 = decode_bits(z[row + b], t);
        if (!std::isfinite(z0) || !std::isfinite(z1)) continue;  // the forward pass overflowed: nothing to undo
        const double bound = backward_after_forward_bound(x0, x1, t);
        if (!(std::fabs(z0 - x0) <= bound && std::fabs(z1 - x1) <= bound)) {
          std::ostringstream s;
          s << "backward after forward: " << (query ? "q" : "k") << " row " << row / c.head_dim << " pair " << j << ": (" << x0
            << ", " << x1 << ") came back as (" << z0 << ", " << z1 << "), bound " << bound;
          return s.str();
        }
      }
      for (int ch = c.rotary_dim; ch < c.head_dim; ++ch)
        if (x[row + ch] != z[row + ch]) return "backward after forward changed a channel past rotary_dim";
    }
  }
  return {};
}

}  // namespace

double backward_after_forward_bound(double x0, double x1, DType dtype) {
  const auto error = [dtype](double r) { return ulp_of(r, dtype) / 2 + 2 * (0x1p-49 * std::sqrt(2.0) * r + 0x1p-52 * r); };
  const double r = std::hypot(x0, x1);
  const double forward = std::sqrt(2.0) * error(r);
  return (forward + error(r + forward)) * (1 + 0x1p-40);
}

std::string metamorphic_failure(const KernelCase& c, std::uint64_t seed, const Backend& backend) {
  std::mt19937_64 rng(seed);
  KernelCaseData base = make_case(c, rng);
  backend(base.params);
  const Outputs want = outputs_of(base);
  const auto differs = [&](const char* law, const KernelCase& v) -> std::string {
    const Outputs got = run_variant(v, base, backend);
    return got == want ? std::string() : std::string(law) + ": " + first_difference(want, got);
  };
  KernelCase v = c;
  v.in_place = !c.in_place;
  if (std::string f = differs(c.in_place ? "out of place differs from in place" : "in place differs from out of place", v); !f.empty()) return f;
  for (TensorLayout l : {TensorLayout::bshd, TensorLayout::sbhd, TensorLayout::thd}) {
    if (l == c.layout) continue;
    v = c;
    v.layout = l;
    const std::string law = std::string(layout_name(l)) + " differs from " + layout_name(c.layout);
    if (std::string f = differs(law.c_str(), v); !f.empty()) return f;
  }
  v = c;
  v.fused_qkv = !c.fused_qkv;
  if (std::string f = differs(c.fused_qkv ? "separate q and k differ from fused qkv" : "fused qkv differs from separate q and k", v); !f.empty())
    return f;
  if (c.q_heads > 0 && c.k_heads > 0) {  // q alone, then k alone, on the base's buffers
    std::mt19937_64 unused(0);
    KernelCaseData apart = make_case(c, unused);
    copy_logical_inputs(base, apart);
    RotaryKernelParams q_only = apart.params, k_only = apart.params;
    q_only.k.heads = 0;
    k_only.q.heads = 0;
    backend(q_only);
    backend(k_only);
    if (const Outputs got = outputs_of(apart); !(got == want)) return "q and k in separate launches differ: " + first_difference(want, got);
  }
  if (attention_factor_is_one(c))
    if (std::string f = round_trip_failure(c, base, backend); !f.empty()) return f;
  return {};
}

}  // namespace mmrope::kernels::testing

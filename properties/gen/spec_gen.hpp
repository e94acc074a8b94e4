// RapidCheck generators of rotary specs: every allocation x pairing x partial rotary x scaling, kept small for MPFR.
#pragma once

#include <rapidcheck.h>

#include <ostream>
#include <string>
#include <vector>

#include "reference/frequency/allocation_registry.hpp"
#include "reference/frequency/rotary_spec.hpp"

namespace mmrope {

inline void showValue(const RotarySpec& s, std::ostream& os) {
  os << "base " << s.base << ", head_dim " << s.head_dim << ", rotary_dim " << s.rotary_dim << ", " << to_string(s.pairing)
     << ", allocation " << s.allocation.name() << " map " << s.allocation.map();
  if (s.allocation.per_head()) os << " heads " << s.allocation.heads().query << ":" << s.allocation.heads().kv;
  os << ", scaling " << to_string(s.scaling.kind);
  if (s.scaling.kind != ScalingKind::none)
    os << " factor " << format_rational(s.scaling.factor) << " context " << s.scaling.original_context << " length "
       << s.scaling.sequence_length;
}

namespace gen {

// Small enough that 200 MPFR cases run in seconds: rotary dims up to 32 (16 pairs), heads 1..4.
struct SpecLimits {
  int max_pairs = 16;
  int max_kv_heads = 4;
};

inline std::vector<std::string> allocation_names() {
  std::vector<std::string> out;
  for (const auto& a : allocation_registry()) out.emplace_back(a.name);
  return out;
}

// Sections summing to `pairs` (the covering rule of chunked and interleaved), or at most kv for multi-head.
inline rc::Gen<Sections> sections(int total) {
  return rc::gen::mapcat(rc::gen::inRange(0, total + 1), [total](int t) {
    return rc::gen::map(rc::gen::inRange(0, total - t + 1), [total, t](int h) { return Sections{t, h, total - t - h}; });
  });
}

// A scaling of any kind with a factor from {1, 2, 4, 8, 1/2} and a trained context of 16..4096.
inline rc::Gen<RopeScaling> scaling() {
  auto parts = rc::gen::tuple(rc::gen::inRange(0, 6), rc::gen::elementOf(std::vector<int>{1, 2, 4, 8, -2}),
                              rc::gen::inRange<std::int64_t>(16, 4097), rc::gen::inRange<std::int64_t>(0, 16384));
  return rc::gen::map(parts, [](const std::tuple<int, int, std::int64_t, std::int64_t>& p) {
    RopeScaling s;
    s.kind = static_cast<ScalingKind>(std::get<0>(p));
    const int f = std::get<1>(p);
    s.factor = f > 0 ? Rational(f) : Rational(1, -f);
    if (s.kind == ScalingKind::ntk || s.kind == ScalingKind::dynamic_ntk || s.kind == ScalingKind::llama3)
      s.factor = f > 0 ? Rational(f) : Rational(2);  // these formulas are meant for factors >= 1
    s.original_context = std::get<2>(p);
    s.sequence_length = std::get<3>(p);
    return s;
  });
}

// A rotary spec with the named allocation (any when empty), built through make_allocation.
inline rc::Gen<RotarySpec> rotary_spec(std::vector<std::string> names = allocation_names(), SpecLimits lim = {},
                                       bool with_scaling = true) {
  auto shape = rc::gen::tuple(rc::gen::elementOf(names), rc::gen::inRange(1, lim.max_pairs + 1), rc::gen::inRange(0, 3),
                              rc::gen::inRange(1, lim.max_kv_heads + 1), rc::gen::inRange(1, 3), rc::gen::inRange(0, 2),
                              rc::gen::elementOf(std::vector<std::string>{"10000", "1000000", "500000"}));
  return rc::gen::mapcat(shape, [lim, with_scaling](const std::tuple<std::string, int, int, int, int, int, std::string>& s) {
    const auto& [name, pairs, extra, kv, group, pairing, base] = s;
    const bool multi = name == "multi-head";
    auto secs = sections(multi ? kv : pairs);
    auto scal = with_scaling ? scaling() : rc::gen::just(RopeScaling{});
    return rc::gen::map(rc::gen::pair(secs, scal), [=](const std::pair<Sections, RopeScaling>& ss) {
      RotarySpec spec;
      spec.base = base;
      spec.rotary_dim = 2 * pairs;
      spec.head_dim = 2 * pairs + 2 * extra;  // extra channels: partial rotary passes them through
      spec.pairing = pairing ? Pairing::gptj : Pairing::neox;
      const HeadCounts heads{kv * std::min(group, 4 / kv > 0 ? 4 / kv : 1), kv};
      spec.allocation = make_allocation(name, format_sections(ss.first), pairs, multi ? std::optional(heads) : std::nullopt);
      spec.scaling = ss.second;
      const bool ntk = spec.scaling.kind == ScalingKind::ntk || spec.scaling.kind == ScalingKind::dynamic_ntk;
      if (ntk && pairs < 2) spec.scaling.kind = ScalingKind::linear;  // NTK's d/(d-2) needs a rotary dim >= 4
      check_rotary_spec(spec);
      return spec;
    });
  });
}

}  // namespace gen
}  // namespace mmrope

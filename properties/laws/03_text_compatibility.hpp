// Law 3, as a check: a text-only sequence rotates exactly as vanilla 1-D RoPE with the same spectrum.
#pragma once

#include <optional>
#include <string>

#include "reference/design.hpp"
#include "reference/designs/vanilla.hpp"
#include "reference/frequency/allocation_1d.hpp"
#include "reference/presets/preset_rotary.hpp"
#include "reference/rotation.hpp"

namespace mmrope::laws {

// The paper's guideline "preservation of textual priors" (2510.23095 sec. 2.4, Table 1 last column): text RoPE
// must stay identical to the base LLM's. Checked exactly: every cos/sin that any query or key head reads for
// any pair of any token equals, bit for bit in S, the one 1-D RoPE (positions p, every pair on p) reads.
// Equal inputs go through the same arithmetic in Rotation, so exact equality is the right test, no tolerance.
template <class S>
std::optional<std::string> text_compatibility_violation(const PositionDesign& design, const RotarySpec& spec,
                                                        const Sequence& text_only, int heads = 1) {
  const SequencePositions got = design.assign(text_only);
  RotarySpec vanilla_spec = spec;
  vanilla_spec.allocation = allocation_1d(spec.pairs());
  std::vector<Position3> p1;
  for (std::size_t i = 0; i < got.tokens.size(); ++i) p1.push_back(Position3::diagonal(Coordinate(std::int64_t(i))));
  const Rotation<S> r(make_frequency_plan<S>(spec), positions_of(got));
  const Rotation<S> v(make_frequency_plan<S>(vanilla_spec), p1);
  const Allocation& a = spec.allocation;
  for (TensorRole role : {TensorRole::query, TensorRole::key}) {
    const int n = a.per_head() ? (role == TensorRole::query ? a.heads().query : a.heads().kv) : heads;
    for (std::size_t t = 0; t < p1.size(); ++t)
      for (int h = 0; h < n; ++h)
        for (int j = 0; j < spec.pairs(); ++j) {
          const auto& x = r.cos_sin(static_cast<int>(t), role, h, j);
          const auto& y = v.cos_sin(static_cast<int>(t), role, 0, j);
          if (!(x.cos == y.cos && x.sin == y.sin))
            return "token " + std::to_string(t) + " (position " + got.tokens[t].pos.t.to_string() + ", " +
                   got.tokens[t].pos.h.to_string() + ", " + got.tokens[t].pos.w.to_string() + ") head " +
                   std::to_string(h) + " pair " + std::to_string(j) + " differs from 1-D RoPE";
        }
  }
  return std::nullopt;
}

// A preset's own rotary settings at a small rotary dim (sections scaled down) so that a case is cheap.
inline RotarySpec small_preset_spec(const Preset& p, int pairs) {
  const auto& f = p.frequency;
  RotaryOverrides o;
  o.rotary_dim = 2 * pairs;
  if (f.allocation == "multi-head") return rotary_spec_for(f, o);  // sections are heads: keep them
  if (!f.sections.empty()) {
    const int t = pairs / 3 + pairs % 3, h = pairs / 3;  // t takes the remainder, as [24,20,20] does
    o.sections = format_sections(f.allocation == "chunked" || f.allocation == "interleaved" || f.allocation == "il-rope"
                                     ? Sections{t, h, pairs - t - h}
                                     : Sections{pairs / 4, (pairs - pairs / 4) / 2, pairs - pairs / 4 - (pairs - pairs / 4) / 2});
  }
  RotarySpec s = rotary_spec_for(f, o);
  s.head_dim = s.rotary_dim;
  return s;
}

}  // namespace mmrope::laws

// Law 3: a text-only sequence rotates exactly as vanilla 1-D RoPE (the paper's "preservation of textual priors").
// Source: 2510.23095 sec. 2.4 and Table 1's last column. Claimed by every preset but hope (its temporal band
// is not rotated, for text too) and il-rope, il-rope-paper / omni-rope (text (p, 0, 0), as those papers define it).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "03_text_compatibility.hpp"
#include "04_no_overlap.hpp"
#include "claims.hpp"
#include "counterexample.hpp"
#include "gen/design_gen.hpp"
#include "gen/spec_gen.hpp"
#include "reference/presets/preset_rotary.hpp"

namespace mmrope::laws {
namespace {

void check_preset(const std::string& name) {
  const Preset& p = find_preset(name);
  const auto params = *gen::param_overrides(name);  // text positions must not depend on any of them
  const Sequence text = *gen::text_only_sequence();
  RC_LOG() << domain::command_line(name, params, domain::layout_text(text)) << "\n";
  const RotarySpec spec = small_preset_spec(p, *rc::gen::inRange(3, 17));
  const auto v = text_compatibility_violation<double>(*make_preset_design(p, params), spec, text, 2);
  if (v) RC_FAIL(*v);
}

RC_GTEST_PROP(Law03TextCompatibility, ClaimingPresetsRotateTextAsOneDimensionalRope, ()) {
  check_preset(*rc::gen::elementOf(claims::presets_where(&claims::text_compatible, true)));
}

// Any design with its defaults x any allocation: compatible exactly when text reads p on every rotated axis and
// every pair and head rotates (checked in double: the comparison is exact equality of the same arithmetic).
RC_GTEST_PROP(Law03TextCompatibility, AnyDesignWithAnyAllocation, ()) {
  std::vector<std::string> names;
  for (const auto& d : design_registry()) names.push_back(d.name);
  const auto design = make_design(*rc::gen::elementOf(names));
  const RotarySpec spec = *gen::rotary_spec();
  const Position3 text = design->text_position(Coordinate(5));
  const auto rotated = rotated_axes(spec.allocation);
  bool diagonal_text = true;  // text reads p on every axis some pair rotates
  for (Axis a : kAxes) diagonal_text = diagonal_text && (!rotated[static_cast<int>(a)] || text[a] == Coordinate(5));
  const bool claims = diagonal_text && spec.allocation.counts()[3] == 0;
  const auto v = text_compatibility_violation<double>(*design, spec, *gen::text_only_sequence(), 1);
  RC_ASSERT(claims == !v.has_value());
}

TEST(Law03TextCompatibility, NonClaimingPresetsHaveCounterexamples) {
  for (const auto& name : claims::presets_where(&claims::text_compatible, false))
    expect_counterexample("law 3 under " + name, [name] { check_preset(name); });
}

}  // namespace
}  // namespace mmrope::laws

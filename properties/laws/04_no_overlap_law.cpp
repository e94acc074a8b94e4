// Law 4: text after a visual block never shares its position and never falls in the block's index range.
// Source: 2510.23095 sec. 2.2.2 ("the spatial coordinates of visual tokens can extend into the index range
// subsequently assigned to the generated text tokens") and Table 3 ("diagonal layout"). Expected to fail for
// the diagonal layouts (videorope, hope) on large images, and for the transformers >= 5.3 rule after long videos.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "04_no_overlap.hpp"
#include "claims.hpp"
#include "counterexample.hpp"
#include "gen/design_gen.hpp"
#include "reference/presets/preset_rotary.hpp"

namespace mmrope::laws {
namespace {

OverlapResult overlap_of(const gen::DesignCase& c) {
  const auto spec = rotary_spec_for(find_preset(c.preset).frequency);
  return check_overlap(*c.design(), c.layout, rotated_axes(spec.allocation));
}

RC_GTEST_PROP(Law04NoOverlap, StrongFormHoldsForClaimingPresets, ()) {
  const auto c = *gen::design_case(claims::presets_where(&claims::no_overlap_strong, true));
  const auto r = overlap_of(c);
  if (r.strong) RC_FAIL(*r.strong);
}

RC_GTEST_PROP(Law04NoOverlap, WeakFormHoldsForClaimingPresets, ()) {
  const auto c = *gen::design_case(claims::presets_where(&claims::no_overlap_weak, true));
  RC_PRE(claims::no_overlap_weak(c.preset, c.design()->params()));
  const auto r = overlap_of(c);
  if (r.weak) RC_FAIL(*r.weak);
}

TEST(Law04NoOverlap, NonClaimingPresetsHaveCounterexamples) {
  for (const auto& name : claims::presets_where(&claims::no_overlap_strong, false))
    expect_counterexample("law 4 (strong) under " + name, [name] {
      const auto r = overlap_of(*gen::design_case({name}));
      if (r.strong) RC_FAIL(*r.strong);
    });
  for (const auto& name : claims::presets_where(&claims::no_overlap_weak, false))
    expect_counterexample("law 4 (weak) under " + name, [name] {
      const auto r = overlap_of(*gen::design_case({name}));
      if (r.weak) RC_FAIL(*r.weak);
    });
}

// The paper's own example (arXiv 2510.23095, sec. 3): 20 text tokens, a 32x32-token image, then text. VideoRoPE's
// image reaches h = w = 36 while the text after it starts at 21; MRoPE-I's stays below.
TEST(Law04NoOverlap, PaperDocumentExample) {
  const Sequence seq{{TextRun{20}, Image{{1, 64, 64}}, TextRun{16}}};
  EXPECT_TRUE(check_overlap(*make_preset_design(find_preset("videorope")), seq).strong.has_value());
  EXPECT_FALSE(check_overlap(*make_preset_design(find_preset("mrope-i")), seq).strong.has_value());
}

}  // namespace
}  // namespace mmrope::laws

// Law 5: inside one video, position differences are (t offset difference, dh, dw): time does not leak into space.
// Source: 2510.23095 sec. 2.2.3, eq. 4 (spatial reset) against eq. 3 (the entangled form t + h, t + w).
// Qwen2-VL's own code (one block per video, h = S + hh for every frame) is already disentangled inside a video;
// eq. 3 is exactly what Qwen3-VL (one block per frame), VideoRoPE and HoPE give. 1-D designs and CircleRoPE
// claim neither; RoPE-Tie has no videos.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "05_disentangled_motion.hpp"
#include "claims.hpp"
#include "counterexample.hpp"
#include "gen/design_gen.hpp"

namespace mmrope::laws {
namespace {

// The case with one more video (t x h x w tokens, at least 2 of them) inserted at a generated place.
gen::DesignCase with_video(gen::DesignCase c) {
  const std::int64_t t = *rc::gen::inRange<std::int64_t>(1, 9), h = *rc::gen::inRange<std::int64_t>(1, 9);
  const std::int64_t w = *rc::gen::inRange<std::int64_t>(t * h > 1 ? 1 : 2, 9);
  const auto at = *rc::gen::inRange<std::size_t>(0, c.layout.segments.size() + 1);
  c.layout.segments.insert(c.layout.segments.begin() + static_cast<std::ptrdiff_t>(at),
                           Segment{Video{{t, h * c.merge, w * c.merge}, std::nullopt}});
  RC_LOG() << "with the video: " << rc::toString(c) << "\n";
  return c;
}

void check_motion(const gen::DesignCase& c, bool entangled) {
  const auto design = c.design();
  const VideoTokens v = first_video(*design, c.layout);
  RC_PRE(v.pos.size() >= 2);
  if (const auto why = motion_violation(*design, v, entangled)) RC_FAIL(*why);
}

RC_GTEST_PROP(Law05DisentangledMotion, SpatialDifferencesIgnoreTime, ()) {
  check_motion(with_video(*gen::design_case(claims::presets_where(&claims::disentangled_motion, true))), false);
}

RC_GTEST_PROP(Law05DisentangledMotion, EntangledDesignsFollowEquationThree, ()) {
  check_motion(with_video(*gen::design_case(claims::presets_where(&claims::entangled_motion, true))), true);
}

TEST(Law05DisentangledMotion, NonClaimingPresetsHaveCounterexamples) {
  for (const auto& name : claims::presets_where(&claims::disentangled_motion, false)) {
    if (find_preset(name).design == "rope-tie") continue;  // no videos to compare
    expect_counterexample("law 5 under " + name, [name] { check_motion(with_video(*gen::design_case({name})), false); });
  }
}

}  // namespace
}  // namespace mmrope::laws

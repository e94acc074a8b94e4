// Law 5: inside one video, position differences are (t offset difference, dh, dw): time does not leak into space.
// Source: 2510.23095 sec. 2.2.3, eq. 4 (spatial reset) against eq. 3 (the entangled form t + h, t + w).
// Qwen2-VL's own code (one block per video, h = S + hh for every frame) is already disentangled inside a video;
// eq. 3 is exactly what Qwen3-VL (one block per frame), VideoRoPE and HoPE give. 1-D designs and CircleRoPE
// claim neither; RoPE-Tie has no videos.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "claims.hpp"
#include "counterexample.hpp"
#include "gen/design_gen.hpp"

namespace mmrope::laws {
namespace {

// The first video of at least two tokens: its tokens (raster order) and grid.
struct VideoTokens {
  std::vector<Position3> pos;
  VisualTokens grid;
};

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

VideoTokens first_video(const gen::DesignCase& c) {
  const auto design = c.design();
  const SequencePositions sp = design->assign(c.layout);
  for (std::size_t i = 0; i < c.layout.segments.size(); ++i) {
    if (!std::holds_alternative<Video>(c.layout.segments[i])) continue;
    VideoTokens v{{}, visual_tokens(i, c.layout.segments[i], c.merge)};
    if (v.grid.count() < 2) continue;  // one token has no pair to compare
    for (const auto& t : sp.tokens)
      if (t.segment == static_cast<std::int64_t>(i) && t.kind == TokenKind::video) v.pos.push_back(t.pos);
    return v;
  }
  return {};
}

// Checks every pair of tokens (a, b) against the rule: disentangled (dh, dw from the grid only, t the same
// within a frame) or entangled (eq. 3: dh = dt + d(hh), dw = dt + d(ww)).
void check_motion(const gen::DesignCase& c, bool entangled) {
  const VideoTokens v = first_video(c);
  const auto design = c.design();
  // Designs with a temporal stride s (spatial reset, MRoPE, IL-RoPE) give exactly dt = s * (frame difference).
  const bool strided = !entangled && design->params().has("temporal_stride");
  const Rational stride = strided ? design->params().rational("temporal_stride") : Rational(0);
  RC_PRE(v.pos.size() >= 2);
  const std::int64_t hw = v.grid.h * v.grid.w;
  const auto& base = v.pos.front();
  for (std::size_t k = 1; k < v.pos.size(); ++k) {
    const auto kk = static_cast<std::int64_t>(k);
    const std::int64_t dt_grid = kk / hw, dh = (kk % hw) / v.grid.w, dw = kk % v.grid.w;
    const Coordinate dt = v.pos[k].t - base.t;
    const Coordinate shift = entangled ? dt : Coordinate(0);
    RC_ASSERT(v.pos[k].h - base.h == shift + Coordinate(dh));
    RC_ASSERT(v.pos[k].w - base.w == shift + Coordinate(dw));
    // t depends on the frame only: equal to the t of the frame's first token.
    RC_ASSERT(v.pos[k].t == v.pos[static_cast<std::size_t>(dt_grid * hw)].t);
    if (strided) RC_ASSERT(dt == Coordinate(Rational(dt_grid) * stride));
  }
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

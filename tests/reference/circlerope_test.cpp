// CircleRoPE positions against values derived by hand from the rule (see reference/designs/circlerope.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "reference/designs/circlerope.hpp"

namespace mmrope {
namespace {

// text:3, image 1x4x6 (ViT patches) -> 1 x 2 x 3 LLM tokens at S = 3, text:2.
Sequence image_between_text() { return Sequence{{TextRun{3}, Image{{1, 4, 6}}, TextRun{2}}}; }

SequencePositions run(const std::vector<std::pair<std::string, std::string>>& settings, const Sequence& seq) {
  Params p(CircleRopeDesign::param_specs());
  for (const auto& [k, v] : settings) p.set(k, v);
  CircleRopeDesign d(std::move(p));
  return d.assign(seq);
}

Real sqrt_of(int v) { return sqrt(Real(v)); }
const Real& tight() {
  static const Real eps("1e-60");
  return eps;
}

void expect_near(const Coordinate& got, const Real& want, const std::string& what) {
  EXPECT_LT(abs(got.to_real() - want), tight()) << what << ": got " << got.to_string() << ", want " << format_real(want);
}
void expect_token(const SequencePositions& out, std::size_t i, const Real& t, const Real& h, const Real& w) {
  const Position3& p = out.tokens.at(i).pos;
  expect_near(p.t, t, "token " + std::to_string(i) + " t");
  expect_near(p.h, h, "token " + std::to_string(i) + " h");
  expect_near(p.w, w, "token " + std::to_string(i) + " w");
}

// Text before the image: (p, p, p), exact integers.
TEST(CircleRope, TextBeforeIsExactDiagonal) {
  Params p(CircleRopeDesign::param_specs());
  p.set("alpha", "0.5");
  CircleRopeDesign d(std::move(p));
  auto out = d.assign(image_between_text());
  ASSERT_EQ(out.tokens.size(), 11u);
  for (std::int64_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(out.tokens[i].pos == Position3::diagonal(Coordinate(i))) << "token " << i;
    EXPECT_TRUE(out.tokens[i].pos.t.is_exact());
  }
  for (std::size_t i = 3; i < 9; ++i) {
    EXPECT_EQ(out.tokens[i].kind, TokenKind::image);
    EXPECT_FALSE(out.tokens[i].pos.t.is_exact()) << "visual coordinates are irrational";
  }
  EXPECT_EQ(d.name(), "circlerope");
}

// alpha = 0: theta_k = 2 pi k / 6 (pure grid index), R = 10. By hand, with a = R cos(theta),
// b = R sin(theta), offsets (t, h, w) = (2b/sqrt6, a/sqrt2 - b/sqrt6, -a/sqrt2 - b/sqrt6):
//   k=0 (0):      a=10, b=0         -> (0, +d, -d)      with d = 10/sqrt2
//   k=1 (pi/3):   a=5,  b=5 sqrt3   -> (+d, 0, -d)       (5 sqrt3 / sqrt6 = 5/sqrt2)
//   k=2 (2pi/3):  a=-5, b=5 sqrt3   -> (+d, -d, 0)
//   k=3 (pi):     a=-10, b=0        -> (0, -d, +d)
//   k=4 (4pi/3):  a=-5, b=-5 sqrt3  -> (-d, 0, +d)
//   k=5 (5pi/3):  a=5,  b=-5 sqrt3  -> (-d, +d, 0)
// A regular hexagon around (3, 3, 3); max coordinate 3 + d, so text after is 4 + d, 5 + d.
TEST(CircleRope, GridIndexAngleGivesHexagon) {
  auto out = run({{"alpha", "0"}}, image_between_text());
  const Real S = 3, d = 10 / sqrt_of(2);
  expect_token(out, 3, S, S + d, S - d);
  expect_token(out, 4, S + d, S, S - d);
  expect_token(out, 5, S + d, S - d, S);
  expect_token(out, 6, S, S - d, S + d);
  expect_token(out, 7, S - d, S, S + d);
  expect_token(out, 8, S - d, S + d, S);
  expect_token(out, 9, S + d + 1, S + d + 1, S + d + 1);
  expect_token(out, 10, S + d + 2, S + d + 2, S + d + 2);
  expect_near(out.next_position, S + d + 3, "next_position");
  expect_near(out.rope_delta, S + d + 3 - 11, "rope_delta");
}

// Released defaults (alpha 0.5, R 10, centred). Centred points: x = ww - 1, y = hh - 1/2.
// atan2 angles: min at k=0 (-1,-1/2): -(pi - phi), max at k=3 (-1,1/2): pi - phi, phi = atan(1/2).
// theta_SA(k=0) = 0, theta_SA(k=3) = 2 pi; theta_GA(0) = 0, theta_GA(3) = pi.
//   k=0: theta = 0            -> (0, +10/sqrt2, -10/sqrt2)
//   k=3: theta = pi + pi/2    -> a = 0, b = -10 -> (-20/sqrt6, 10/sqrt6, 10/sqrt6)
TEST(CircleRope, ReleasedDefaultsHandValues) {
  auto out = run({}, image_between_text());
  const Real S = 3, d = 10 / sqrt_of(2), e = 10 / sqrt_of(6);
  expect_token(out, 3, S, S + d, S - d);
  expect_token(out, 6, S - 2 * e, S + e, S + e);
}

// The same defaults against a long double evaluation of the formulas, written out separately here.
TEST(CircleRope, ReleasedDefaultsMatchLongDoubleFormulas) {
  auto out = run({}, image_between_text());
  const long double pi = std::acos(-1.0L), S = 3, R = 10, alpha = 0.5L;
  long double ang[6], lo = 100, hi = -100;
  for (int k = 0; k < 6; ++k) {
    const long double x = (k % 3) - 1.0L, y = (k / 3) - 0.5L;
    ang[k] = std::atan2(y, x);
    lo = std::min(lo, ang[k]);
    hi = std::max(hi, ang[k]);
  }
  long double mx = -1e9L;
  for (int k = 0; k < 6; ++k) {
    const long double th = alpha * ((ang[k] - lo) / (hi - lo) * 2 * pi) + (1 - alpha) * (2 * pi * k / 6);
    const long double a = R * std::cos(th), b = R * std::sin(th);
    const long double t = S + 2 * b / std::sqrt(6.0L), h = S + a / std::sqrt(2.0L) - b / std::sqrt(6.0L),
                      w = S - a / std::sqrt(2.0L) - b / std::sqrt(6.0L);
    const Position3& p = out.tokens.at(3 + k).pos;
    EXPECT_NEAR(static_cast<double>(p.t.to_real().convert_to<long double>() - t), 0.0, 1e-15) << "k " << k;
    EXPECT_NEAR(static_cast<double>(p.h.to_real().convert_to<long double>() - h), 0.0, 1e-15) << "k " << k;
    EXPECT_NEAR(static_cast<double>(p.w.to_real().convert_to<long double>() - w), 0.0, 1e-15) << "k " << k;
    mx = std::max({mx, t, h, w});
  }
  EXPECT_NEAR(static_cast<double>(out.tokens[9].pos.t.to_real().convert_to<long double>() - (mx + 1)), 0.0, 1e-15);
}

// Without dff blend and move_to_positive: every image token on the plane t + h + w = 3S at distance R
// from (S, S, S); the text after sits at max + 1.
TEST(CircleRope, ConeInvariantsAndNextText) {
  const std::vector<std::vector<std::pair<std::string, std::string>>> configs = {
      {}, {{"alpha", "0.3"}}, {{"alpha", "1"}}, {{"radius", "7/2"}}, {{"move_to_origin", "false"}}, {{"radius", "-4"}}};
  for (const auto& cfg : configs) {
    const Sequence seq{{TextRun{3}, Image{{1, 6, 8}}, TextRun{2}}};  // 3 x 4 tokens
    auto out = run(cfg, seq);
    Real R = 10;
    for (const auto& [k, v] : cfg)
      if (k == "radius") R = Coordinate(*parse_rational(v)).to_real();
    const Real S = 3;
    Real mx = out.tokens[3].pos.t.to_real();
    for (std::size_t i = 3; i < 15; ++i) {
      const Real t = out.tokens[i].pos.t.to_real(), h = out.tokens[i].pos.h.to_real(), w = out.tokens[i].pos.w.to_real();
      EXPECT_LT(abs(t + h + w - 3 * S), tight()) << "plane, token " << i;
      EXPECT_LT(abs((t - S) * (t - S) + (h - S) * (h - S) + (w - S) * (w - S) - R * R), tight()) << "radius, token " << i;
      for (const Real& v : {t, h, w}) mx = v > mx ? v : mx;
    }
    EXPECT_TRUE(out.tokens[15].pos.t == out.tokens[15].pos.h && out.tokens[15].pos.h == out.tokens[15].pos.w);
    expect_near(out.tokens[15].pos.t, mx + 1, "text after = max + 1");
    expect_near(out.tokens[16].pos.t, mx + 2, "second text after");
    expect_near(out.next_position, mx + 3, "next_position");
  }
}

// One row (H' = 1, W' = 3): centred y is +0, so atan2 gives {pi, 0, 0} (atan2(+0, -1) = +pi).
// theta_SA = {2pi, 0, 0}, theta_GA = {0, 2pi/3, 4pi/3}, theta = {pi, pi/3, 2pi/3}:
//   k=0 (pi) -> (0, -d, +d);  k=1 (pi/3) -> (+d, 0, -d);  k=2 (2pi/3) -> (+d, -d, 0).
TEST(CircleRope, SingleRowUsesPositiveZeroAngle) {
  auto out = run({}, Sequence{{TextRun{3}, Image{{1, 2, 6}}, TextRun{2}}});
  const Real S = 3, d = 10 / sqrt_of(2);
  expect_token(out, 3, S, S - d, S + d);
  expect_token(out, 4, S + d, S, S - d);
  expect_token(out, 5, S + d, S - d, S);
  expect_token(out, 6, S + d + 1, S + d + 1, S + d + 1);
}

// A single token: atan2(0, 0) = 0, no angle range -> theta = 0 -> (S, S + R/sqrt2, S - R/sqrt2).
TEST(CircleRope, SingleTokenImage) {
  auto out = run({{"radius", "4"}}, Sequence{{TextRun{1}, Image{{1, 2, 2}}}});
  const Real S = 1, d = 4 / sqrt_of(2);
  expect_token(out, 1, S, S + d, S - d);
  expect_near(out.next_position, S + d + 1, "next_position");
}

// radius_mode=auto: R = k * max coordinate. Centred 2 x 3 grid: max(1, 1/2, 0) = 1 -> R = 3/2.
// Uncentred: max(2, 1, 0) = 2 -> R = 3; its first point (0, 0) has angle 0 = the minimum -> theta 0.
TEST(CircleRope, AutoRadius) {
  for (const auto& [origin, R] : std::vector<std::pair<std::string, Real>>{{"true", Real(3) / 2}, {"false", Real(3)}}) {
    auto out = run({{"radius_mode", "auto"}, {"radius_scale", "1.5"}, {"move_to_origin", origin}, {"radius", "99"}},
                   image_between_text());
    const Real S = 3;
    for (std::size_t i = 3; i < 9; ++i) {
      const Real t = out.tokens[i].pos.t.to_real() - S, h = out.tokens[i].pos.h.to_real() - S,
                 w = out.tokens[i].pos.w.to_real() - S;
      EXPECT_LT(abs(sqrt(t * t + h * h + w * w) - R), tight()) << "origin " << origin << " token " << i;
    }
    if (origin == "false") expect_token(out, 3, S, S + R / sqrt_of(2), S - R / sqrt_of(2));
  }
}

// dff_rate = 1 keeps only the rotated centred grid: token (hh, ww) -> S + rotate(ww - 1, hh - 1/2).
// k=0: a = -1, b = -1/2 -> t = -1/sqrt6, h = -1/sqrt2 + 1/(2 sqrt6), w = 1/sqrt2 + 1/(2 sqrt6).
// method=no_circle gives the same points.
TEST(CircleRope, DffRateOneIsRotatedGrid) {
  for (const auto& cfg : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {{"dff_rate", "1"}}, {{"method", "no_circle"}}}) {
    auto out = run(cfg, image_between_text());
    const Real S = 3, r2 = sqrt_of(2), r6 = sqrt_of(6);
    expect_token(out, 3, S - 1 / r6, S - 1 / r2 + 1 / (2 * r6), S + 1 / r2 + 1 / (2 * r6));
    for (std::size_t i = 3; i < 9; ++i) {
      const std::int64_t k = static_cast<std::int64_t>(i) - 3;
      const Real x = Real(k % 3) - 1, y = Real(k / 3) - Real(1) / 2;
      const Real t = out.tokens[i].pos.t.to_real() - S, h = out.tokens[i].pos.h.to_real() - S,
                 w = out.tokens[i].pos.w.to_real() - S;
      EXPECT_LT(abs(t * t + h * h + w * w - (x * x + y * y)), tight()) << "isometry, token " << i;
      EXPECT_LT(abs(t + h + w), tight());
    }
  }
}

// dff_rate = 1/4: (3/4) * circle + (1/4) * grid, checked against the two pure runs.
TEST(CircleRope, DffBlendIsLinear) {
  auto circle = run({}, image_between_text());
  auto grid = run({{"dff_rate", "1"}}, image_between_text());
  auto mix = run({{"dff_rate", "1/4"}}, image_between_text());
  for (std::size_t i = 3; i < 9; ++i)
    for (Axis a : kAxes) {
      const Real want = Real(3) / 4 * circle.tokens[i].pos[a].to_real() + Real(1) / 4 * grid.tokens[i].pos[a].to_real();
      expect_near(mix.tokens[i].pos[a], want, "blend token " + std::to_string(i));
    }
}

// move_to_positive on the hexagon (alpha 0): min component -d -> every axis + d (+ offset).
TEST(CircleRope, MoveToPositive) {
  for (const auto& [offset, off] : std::vector<std::pair<std::string, Real>>{{"0", Real(0)}, {"1/2", Real(1) / 2}}) {
    auto out = run({{"alpha", "0"}, {"move_to_positive", "true"}, {"positive_offset", offset}}, image_between_text());
    const Real S = 3, d = 10 / sqrt_of(2), sh = d + off;
    expect_token(out, 3, S + sh, S + d + sh, S - d + sh);
    expect_token(out, 8, S - d + sh, S + d + sh, S + sh);
    Real mn = out.tokens[3].pos.t.to_real();
    for (std::size_t i = 3; i < 9; ++i)
      for (Axis a : kAxes) mn = out.tokens[i].pos[a].to_real() < mn ? out.tokens[i].pos[a].to_real() : mn;
    EXPECT_LT(abs(mn - (S + off)), tight());
    expect_token(out, 9, S + d + sh + 1, S + d + sh + 1, S + d + sh + 1);  // max offset d, shifted
  }
}

// Videos (Multimodal-RoPEs reading): frame f = frame 0 + f * temporal_stride on every axis.
// 3 frames, stride 2, alpha 0: max = S + 4 + d, text after = S + 5 + d.
TEST(CircleRope, VideoStacksRings) {
  auto img = run({{"alpha", "0"}}, image_between_text());
  auto out = run({{"alpha", "0"}, {"temporal_stride", "2"}}, Sequence{{TextRun{3}, Video{{3, 4, 6}, {}}, TextRun{2}}});
  ASSERT_EQ(out.tokens.size(), 3u + 18u + 2u);
  for (std::size_t f = 0; f < 3; ++f)
    for (std::size_t k = 0; k < 6; ++k)
      for (Axis a : kAxes) {
        EXPECT_EQ(out.tokens[3 + 6 * f + k].kind, TokenKind::video);
        expect_near(out.tokens[3 + 6 * f + k].pos[a], img.tokens[3 + k].pos[a].to_real() + 2 * Real(f), "frame");
      }
  const Real S = 3, d = 10 / sqrt_of(2);
  expect_token(out, 21, S + 4 + d + 1, S + 4 + d + 1, S + 4 + d + 1);
}

// 'auto' radius sees the centred temporal index too: 3 frames, stride 2 -> z in {-2, 0, 2} -> R = 2.
TEST(CircleRope, VideoAutoRadiusIncludesTime) {
  auto out = run({{"radius_mode", "auto"}, {"temporal_stride", "2"}}, Sequence{{TextRun{3}, Video{{3, 4, 6}, {}}}});
  for (std::size_t f = 0; f < 3; ++f)
    for (std::size_t k = 0; k < 6; ++k) {
      const Real c = 3 + 2 * Real(f);
      const Position3& p = out.tokens[3 + 6 * f + k].pos;
      const Real t = p.t.to_real() - c, h = p.h.to_real() - c, w = p.w.to_real() - c;
      EXPECT_LT(abs(t * t + h * h + w * w - 4), tight());
      EXPECT_LT(abs(t + h + w), tight());
    }
}

// A second image starts one text token after the first block's max + 1 (irrational cursor carries on).
TEST(CircleRope, SecondImageStartsAfterFirstMax) {
  auto out = run({{"alpha", "0"}}, Sequence{{TextRun{1}, Image{{1, 4, 6}}, TextRun{1}, Image{{1, 4, 6}}}});
  const Real d = 10 / sqrt_of(2), S1 = 1, text = S1 + d + 1, S2 = text + 1;
  expect_token(out, 7, text, text, text);
  expect_token(out, 8, S2, S2 + d, S2 - d);
  expect_near(out.next_position, S2 + d + 1, "next_position");
}

TEST(CircleRope, ParameterErrorsAreReported) {
  Params p(CircleRopeDesign::param_specs());
  EXPECT_THROW(p.set("radius_mode", "automatic"), Error);
  EXPECT_THROW(p.set("alpha", "half"), Error);
  EXPECT_THROW(p.set("radius", "1e1"), Error);
  EXPECT_THROW(p.set("radius_scale", "-2"), Error);
  EXPECT_THROW(p.set("temporal_stride", "-1"), Error);
  EXPECT_THROW(p.set("move_to_origin", "yes"), Error);
  EXPECT_THROW(p.set("move_to_positive", "auto"), Error);
  EXPECT_THROW(p.set("method", "sphere"), Error);
  EXPECT_THROW(p.set("merge_size", "0"), Error);
  EXPECT_THROW(p.set("beta", "1"), Error);
  try {
    p.set("radius_mode", "automatic");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("radius_mode"), std::string::npos) << e.what();
  }
  // Defaults are the released config.
  EXPECT_EQ(p.text("alpha"), "0.5");
  EXPECT_EQ(p.text("radius"), "10");
  EXPECT_EQ(p.text("move_to_origin"), "true");
  EXPECT_EQ(p.text("method"), "circle");
  EXPECT_EQ(p.text("dff_rate"), "0");
  EXPECT_EQ(p.text("move_to_positive"), "false");
  // Layout errors still name the segment.
  CircleRopeDesign d(std::move(p));
  EXPECT_THROW(d.assign(Sequence{{TextRun{1}, Image{{1, 3, 6}}}}), Error);
}

}  // namespace
}  // namespace mmrope

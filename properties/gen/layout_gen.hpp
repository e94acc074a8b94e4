// RapidCheck generators of layouts: text runs, images and videos in LLM tokens, merge 1 or 2, several items.
#pragma once

#include <rapidcheck.h>

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "param_gen.hpp"
#include "reference/layout.hpp"

namespace mmrope {

// RapidCheck prints counterexamples with showValue: a layout reads as the command line writes it.
inline void showValue(const Sequence& s, std::ostream& os) {
  for (std::size_t i = 0; i < s.segments.size(); ++i) os << (i ? " " : "") << describe(s.segments[i]);
}

namespace gen {

// Bounds of generated layouts: grids up to 64x64 LLM tokens and 32 temporal grids, the sizes real models use;
// the token cap per item keeps one case cheap (positions are exact rationals, ~100 bytes a token).
struct LayoutLimits {
  std::int64_t max_hw = 64;
  std::int64_t max_t = 32;
  std::int64_t max_item_tokens = 4096;
  std::int64_t max_segments = 6;
  bool videos = true;
};

// A text run of 1..8 tokens (shrinks to 1).
inline rc::Gen<Segment> text_run() {
  return rc::gen::map(rc::gen::inRange<std::int64_t>(1, 9), [](std::int64_t n) { return Segment{TextRun{n}}; });
}

// A visual item of t x h x w LLM tokens, written in ViT patches (h, w times merge). Shrinks to 1x1x1.
// Videos sometimes carry seconds per grid (1/2 or 3/2: fps 4 and 4/3 with temporal patch 2, or any positive value).
inline rc::Gen<Segment> visual_item(std::int64_t merge, LayoutLimits lim) {
  auto dims = rc::gen::tuple(rc::gen::inRange<std::int64_t>(1, lim.max_hw + 1), rc::gen::inRange<std::int64_t>(1, lim.max_hw + 1),
                             rc::gen::inRange<std::int64_t>(1, lim.max_t + 1), rc::gen::inRange(0, lim.videos ? 5 : 1));
  auto any_seconds = rational_in(ParamSpec::Bound::positive);
  return rc::gen::map(rc::gen::pair(dims, any_seconds), [merge, lim](const auto& ds) {
    const auto& [d, seconds] = ds;
    const auto [h, w, t_raw, kind] = d;
    const std::int64_t t = std::clamp<std::int64_t>(lim.max_item_tokens / (h * w), 1, t_raw);
    const GridTHW image{1, h * merge, w * merge};
    if (kind == 0) return Segment{Image{image}};
    Video v{{t, h * merge, w * merge}, std::nullopt};
    if (kind == 2) v.seconds_per_grid = Rational(1, 2);
    if (kind == 3) v.seconds_per_grid = Rational(3, 2);
    if (kind == 4) v.seconds_per_grid = seconds;  // any positive value: 2^-20 .. 2^20
    return Segment{v};
  });
}

// A sequence of 1..max_segments segments, text more often than visual items.
inline rc::Gen<Sequence> sequence(std::int64_t merge, LayoutLimits lim = {}) {
  auto segment = rc::gen::weightedOneOf<Segment>({{3, text_run()}, {2, visual_item(merge, lim)}});
  return rc::gen::mapcat(rc::gen::inRange<std::int64_t>(1, lim.max_segments + 1), [segment](std::int64_t n) {
    return rc::gen::map(rc::gen::container<std::vector<Segment>>(static_cast<std::size_t>(n), segment),
                        [](std::vector<Segment> s) { return Sequence{std::move(s)}; });
  });
}

// A text-only sequence of runs of 2..32 tokens (at least 2 tokens: position 0 alone rotates by nothing).
inline rc::Gen<Sequence> text_only_sequence() {
  return rc::gen::map(rc::gen::container<std::vector<std::int64_t>>(rc::gen::inRange<std::int64_t>(2, 33)),
                      [](const std::vector<std::int64_t>& runs) {
                        Sequence s;
                        for (auto n : runs) s.segments.emplace_back(TextRun{n});
                        if (s.segments.empty()) s.segments.emplace_back(TextRun{2});
                        return s;
                      });
}

}  // namespace gen
}  // namespace mmrope

// Law 5, as a check: inside one video, (t, h, w) differences are (t offsets, dh, dw), or eq. 3's (dt, dt + dh, dt + dw).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "reference/design.hpp"

namespace mmrope::laws {

// The first video of at least two tokens: its tokens (raster order) and grid; no tokens when there is none.
struct VideoTokens {
  std::vector<Position3> pos;
  VisualTokens grid;
};

inline VideoTokens first_video(const PositionDesign& design, const Sequence& layout) {
  const SequencePositions sp = design.assign(layout);
  for (std::size_t i = 0; i < layout.segments.size(); ++i) {
    if (!std::holds_alternative<Video>(layout.segments[i])) continue;
    VideoTokens v{{}, visual_tokens(i, layout.segments[i], design.merge_size())};
    if (v.grid.count() < 2) continue;  // one token has no pair to compare
    for (const auto& t : sp.tokens)
      if (t.segment == static_cast<std::int64_t>(i) && t.kind == TokenKind::video) v.pos.push_back(t.pos);
    return v;
  }
  return {};
}

// Checks every token against the video's first: disentangled (dh, dw from the grid only, t the same within a
// frame) or entangled (eq. 3: dh = dt + d(hh), dw = dt + d(ww)). Designs with a temporal stride s (spatial
// reset, MRoPE, IL-RoPE) must also give exactly dt = s * (frame difference) when disentangled.
inline std::optional<std::string> motion_violation(const PositionDesign& design, const VideoTokens& v, bool entangled) {
  const bool strided = !entangled && design.params().has("temporal_stride");
  const Rational stride = strided ? design.params().rational("temporal_stride") : Rational(0);
  const std::int64_t hw = v.grid.h * v.grid.w;
  if (v.pos.empty()) return std::nullopt;
  const auto& base = v.pos.front();
  for (std::size_t k = 1; k < v.pos.size(); ++k) {
    const auto kk = static_cast<std::int64_t>(k);
    const std::int64_t frame = kk / hw, dh = (kk % hw) / v.grid.w, dw = kk % v.grid.w;
    const Coordinate dt = v.pos[k].t - base.t;
    const Coordinate shift = entangled ? dt : Coordinate(0);
    const std::string at = "video token " + std::to_string(k) + " (frame " + std::to_string(frame) + ", row " +
                           std::to_string(dh) + ", column " + std::to_string(dw) + ")";
    if (!(v.pos[k].h - base.h == shift + Coordinate(dh))) return at + ": h - h0 = " + (v.pos[k].h - base.h).to_string();
    if (!(v.pos[k].w - base.w == shift + Coordinate(dw))) return at + ": w - w0 = " + (v.pos[k].w - base.w).to_string();
    if (!(v.pos[k].t == v.pos[static_cast<std::size_t>(frame * hw)].t)) return at + ": t differs inside its frame";
    if (strided && !(dt == Coordinate(Rational(frame) * stride))) return at + ": t - t0 = " + dt.to_string() + ", not frame * stride";
  }
  return std::nullopt;
}

}  // namespace mmrope::laws

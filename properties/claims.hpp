// Which presets and allocations claim which law: claimed laws must hold, the others must have a counterexample.
#pragma once

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "reference/frequency/allocation.hpp"
#include "reference/presets/presets.hpp"

namespace mmrope::claims {

inline bool one_of(const std::string& name, std::initializer_list<const char*> list) {
  for (const char* n : list)
    if (name == n) return true;
  return false;
}

// Presets whose next text after a video is S + max(H', W') (transformers >= 5.3, transformers issue #45381): decoding
// continues from the block maximum + 1 instead, and a long video's t reaches past the text after it.
inline bool spatial_extent_rule(const std::string& preset) { return one_of(preset, {"qwen2-vl-hf5", "qwen2.5-vl-hf5", "qwen2.5-vl-hf5.18"}); }
inline bool diagonal_layout(const std::string& preset) { return one_of(preset, {"videorope", "videorope-paper", "hope"}); }

// Law 3: text is (p, p, p) and every pair (every head) rotates. HoPE leaves its temporal band unrotated;
// IL-RoPE (both readings of its allocation) and Omni-RoPE as their papers define them put text at (p, 0, 0).
inline bool text_compatible(const std::string& preset) {
  return !one_of(preset, {"hope", "il-rope", "il-rope-paper", "omni-rope"});
}

// Law 4, strong form: no visual coordinate reaches the index range of the text after it.
inline bool no_overlap_strong(const std::string& preset) { return !diagonal_layout(preset) && !spatial_extent_rule(preset); }
// Law 4, weak form (exact shared position on the rotated axes): only HoPE, whose t is not rotated, collides.
inline bool no_overlap_weak(const std::string& preset) { return preset != "hope"; }
// ... at given design parameters. VideoRoPE's paper rule puts the next text at S + delta * T: with delta = 0
// that is S itself, where the centre token of an even H' x W' frame sits (S, S + H'/2 - H'/2, S + W'/2 - W'/2).
// The code rule's S + delta (T - 1) + 1 is above every t of the block for every delta >= 0.
inline bool no_overlap_weak(const std::string& preset, const Params& params) {
  if (!no_overlap_weak(preset)) return false;
  const bool paper_rule = params.text_or("rule", "") == "paper";
  return !(paper_rule && params.has("temporal_stride") && params.rational("temporal_stride") == 0);
}

// Law 5: (t, h, w) differences inside one video are (t offsets, dh, dw). Entangled (eq. 3): the diagonal layouts
// and Qwen3-VL's frame-per-block layout. 1-D designs, CircleRoPE and RoPE-Tie (no videos) do not claim it either.
inline bool disentangled_motion(const std::string& preset) {
  return one_of(preset, {"qwen2-vl", "qwen2-vl-hf5", "qwen2.5-vl", "qwen2.5-vl-int-truncated", "qwen2.5-vl-hf5",
                         "qwen2.5-vl-hf4.49", "qwen2.5-vl-hf5.18", "mrope-i", "mhrope", "il-rope", "il-rope-paper", "omni-rope",
                         "omni-rope-code"});
}
inline bool entangled_motion(const std::string& preset) { return one_of(preset, {"qwen3-vl", "videorope", "videorope-paper", "hope"}); }

// Laws 8 and 9: decoding and chunk offsets continue from next_position; only the spatial-extent rule's
// next_position (block max + 1) differs from the cursor the whole sequence would use.
inline bool decode_continuation(const std::string& preset) { return !spatial_extent_rule(preset); }
inline bool chunked_prefill(const std::string& preset) { return !spatial_extent_rule(preset); }
// ... at given design parameters. HoPE's temporal_scales list gives visual block k its own scale, so a chunk
// placed from an offset alone (its blocks counted from 0 again) needs the block count carried too: the law as
// stated (next_position is the whole state) holds only when every listed scale is the same.
inline bool chunked_prefill(const std::string& preset, const Params& params) {
  if (!chunked_prefill(preset)) return false;
  if (!params.has("temporal_scales")) return true;
  const auto scales = params.rational_list("temporal_scales");
  return std::all_of(scales.begin(), scales.end(), [&](const Rational& s) { return s == scales.front(); });
}

// Law 7: allocations that give every axis the full range (interleaved only with balanced sections). The 2-D
// ones read no t; "2d-interleaved" gives h and w the full range (table1.hpp judges a 2-D design on those two).
inline bool full_range_allocation(const std::string& allocation) {
  return one_of(allocation, {"interleaved", "il-rope", "multi-head", "1d"});
}

// Law 11, second half: with t = h = w the allocation is 1-D RoPE unless some pair or head does not rotate.
inline bool equals_1d_on_diagonal(const Allocation& a) { return a.counts()[3] == 0; }

inline std::vector<std::string> presets_where(bool (*claim)(const std::string&), bool value) {
  std::vector<std::string> out;
  for (const auto& p : presets())
    if (claim(p.name) == value) out.push_back(p.name);
  return out;
}

}  // namespace mmrope::claims

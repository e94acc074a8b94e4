// Which presets and allocations claim which law: claimed laws must hold, the others must have a counterexample.
#pragma once

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "reference/frequency/allocation.hpp"
#include "reference/presets/presets.hpp"

namespace mmrope::claims {

// Law 5's claim: (t, h, w) differences inside one video are (t offsets, dh, dw) (disentangled), follow eq. 3
// (entangled: the diagonal layouts and Qwen3-VL's frame-per-block layout), or neither is claimed (1-D designs,
// CircleRoPE, RoPE-Tie: no video structure to compare).
enum class Motion { disentangled, entangled, unclaimed };

// The laws one preset claims. Every registered preset has exactly one row (claims_test checks the registry
// against the table), so a new preset states its claims the day it is registered.
struct PresetClaims {
  const char* preset;
  bool text_compatible;    // law 3: text is (p, p, p) and every pair (every head) rotates
  bool no_overlap_strong;  // law 4, strong: no visual coordinate reaches the index range of the text after it
  bool no_overlap_weak;    // law 4, weak: no exact shared position on the rotated axes
  Motion motion;           // law 5
  bool continues;          // laws 8 and 9: decoding and chunk offsets continue from next_position
};

// Why the rows say what they say:
// - The spatial-extent rule (qwen2-vl-hf5, qwen2.5-vl-hf5, qwen2.5-vl-hf5.18; transformers >= 5.3, transformers
//   issue #45381) puts the next text after a video at S + max(H', W'): decoding continues from the block maximum
//   + 1 instead, and a long video's t reaches past the text after it (no strong no-overlap, no continuation).
// - The diagonal layouts (videorope, videorope-paper, hope) reach the text's index range (no strong form), and
//   their motion is entangled, as is Qwen3-VL's frame-per-block layout.
// - Law 3: HoPE leaves its temporal band unrotated; IL-RoPE (both readings of its allocation) and Omni-RoPE as
//   their papers define them put text at (p, 0, 0).
// - Law 4, weak: only HoPE, whose t is not rotated, collides (and VideoRoPE's paper rule at delta = 0, below).
inline const std::vector<PresetClaims>& preset_claims() {
  using M = Motion;
  static const std::vector<PresetClaims> rows = {
      //  preset                    law 3  law 4 strong  weak   law 5            laws 8, 9
      {"qwen2-vl",                   true,  true,         true,  M::disentangled, true},
      {"qwen2-vl-hf5",               true,  false,        true,  M::disentangled, false},
      {"qwen2.5-vl",                 true,  true,         true,  M::disentangled, true},
      {"qwen2.5-vl-int-truncated",   true,  true,         true,  M::disentangled, true},
      {"qwen2.5-vl-hf5",             true,  false,        true,  M::disentangled, false},
      {"qwen2.5-vl-hf4.49",          true,  true,         true,  M::disentangled, true},
      {"qwen2.5-vl-hf5.18",          true,  false,        true,  M::disentangled, false},
      {"qwen3-vl",                   true,  true,         true,  M::entangled,    true},
      {"mrope-i",                    true,  true,         true,  M::disentangled, true},
      {"mhrope",                     true,  true,         true,  M::disentangled, true},
      {"videorope",                  true,  false,        true,  M::entangled,    true},
      {"videorope-paper",            true,  false,        true,  M::entangled,    true},
      {"hope",                       false, false,        false, M::entangled,    true},
      {"circlerope",                 true,  true,         true,  M::unclaimed,    true},
      {"v2pe",                       true,  true,         true,  M::unclaimed,    true},
      {"vanilla",                    true,  true,         true,  M::unclaimed,    true},
      {"il-rope",                    false, true,         true,  M::disentangled, true},
      {"il-rope-paper",              false, true,         true,  M::disentangled, true},
      {"omni-rope",                  false, true,         true,  M::disentangled, true},
      {"omni-rope-code",             true,  true,         true,  M::disentangled, true},
      {"rope-tie",                   true,  true,         true,  M::unclaimed,    true},
      {"rope-tie-paper",             true,  true,         true,  M::unclaimed,    true},
  };
  return rows;
}

// Law 7's claim for one allocation: every axis it reads gets the full range of the spectrum (interleaved only
// with balanced sections). The 2-D ones read no t; "2d-interleaved" gives h and w the full range (table1.hpp
// judges a 2-D design on those two). Every registered allocation has exactly one row (claims_test checks it).
struct AllocationClaims {
  const char* allocation;
  bool full_range;
};

inline const std::vector<AllocationClaims>& allocation_claims() {
  static const std::vector<AllocationClaims> rows = {
      {"1d", true},          {"chunked", false},        {"interleaved", true},    {"il-rope", true},
      {"il-rope-paper", false}, {"videorope", false},   {"videorope-repo", false}, {"hope", false},
      {"multi-head", true},  {"2d", false},             {"2d-interleaved", false},
  };
  return rows;
}

// The row of a preset or allocation; a name without one is a programming error, named.
template <typename Row>
const Row& claims_row(const std::vector<Row>& rows, const std::string& name, const char* Row::*key, const char* what) {
  for (const Row& r : rows)
    if (name == r.*key) return r;
  throw std::logic_error(std::string("properties/claims.hpp: no claims row for ") + what + " '" + name + "'");
}
inline const PresetClaims& claims_of(const std::string& preset) {
  return claims_row(preset_claims(), preset, &PresetClaims::preset, "preset");
}

inline bool text_compatible(const std::string& preset) { return claims_of(preset).text_compatible; }
inline bool no_overlap_strong(const std::string& preset) { return claims_of(preset).no_overlap_strong; }
inline bool no_overlap_weak(const std::string& preset) { return claims_of(preset).no_overlap_weak; }
// ... at given design parameters. VideoRoPE's paper rule puts the next text at S + delta * T: with delta = 0
// that is S itself, where the centre token of an even H' x W' frame sits (S, S + H'/2 - H'/2, S + W'/2 - W'/2).
// The code rule's S + delta (T - 1) + 1 is above every t of the block for every delta >= 0.
inline bool no_overlap_weak(const std::string& preset, const Params& params) {
  if (!no_overlap_weak(preset)) return false;
  const bool paper_rule = params.text_or("rule", "") == "paper";
  return !(paper_rule && params.has("temporal_stride") && params.rational("temporal_stride") == 0);
}

inline bool disentangled_motion(const std::string& preset) { return claims_of(preset).motion == Motion::disentangled; }
inline bool entangled_motion(const std::string& preset) { return claims_of(preset).motion == Motion::entangled; }

inline bool decode_continuation(const std::string& preset) { return claims_of(preset).continues; }
inline bool chunked_prefill(const std::string& preset) { return claims_of(preset).continues; }
// ... at given design parameters. HoPE's temporal_scales list gives visual block k its own scale, so a chunk
// placed from an offset alone (its blocks counted from 0 again) needs the block count carried too: the law as
// stated (next_position is the whole state) holds only when every listed scale is the same.
inline bool chunked_prefill(const std::string& preset, const Params& params) {
  if (!chunked_prefill(preset)) return false;
  if (!params.has("temporal_scales")) return true;
  const auto scales = params.rational_list("temporal_scales");
  return std::all_of(scales.begin(), scales.end(), [&](const Rational& s) { return s == scales.front(); });
}

inline bool full_range_allocation(const std::string& allocation) {
  return claims_row(allocation_claims(), allocation, &AllocationClaims::allocation, "allocation").full_range;
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

// The allocations by name, as presets and the command line name them, built for a pair count and head counts.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../registry.hpp"
#include "allocation_1d.hpp"
#include "allocation_2d.hpp"
#include "allocation_2d_interleaved.hpp"
#include "allocation_chunked.hpp"
#include "allocation_hope.hpp"
#include "allocation_il_rope.hpp"
#include "allocation_il_rope_paper.hpp"
#include "allocation_interleaved.hpp"
#include "allocation_multi_head.hpp"
#include "allocation_videorope.hpp"
#include "inverse_frequency.hpp"

namespace mmrope {

struct AllocationInfo {
  std::string_view name;
  bool needs_sections;
  std::string_view summary;
};

inline const std::vector<AllocationInfo>& allocation_registry() {
  static const std::vector<AllocationInfo> all = {
      {"1d", false, "every pair reads t (1-D RoPE)"},
      {"chunked", true, "Qwen2-VL MRoPE: first s_t pairs t, next s_h h, last s_w w"},
      {"interleaved", true, "Qwen3-VL MRoPE-I: h if j%3==1 and j<3*s_h, w if j%3==2 and j<3*s_w, else t"},
      {"il-rope", true, "IL-RoPE as the paper repo re-implements it: the interleaved rule"},
      {"il-rope-paper", true, "IL-RoPE as the paper reads it: first s_h+s_w pairs h (even) / w (odd), last s_t pairs t"},
      {"videorope", true, "official VideoRoPE: first s_h+s_w pairs h (even) / w (odd), last s_t pairs t"},
      {"videorope-repo", true, "Multimodal-RoPEs VideoRoPE: t, then odd j<2*s_h h, even 2<=j<2*s_w w"},
      {"hope", true, "HoPE: VideoRoPE's spatial pairs, temporal band not rotated"},
      {"multi-head", true, "MHRoPE: sections are KV heads per axis; each head the full spectrum on one axis"},
      {"2d", false, "first half of the pairs h, second half w"},
      {"2d-interleaved", false, "RoPE-Tie as the paper reads it: even pairs h, odd pairs w"},
  };
  return all;
}

// Builds the named allocation over `pairs` rotary pairs. Sections are required where the allocation has them;
// heads are used by multi-head only (default: as many KV and query heads as the sections count).
inline Allocation make_allocation(std::string_view name, std::string_view sections_text, int pairs,
                                  std::optional<HeadCounts> heads = std::nullopt) {
  if (pairs <= 0) throw Error("an allocation needs at least one rotary pair");
  if (pairs > kMaxRotaryDim / 2)  // the allocation holds one entry per pair: bounded before it is built
    throw Error("an allocation of " + std::to_string(pairs) + " rotary pairs passes the limit of " +
                std::to_string(kMaxRotaryDim / 2) + " (rotary dim " + std::to_string(kMaxRotaryDim) + ")");
  const AllocationInfo* info = &find_named(allocation_registry(), name, "allocation");
  if (heads && name != "multi-head") check_heads(*heads);
  if (!info->needs_sections) {
    if (name == "1d") return allocation_1d(pairs);
    return name == "2d" ? allocation_2d(pairs) : allocation_2d_interleaved(pairs);
  }
  if (sections_text.empty()) throw Error("allocation " + quoted_prefix(name) + " needs sections, e.g. 16,24,24");
  const Sections s = parse_sections(sections_text);
  if (name == "chunked") return allocation_chunked(s, pairs);
  if (name == "interleaved") return allocation_interleaved(s, pairs);
  if (name == "il-rope") return allocation_il_rope(s, pairs);
  if (name == "il-rope-paper") return allocation_il_rope_paper(s, pairs);
  if (name == "videorope") return allocation_videorope(s, pairs);
  if (name == "videorope-repo") return allocation_videorope_repo(s, pairs);
  if (name == "hope") return allocation_hope(s, pairs);
  const HeadCounts h = heads ? *heads : HeadCounts{sum_of(s), sum_of(s)};
  return allocation_multi_head(s, pairs, h);
}

// "HQ:HKV" (e.g. "16:8") as head counts.
inline HeadCounts parse_heads(std::string_view text) {
  const auto colon = text.find(':');
  auto number = [&](std::string_view s) {
    if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string_view::npos)
      throw Error("heads " + quoted_prefix(text) + " must be QUERY:KV, e.g. 16:8");
    return std::stoi(std::string(s));
  };
  if (colon == std::string_view::npos) throw Error("heads " + quoted_prefix(text) + " must be QUERY:KV, e.g. 16:8");
  HeadCounts h{number(text.substr(0, colon)), number(text.substr(colon + 1))};
  check_heads(h);
  return h;
}

}  // namespace mmrope

// Law 4, as a check: text after a visual block neither shares its position nor falls in the block's index range.
#pragma once

#include <optional>
#include <string>

#include "reference/design.hpp"
#include "reference/frequency/allocation.hpp"

namespace mmrope::laws {

// The paper (2510.23095 sec. 2.2.2, Table 3 "diagonal layout") calls a layout ambiguous when "the spatial
// coordinates of visual tokens extend into the index range subsequently assigned to the generated text".
// Two forms, checked on the prompt with one generated token appended (the paper's case is generated text):
//   weak:   no text token after a block has the position of a token of that block on every axis the
//           allocation rotates (HoPE does not rotate t, so there (h, w) alone decides);
//   strong: every coordinate of every token of the block is below the 1-D index of the first text token
//           after it, so no later text token lies in the block's box on any axis (on every axis that text
//           advances along; text that keeps h = w = 0, as IL-RoPE's, is below nothing and is not compared).
// A block is a maximal run of visual tokens (Qwen3-VL writes a video as frames with timestamp text between).
struct OverlapResult {
  std::optional<std::string> weak, strong;
};

inline OverlapResult check_overlap(const PositionDesign& design, Sequence seq, std::array<bool, 3> rotated = {true, true, true}) {
  seq.segments.emplace_back(TextRun{1});
  const SequencePositions pos = design.assign(seq);
  const auto& tok = pos.tokens;
  OverlapResult r;
  for (std::size_t first = 0; first < tok.size();) {
    if (tok[first].kind == TokenKind::text) { ++first; continue; }
    std::size_t end = first;
    while (end < tok.size() && tok[end].kind != TokenKind::text) ++end;
    const Coordinate next = tok[end].pos.t;  // the first text token after the run (one is always appended)
    for (std::size_t v = first; v < end && !r.strong; ++v)
      for (Axis a : kAxes)
        if (!(tok[v].pos[a] < next)) {
          r.strong = "token " + std::to_string(v) + " has " + std::string(1, "thw"[static_cast<int>(a)]) + " = " +
                     tok[v].pos[a].to_string() + ", not below the next text index " + next.to_string();
          break;
        }
    for (std::size_t x = end; x < tok.size() && !r.weak; ++x) {
      if (tok[x].kind != TokenKind::text) continue;
      for (std::size_t v = first; v < end; ++v) {
        bool same = true;
        for (Axis a : kAxes) same = same && (!rotated[static_cast<int>(a)] || tok[x].pos[a] == tok[v].pos[a]);
        if (same) {
          r.weak = "text token " + std::to_string(x) + " and visual token " + std::to_string(v) + " share the position";
          break;
        }
      }
    }
    first = end;
  }
  return r;
}

// Which axes some pair (or head) of the allocation rotates.
inline std::array<bool, 3> rotated_axes(const Allocation& a) {
  std::array<bool, 3> r{false, false, false};
  for (char c : a.map())
    if (c != '-') r[c == 't' ? 0 : c == 'h' ? 1 : 2] = true;
  return r;
}

}  // namespace mmrope::laws

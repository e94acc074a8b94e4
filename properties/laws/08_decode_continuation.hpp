// Law 8, as a check: tokens decoded from the rope delta sit where the whole sequence, with them as text, puts them.
#pragma once

#include <optional>
#include <string>

#include "reference/design.hpp"
#include "same_position.hpp"

namespace mmrope::laws {

// Decode step k computes (prompt length + k) + rope_delta (transformers Qwen2VLModel.forward); the whole
// sequence with n more text tokens must give that token text_position of exactly that.
inline std::optional<std::string> decode_violation(const PositionDesign& design, const Sequence& prompt_layout, std::int64_t n) {
  const SequencePositions prompt = design.assign(prompt_layout);
  Sequence whole = prompt_layout;
  whole.segments.emplace_back(TextRun{n});
  const SequencePositions all = design.assign(whole);
  const auto length = static_cast<std::int64_t>(prompt.tokens.size());
  for (std::int64_t k = 0; k < n; ++k) {
    const Coordinate decoded = Coordinate(length + k) + prompt.rope_delta;
    const Position3& want = all.tokens[static_cast<std::size_t>(length + k)].pos;
    if (!same_position(design.text_position(decoded), want))
      return "decode step " + std::to_string(k) + " is at t = " + decoded.to_string() + ", the whole sequence puts it at t = " +
             want.t.to_string();
  }
  return std::nullopt;
}

}  // namespace mmrope::laws

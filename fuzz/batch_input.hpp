// The batch harnesses' input: a design, padding side, convention and pad_to from two bytes, layouts as lines.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reference/batch.hpp"
#include "reference/designs/registry.hpp"
#include "reference/layout_spec.hpp"

namespace mmrope::fuzzing {

// Byte 0 picks a design; byte 1 the side (bit 0), the convention (bit 1) and whether pad_to is given (bit 2);
// then text: the first line is pad_to (any integer text), each further line a layout.
struct BatchInput {
  std::string design;
  PaddingSide side = PaddingSide::right;
  PaddingConvention convention = PaddingConvention::transformers4;
  std::optional<std::int64_t> pad_to;
  std::vector<std::string_view> layouts;  // views into the input
};

// The input, or nothing for one too short, too long (over 4096 bytes), without lines or with a bad pad_to.
inline std::optional<BatchInput> parse_batch_input(const std::uint8_t* data, std::size_t size) {
  if (size < 2 || size > 4096) return std::nullopt;
  const auto& registry = design_registry();
  BatchInput in;
  in.design = registry[data[0] % registry.size()].name;
  in.side = data[1] & 1 ? PaddingSide::left : PaddingSide::right;
  in.convention = data[1] & 2 ? PaddingConvention::transformers5 : PaddingConvention::transformers4;
  std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    lines.push_back(text.substr(0, eol));
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
  }
  if (lines.empty()) return std::nullopt;
  if (data[1] & 4) {
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(lines[0].data(), lines[0].data() + lines[0].size(), v);
    if (ec != std::errc()) return std::nullopt;
    in.pad_to = v;
  }
  in.layouts.assign(lines.begin() + 1, lines.end());
  return in;
}

// Batches within the caps are materialised slot by slot; the harnesses gain nothing from big ones but time, so
// legitimate batches above this many slots are skipped.
inline constexpr std::int64_t kMaxFuzzSlots = 1 << 12;

// The input's layouts under its design, and the padded length they ask for (the longest sequence, or pad_to
// where larger).
struct ParsedBatch {
  std::unique_ptr<PositionDesign> design;
  std::vector<Sequence> sequences;
  std::int64_t length = 0;
  // Whether the reference's caps allow the batch (past them it must be refused before anything is allocated).
  bool within_caps() const {
    return length <= kMaxTokensPerSequence &&
           static_cast<double>(length) * static_cast<double>(sequences.size()) <= kMaxTokensPerBatch;
  }
  // Within the caps, yet more slots than the harnesses materialise: skipped.
  bool too_big_to_fuzz() const {
    return within_caps() && length * static_cast<std::int64_t>(sequences.size()) > kMaxFuzzSlots;
  }
};

// Throws the reference's Error for a design, layout or length it refuses.
inline ParsedBatch parse_batch(const BatchInput& in) {
  ParsedBatch b;
  b.design = make_design(in.design, {});
  std::int64_t longest = 0;
  for (const std::string_view layout : in.layouts) {
    b.sequences.push_back(parse_layout(layout));
    longest = std::max(longest, b.design->token_total(b.sequences.back()));
  }
  b.length = std::max(longest, in.pad_to.value_or(0));
  return b;
}

}  // namespace mmrope::fuzzing

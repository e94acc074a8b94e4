// The batch harnesses' input: a design, padding side, convention and pad_to from two bytes, layouts as lines.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reference/batch.hpp"
#include "reference/designs/registry.hpp"

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

}  // namespace mmrope::fuzzing

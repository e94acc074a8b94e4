// Allocation sections ("16,24,24"): pairs per axis t, h, w (KV heads per axis for multi-head), parsed and checked.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "../error.hpp"

namespace mmrope {

// Sections in axis order t, h, w.
using Sections = std::array<int, 3>;

inline std::string format_sections(const Sections& s) {
  return std::to_string(s[0]) + "," + std::to_string(s[1]) + "," + std::to_string(s[2]);
}

// Three non-negative integers separated by commas; anything else is an error naming the text.
inline Sections parse_sections(std::string_view text) {
  Sections out{};
  std::size_t index = 0;
  std::string cur;
  auto flush = [&] {
    if (index >= 3 || cur.empty() || cur.size() > 6) throw Error("sections " + quoted_prefix(text) + " must be three counts like 16,24,24");
    out[index++] = std::stoi(cur);
    cur.clear();
  };
  for (char c : text) {
    if (c == ',') flush();
    else if (c >= '0' && c <= '9') cur += c;
    else if (c != ' ') throw Error("sections " + quoted_prefix(text) + " must be three counts like 16,24,24");
  }
  flush();
  if (index != 3) throw Error("sections " + quoted_prefix(text) + " must be three counts like 16,24,24");
  return out;
}

inline int sum_of(const Sections& s) { return s[0] + s[1] + s[2]; }

// Chunked and interleaved MRoPE configs require the sections to cover the pairs exactly (sum == d/2).
inline void require_sections_cover(const Sections& s, int pairs, std::string_view allocation) {
  if (sum_of(s) != pairs)
    throw Error(std::string(allocation) + " sections [" + format_sections(s) + "] sum to " + std::to_string(sum_of(s)) +
                ", not the " + std::to_string(pairs) + " rotary pairs");
}

}  // namespace mmrope

// Parses the layout text "text:N image:TxHxW video:TxHxW[@SECONDS]" into a Sequence; untrusted input.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "error.hpp"
#include "layout.hpp"

namespace mmrope {

namespace detail {

// "item 2 ('image:1x4')": how parse errors point at the text.
inline std::string item_label(std::size_t index, std::string_view item) {
  return "layout item " + std::to_string(index + 1) + " (" + quoted_prefix(item) + ")";
}

inline std::int64_t parse_count(std::string_view text, const std::string& where, const char* what) {
  std::int64_t v = 0;
  if (!text.empty() && text[0] == '-') throw Error(where + ": " + what + " must be positive, got " + quoted_prefix(text));
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc::result_out_of_range) throw Error(where + ": " + what + " " + quoted_prefix(text) + " is too large");
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    throw Error(where + ": " + what + " " + quoted_prefix(text) + " is not a whole number");
  return v;
}

inline GridTHW parse_grid(std::string_view text, const std::string& where) {
  std::int64_t dims[3];
  for (int i = 0; i < 3; ++i) {
    const std::size_t x = text.find('x');
    if ((i < 2) != (x != std::string_view::npos))
      throw Error(where + ": a grid is written TxHxW (three whole numbers joined by 'x')");
    const char* names[] = {"grid T", "grid H", "grid W"};
    dims[i] = parse_count(text.substr(0, x), where, names[i]);
    text = i < 2 ? text.substr(x + 1) : std::string_view{};
  }
  return {dims[0], dims[1], dims[2]};
}

}  // namespace detail

// Parses a layout. Whitespace separates items; each item is text:N, image:TxHxW, video:TxHxW or
// video:TxHxW@SECONDS_PER_GRID (a decimal or a fraction). Grids are in ViT patches.
// Syntax errors name the item; counts and grids are checked later by validate(), which names the segment.
inline Sequence parse_layout(std::string_view text) {
  Sequence seq;
  std::size_t index = 0, pos = 0;
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (true) {
    while (pos < text.size() && is_space(text[pos])) ++pos;
    if (pos == text.size()) break;
    std::size_t end = pos;
    while (end < text.size() && !is_space(text[end])) ++end;
    const std::string_view item = text.substr(pos, end - pos);
    const std::string where = detail::item_label(index, item);
    const std::size_t colon = item.find(':');
    if (colon == std::string_view::npos) throw Error(where + ": expected KIND:VALUE with KIND text, image or video");
    const std::string_view kind = item.substr(0, colon), value = item.substr(colon + 1);
    if (kind == "text") {
      seq.segments.emplace_back(TextRun{detail::parse_count(value, where, "token count")});
    } else if (kind == "image") {
      if (value.find('@') != std::string_view::npos) throw Error(where + ": only videos take @SECONDS_PER_GRID");
      seq.segments.emplace_back(Image{detail::parse_grid(value, where)});
    } else if (kind == "video") {
      const std::size_t at = value.find('@');
      Video v{detail::parse_grid(value.substr(0, at), where), std::nullopt};
      if (at != std::string_view::npos) {
        v.seconds_per_grid = parse_rational(value.substr(at + 1));
        if (!v.seconds_per_grid)
          throw Error(where + ": seconds per grid " + quoted_prefix(value.substr(at + 1)) + " is not a number");
        if (*v.seconds_per_grid <= 0) throw Error(where + ": seconds per grid must be positive");
      }
      seq.segments.emplace_back(std::move(v));
    } else {
      throw Error(where + ": unknown kind (use text, image or video)");
    }
    ++index;
    pos = end;
  }
  if (seq.segments.empty()) throw Error("the layout is empty: give items like 'text:3 image:1x4x6 text:2'");
  return seq;
}

}  // namespace mmrope

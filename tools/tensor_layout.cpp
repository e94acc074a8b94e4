// Input layouts: each file order's sizes, its row offsets, and readers that present it in the judge's order.
#include "tensor_layout.hpp"

#include <algorithm>

#include "npy.hpp"
#include "reference/error.hpp"

namespace mmrope::cli {

InputLayout parse_input_layout(std::string_view text) {
  if (text == "bshd") return InputLayout::bshd;
  if (text == "bhsd") return InputLayout::bhsd;
  if (text == "sbhd") return InputLayout::sbhd;
  if (text == "thd") return InputLayout::thd;
  throw Error("input layout " + quoted_prefix(text) + " is not one of bshd, bhsd, sbhd, thd");
}

std::string_view to_string(InputLayout layout) {
  switch (layout) {
    case InputLayout::bshd: return "bshd";
    case InputLayout::bhsd: return "bhsd";
    case InputLayout::sbhd: return "sbhd";
    case InputLayout::thd: return "thd";
  }
  return "?";
}

TensorLayout TensorLayout::from_shape(std::span<const std::int64_t> s, InputLayout layout, const std::string& source) {
  TensorLayout t;
  t.layout = layout;
  const std::string shape = npy::shape_string(s);
  auto need = [&](const char* what) { throw Error(source + ": shape " + shape + " is not " + what + " (--input-layout " + std::string(to_string(layout)) + ")"); };
  switch (layout) {
    case InputLayout::bshd:
      if (s.size() == 4) t = {layout, s[0], s[1], s[2], s[3]};
      else if (s.size() == 3) t = {layout, 1, s[0], s[1], s[2]};
      else need("[tokens, heads, head_dim] or [batch, tokens, heads, head_dim]");
      break;
    case InputLayout::bhsd:
      if (s.size() == 4) t = {layout, s[0], s[2], s[1], s[3]};
      else if (s.size() == 3) t = {layout, 1, s[1], s[0], s[2]};
      else need("[heads, tokens, head_dim] or [batch, heads, tokens, head_dim]");
      break;
    case InputLayout::sbhd:
      if (s.size() != 4) need("[tokens, batch, heads, head_dim]");
      t = {layout, s[1], s[0], s[2], s[3]};
      break;
    case InputLayout::thd:
      if (s.size() != 3) need("[tokens, heads, head_dim]");
      t = {layout, 1, s[0], s[1], s[2]};
      break;
  }
  return t;
}

bool TensorLayout::identity() const {
  return layout == InputLayout::bshd || layout == InputLayout::thd || (layout == InputLayout::bhsd && heads == 1) ||
         (layout == InputLayout::sbhd && batch == 1);
}

std::int64_t TensorLayout::row_start(std::int64_t b, std::int64_t t, std::int64_t h) const {
  switch (layout) {
    case InputLayout::bshd:
    case InputLayout::thd: return ((b * tokens + t) * heads + h) * head_dim;
    case InputLayout::bhsd: return ((b * heads + h) * tokens + t) * head_dim;
    case InputLayout::sbhd: return ((t * batch + b) * heads + h) * head_dim;
  }
  return 0;
}

std::string TensorLayout::hint_for_tokens(std::span<const std::int64_t> shape, std::int64_t n) const {
  if (n == tokens) return "";
  for (InputLayout other : {InputLayout::bshd, InputLayout::bhsd, InputLayout::sbhd}) {
    if (other == layout) continue;
    try {
      const TensorLayout alt = from_shape(shape, other, "");
      if (alt.tokens == n)
        return "; the positions have " + std::to_string(n) + " tokens, which fits the shape read as " +
               std::string(to_string(other)) + ": heads and tokens may be swapped, pass --input-layout " + std::string(to_string(other));
    } catch (const Error&) {
    }
  }
  return "";
}

judge::ValueReader reordered(const TensorLayout& layout, judge::ValueReader file_order) {
  if (layout.identity()) return file_order;
  return [layout, file_order](std::int64_t first, std::span<double> out) {
    layout.for_each_run(first, static_cast<std::int64_t>(out.size()), [&](std::int64_t at, std::int64_t offset, std::int64_t len) {
      file_order(at, out.subspan(static_cast<std::size_t>(offset), static_cast<std::size_t>(len)));
    });
  };
}

judge::BitsReader reordered(const TensorLayout& layout, judge::BitsReader file_order) {
  if (layout.identity()) return file_order;
  return [layout, file_order](std::int64_t first, std::span<std::uint32_t> out) {
    layout.for_each_run(first, static_cast<std::int64_t>(out.size()), [&](std::int64_t at, std::int64_t offset, std::int64_t len) {
      file_order(at, out.subspan(static_cast<std::size_t>(offset), static_cast<std::size_t>(len)));
    });
  };
}

judge::BitsWriter reordered(const TensorLayout& layout, judge::BitsWriter file_order) {
  if (layout.identity()) return file_order;
  return [layout, file_order](std::int64_t first, std::span<const std::uint32_t> bits) {
    layout.for_each_run(first, static_cast<std::int64_t>(bits.size()), [&](std::int64_t at, std::int64_t offset, std::int64_t len) {
      file_order(at, bits.subspan(static_cast<std::size_t>(offset), static_cast<std::size_t>(len)));
    });
  };
}

}  // namespace mmrope::cli

// How a q/k tensor file orders its axes (--input-layout bshd|bhsd|sbhd|thd), mapped to the judge's [batch, tokens, heads, head_dim].
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reference/judge/judge_engine.hpp"

namespace mmrope::cli {

// bshd: [batch, tokens, heads, head_dim] (or [tokens, heads, head_dim]); bhsd: [batch, heads, tokens, head_dim]
// (Hugging Face's q and k; or [heads, tokens, head_dim]); sbhd: [tokens, batch, heads, head_dim] (Megatron);
// thd: [tokens, heads, head_dim], packed sequences as one row.
enum class InputLayout { bshd, bhsd, sbhd, thd };

InputLayout parse_input_layout(std::string_view text);  // throws mmrope::Error listing the four
std::string_view to_string(InputLayout layout);

// The sizes a file of that layout holds, and where each (batch, token, head) row of head_dim values sits in it.
struct TensorLayout {
  InputLayout layout = InputLayout::bshd;
  std::int64_t batch = 1, tokens = 0, heads = 0, head_dim = 0;

  // Reads the sizes from a file's shape; throws mmrope::Error naming `source` when the rank does not fit.
  static TensorLayout from_shape(std::span<const std::int64_t> shape, InputLayout layout, const std::string& source);

  bool identity() const;  // the file is already in [batch, tokens, heads, head_dim] order
  // The file's element index of element (b, t, h, 0).
  std::int64_t row_start(std::int64_t b, std::int64_t t, std::int64_t h) const;
  // Splits elements [first, first + count) of [batch, tokens, heads, head_dim] order into runs contiguous in the
  // file: f(file_first, offset_in_range, length).
  template <class F>
  void for_each_run(std::int64_t first, std::int64_t count, F&& f) const {
    if (identity()) {
      f(first, std::int64_t{0}, count);
      return;
    }
    std::int64_t done = 0;
    while (done < count) {
      const std::int64_t c = first + done;
      const std::int64_t row = c / head_dim, d = c % head_dim;
      const std::int64_t h = row % heads, t = (row / heads) % tokens, b = row / heads / tokens;
      const std::int64_t len = std::min(head_dim - d, count - done);
      f(row_start(b, t, h) + d, done, len);
      done += len;
    }
  }
  // A sentence for errors when the positions' token count n fits another layout's reading of the shape ("" if none).
  std::string hint_for_tokens(std::span<const std::int64_t> shape, std::int64_t n) const;
};

// Readers and a writer in [batch, tokens, heads, head_dim] order over a file in `layout`.
judge::ValueReader reordered(const TensorLayout& layout, judge::ValueReader file_order);
judge::BitsReader reordered(const TensorLayout& layout, judge::BitsReader file_order);
judge::BitsWriter reordered(const TensorLayout& layout, judge::BitsWriter file_order);

}  // namespace mmrope::cli

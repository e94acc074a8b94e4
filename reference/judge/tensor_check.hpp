// One call to rotate or check a whole batch: a preset and layouts in, spans of elements in, bits or a report out.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "reference/batch.hpp"
#include "reference/comparison.hpp"
#include "reference/judge/judge_engine.hpp"
#include "reference/presets/preset_rotary.hpp"

namespace mmrope {

// What a tensor is: the preset's model, the layout of every batch row, and the tensor's shape and dtype.
// The tensor is [batch, tokens, heads, head_dim] in C order, batch = layouts.size() (or 1 layout for all
// rows when batch is given).
struct TensorRequest {
  std::string preset;                                         // a name of `mmrope presets`, e.g. "qwen2.5-vl"
  std::vector<std::pair<std::string, std::string>> params;    // design parameters set over the preset's
  std::vector<std::string> layouts;                           // one per batch row, or one for every row
  int batch = 0;                                              // 0: layouts.size()
  int tokens = 0;                                             // 0: the longest layout's token count
  int heads = 1;
  int head_dim = 0;                                           // 0: the preset's
  DType dtype = DType::bf16;
  TensorRole role = TensorRole::query;
  Direction direction = Direction::forward;
  PaddingSide padding = PaddingSide::right;                   // where rows shorter than `tokens` are padded
  PaddingConvention padding_convention = PaddingConvention::transformers4;
  RotaryOverrides rotary;                                     // rotary dim, sections, heads, pairing; heads
                                                              // default to HQ = HKV = heads
};

// The positions of every row of a batch of layouts under a design, padded to `tokens` (0: the longest),
// with each token's kind. The same function `mmrope check` and `rotate` use for --layout.
struct LayoutBatch {
  std::vector<std::vector<Position3>> positions;  // per row, per token
  std::vector<std::vector<TokenKind>> kinds;      // per row, per token
};
LayoutBatch layout_batch(const PositionDesign& design, const std::vector<std::string>& layouts, int batch,
                         std::optional<std::int64_t> tokens, PaddingSide padding, PaddingConvention convention);

// The rotary spec of a tensor of `heads` heads `head_dim` wide under frequency settings and overrides: the
// head width is the tensor's, a head narrower than the settings' rotary dim rotates its whole width unless
// the overrides give a rotary dim, and the head counts default to `heads` query and KV heads.
RotarySpec rotary_spec_for_tensor(FrequencySettings settings, RotaryOverrides overrides, int heads, int head_dim);

// The judge's problem for a request: positions, rotary spec, shape. Throws mmrope::Error naming what is wrong.
judge::Problem make_problem(const TensorRequest& request);

// The exact rotation of x ([batch, tokens, heads, head_dim] values), rounded once to the problem's dtype:
// bit patterns (fp32 in 32 bits, fp16 and bf16 in the low 16).
std::vector<std::uint32_t> rotate_tensor(const judge::Problem& problem, std::span<const double> x,
                                         const judge::Options& options = {});

// Compares y (bit patterns of the problem's dtype, as rotate_tensor gives them) with the exact rotation of x.
ComparisonReport check_tensor(const judge::Problem& problem, std::span<const double> x, std::span<const std::uint32_t> y,
                              const judge::Options& options = {});

}  // namespace mmrope

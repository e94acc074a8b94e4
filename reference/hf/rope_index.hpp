// get_rope_index from the inputs a model really gets: input_ids, grids, seconds per grid and the attention mask.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "../batch.hpp"
#include "../design.hpp"
#include "../layout.hpp"
#include "model_config.hpp"
#include "transformers_versions.hpp"

namespace mmrope::hf {

// The keyword inputs of transformers' get_rope_index, as plain arrays (row-major).
struct RopeIndexInputs {
  std::int64_t batch = 0, length = 0;
  std::vector<std::int64_t> input_ids;                      // [batch, length]
  std::optional<std::vector<std::int64_t>> attention_mask;  // [batch, length], each 0 or 1
  std::optional<std::vector<GridTHW>> image_grid_thw;       // [images, 3], over the whole batch in order
  std::optional<std::vector<GridTHW>> video_grid_thw;       // [videos, 3]
  std::optional<std::vector<Rational>> second_per_grid_ts;  // [videos], exact values of what was stored
};

// What get_rope_index returns, plus how mmrope read the inputs.
struct RopeIndex {
  std::int64_t batch = 0, length = 0;
  std::vector<std::int64_t> position_ids;  // [3, batch, length]: rows t, h, w; padded slots hold the convention's value
  std::vector<std::int64_t> rope_deltas;   // [batch]
  std::vector<Sequence> layouts;           // per row: the layout of its real tokens, derived from the ids
  std::vector<PaddingSide> padding;        // per row: where its padding sits (right when it has none)
  std::vector<std::int64_t> real_tokens;   // per row: tokens with attention_mask 1
  std::vector<TokenKind> kinds;            // [batch, length]: text, image, video, or pad

  std::int64_t at(int axis, std::int64_t b, std::int64_t i) const { return position_ids[(axis * batch + b) * length + i]; }
  // Row b's positions per slot, padded slots included: what a kernel is given.
  std::vector<Position3> row_positions(std::int64_t b) const;
};

// The largest batch x length accepted, as for layouts (kMaxTokensPerBatch): checked before anything is allocated.
inline constexpr std::int64_t kMaxInputTokens = kMaxTokensPerBatch;

// The position design a version's rules give for this config (merge size, tokens per second from the config).
std::unique_ptr<PositionDesign> design_for(const ModelConfig& config, const VersionRules& rules);

// Derives every row's layout from its ids and assigns positions as that version of transformers does. Every
// disagreement between the ids, the mask and the grids throws mmrope::Error naming the batch row, the token
// index and the reason; nothing is guessed.
RopeIndex rope_index(const RopeIndexInputs& inputs, const ModelConfig& config, const VersionRules& rules);

}  // namespace mmrope::hf

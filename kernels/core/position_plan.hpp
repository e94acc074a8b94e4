// A batch's position plan: its runs in order, row by row, and what the builder needs to finish the rope deltas.
#pragma once

#include <cstdint>
#include <vector>

#include "position_segment.hpp"

namespace mmrope::kernels {

// Rows of padded_length token slots each, row b's runs contiguous and in token order (its padding included, as
// pad runs), every row with at least one run. Token n of the batch is slot n % padded_length of row
// n / padded_length. Cursor values (next_position, rope_delta) are numerators over cursor_den.
struct PositionPlan {
  std::vector<PositionSegment> segments;
  std::int64_t rows = 0;
  std::int64_t padded_length = 0;
  std::int64_t cursor_den = 1;
  std::vector<std::int64_t> delta_divisor;  // [rows]: rope_delta = next_position - delta_divisor (in tokens)

  std::int64_t tokens() const { return rows * padded_length; }
};

// Where a builder writes, in the builder's memory (host for the host twin, device for the CUDA builder):
// positions [3, tokens] (t row, h row, w row, as transformers' position_ids [3, batch, length]), each token's
// denominator and kind, and per row the next position and the rope delta over the plan's cursor_den.
struct PositionOutputs {
  std::int64_t* positions = nullptr;  // [3 * tokens]
  std::int64_t* den = nullptr;        // [tokens]
  std::uint8_t* kind = nullptr;       // [tokens], PlanTokenKind
  std::int64_t* next_position = nullptr;  // [rows]
  std::int64_t* rope_delta = nullptr;     // [rows]
};

}  // namespace mmrope::kernels

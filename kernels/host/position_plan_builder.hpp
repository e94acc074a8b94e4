// Turns a batch of layouts under a position design into the runs the kernel position builders place token by token.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "kernels/core/position_plan.hpp"
#include "reference/batch.hpp"

namespace mmrope::kernels {

// The plan of assign_batch(design, sequences, side, convention, pad_to): the same rows, padding and rope deltas.
// Every design whose positions are exact rationals is planned (all but circlerope, whose positions are
// irrational: refused, naming the reference). Each run's positions are integer numerators over a denominator of
// its own (1 for every integer design); the plan refuses, with an Error naming the sequence and segment, a batch
// whose numerators or cursors would not fit int64, so the builders cannot overflow. Throws the reference's Error
// for invalid layouts and sizes, before anything is allocated.
PositionPlan make_position_plan(const PositionDesign& design, const std::vector<Sequence>& sequences, PaddingSide side,
                                PaddingConvention convention, std::optional<std::int64_t> pad_to = std::nullopt);

}  // namespace mmrope::kernels

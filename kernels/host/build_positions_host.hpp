// The position builder's host twin: the CUDA builder's Thrust steps on Thrust's CPP system, and its result as the reference's.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/core/position_plan.hpp"
#include "reference/batch.hpp"

namespace mmrope::kernels {

// What a builder writes (PositionOutputs), in host memory.
struct BuiltPositions {
  std::int64_t rows = 0, padded_length = 0, cursor_den = 1;
  std::vector<std::int64_t> positions;  // [3, rows * padded_length]: t row, h row, w row (numerators over den)
  std::vector<std::int64_t> den;        // [rows * padded_length]
  std::vector<std::uint8_t> kind;       // [rows * padded_length], PlanTokenKind
  std::vector<std::int64_t> next_position, rope_delta;  // [rows], over cursor_den
};

// Runs the Thrust steps of kernels/core/position_build_steps.hpp sequentially on the CPU.
BuiltPositions build_positions_host(const PositionPlan& plan);

// The builder's rationals as the reference's BatchPositions (exact: each value num / den, reduced); tokens carry
// their kind and position, not their layout segment (segment -1).
BatchPositions as_batch_positions(const BuiltPositions& built);

}  // namespace mmrope::kernels

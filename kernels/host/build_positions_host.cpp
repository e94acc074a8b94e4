// The host twin of the position builder: Thrust's CPP system runs the same steps as the CUDA builder, in order.
// Thrust's device system here is CPP, and this copy of Thrust (Debian's) lives in a namespace of its own, so it and
// the CUDA toolkit's (the CUDA builder's) never meet in one program: both set before any Thrust header.
#define THRUST_DEVICE_SYSTEM THRUST_DEVICE_SYSTEM_CPP
#define THRUST_CUB_WRAPPED_NAMESPACE mmrope_host_thrust

#include "kernels/host/build_positions_host.hpp"

#include <thrust/system/cpp/execution_policy.h>

#include <vector>

#include "kernels/core/position_build_steps.hpp"

namespace mmrope::kernels {

BuiltPositions build_positions_host(const PositionPlan& plan) {
  BuiltPositions out;
  out.rows = plan.rows;
  out.padded_length = plan.padded_length;
  out.cursor_den = plan.cursor_den;
  const std::int64_t tokens = plan.tokens();
  out.positions.resize(static_cast<std::size_t>(3 * tokens));
  out.den.resize(static_cast<std::size_t>(tokens));
  out.kind.resize(static_cast<std::size_t>(tokens));
  out.next_position.resize(static_cast<std::size_t>(plan.rows));
  out.rope_delta.resize(static_cast<std::size_t>(plan.rows));
  const PositionOutputs where{out.positions.data(), out.den.data(), out.kind.data(), out.next_position.data(), out.rope_delta.data()};
  std::vector<std::int64_t> first_token(plan.segments.size()), cursors(plan.segments.size());
  std::vector<std::int32_t> row_keys(static_cast<std::size_t>(plan.rows));
  position_steps::build(THRUST_NS_QUALIFIER::cpp::par, plan.segments.data(), static_cast<std::int64_t>(plan.segments.size()),
                        plan.delta_divisor.data(), plan.rows, plan.padded_length, plan.cursor_den,
                        {first_token.data(), cursors.data(), row_keys.data()}, where);
  return out;
}

BatchPositions as_batch_positions(const BuiltPositions& built) {
  BatchPositions batch;
  batch.padded_length = built.padded_length;
  const std::int64_t tokens = built.rows * built.padded_length;
  auto value = [](std::int64_t num, std::int64_t den) { return Coordinate(Rational(BigInt(num), BigInt(den))); };
  for (std::int64_t b = 0; b < built.rows; ++b) {
    SequencePositions row;
    for (std::int64_t i = 0; i < built.padded_length; ++i) {
      const auto n = static_cast<std::size_t>(b * built.padded_length + i);
      const std::int64_t den = built.den[n];
      TokenPosition token;
      token.kind = static_cast<TokenKind>(built.kind[n]);
      token.pos = {value(built.positions[n], den), value(built.positions[static_cast<std::size_t>(tokens) + n], den),
                   value(built.positions[static_cast<std::size_t>(2 * tokens) + n], den)};
      row.tokens.push_back(std::move(token));
    }
    row.next_position = value(built.next_position[static_cast<std::size_t>(b)], built.cursor_den);
    row.rope_delta = value(built.rope_delta[static_cast<std::size_t>(b)], built.cursor_den);
    batch.rows.push_back(std::move(row));
  }
  return batch;
}

}  // namespace mmrope::kernels

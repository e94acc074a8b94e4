// Law 11: changing only the h (or w, or t) position of a token changes only the channels allocated to that axis;
// with t = h = w every 3-D allocation equals 1-D RoPE. Source: the allocation's definition (2510.23095 sec. 2.3,
// Figure 3); every allocation claims the first half; the second half fails where a pair or head does not rotate
// (HoPE's temporal band, multi-head heads beyond the sections).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "claims.hpp"
#include "counterexample.hpp"
#include "gen/bits_gen.hpp"
#include "gen/position_gen.hpp"
#include "gen/spec_gen.hpp"
#include "reference/frequency/allocation_1d.hpp"
#include "rotation_support.hpp"

namespace mmrope::laws {
namespace {

RC_GTEST_PROP(Law11AxisSeparation, MovingOneAxisTouchesOnlyItsChannels, ()) {
  const RotarySpec spec = *gen::rotary_spec();
  const DType type = *gen::dtype();
  const TensorRole role = *rc::gen::element(TensorRole::query, TensorRole::key);
  const Position3 p = *gen::position();
  const Axis moved = *rc::gen::element(Axis::t, Axis::h, Axis::w);
  Position3 q = p;
  q[moved] = *gen::coordinate();
  const TensorShape shape{1, heads_for(spec, role, *rc::gen::inRange(1, 3)), spec.head_dim};
  const auto x = *gen::dtype_values(type, shape.size());
  const auto a = rotation_at(spec, {p}).apply(x, shape, role, Direction::forward, type).exact;
  const auto b = rotation_at(spec, {q}).apply(x, shape, role, Direction::forward, type).exact;
  const Allocation& alloc = spec.allocation;
  const int group = alloc.per_head() && role == TensorRole::query ? alloc.heads().group() : 1;
  for (int h = 0; h < shape.heads; ++h)
    for (int j = 0; j < spec.pairs(); ++j) {
      const PairAxis axis = alloc.key_axis(alloc.per_head() ? h / group : 0, j);
      if (axis == moved) continue;
      const auto [c0, c1] = pair_channels(spec.pairing, j, spec.rotary_dim);
      // Same position on this pair's axis: the same cos/sin, the same arithmetic, so exactly equal.
      RC_ASSERT(a[shape.index(0, h, c0)] == b[shape.index(0, h, c0)]);
      RC_ASSERT(a[shape.index(0, h, c1)] == b[shape.index(0, h, c1)]);
    }
  for (int h = 0; h < shape.heads; ++h)
    for (int c = spec.rotary_dim; c < spec.head_dim; ++c) RC_ASSERT(a[shape.index(0, h, c)] == b[shape.index(0, h, c)]);
}

void check_diagonal_is_1d(const RotarySpec& spec) {
  const DType type = *gen::dtype();
  const Position3 p = Position3::diagonal(*gen::coordinate());
  const TensorShape shape{1, heads_for(spec, TensorRole::key, 2), spec.head_dim};
  const auto x = *gen::dtype_values(type, shape.size());
  RotarySpec one_d = spec;
  one_d.allocation = allocation_1d(spec.pairs());
  const auto a = rotation_at(spec, {p}).apply(x, shape, TensorRole::key, Direction::forward, type).exact;
  const TensorShape s1{1, shape.heads, spec.head_dim};
  const auto b = rotation_at(one_d, {p}).apply(x, s1, TensorRole::key, Direction::forward, type).exact;
  for (std::size_t i = 0; i < a.size(); ++i) RC_ASSERT(a[i] == b[i]);  // same cos/sin per pair: exact
}

RC_GTEST_PROP(Law11AxisSeparation, DiagonalPositionsGiveOneDimensionalRope, ()) {
  const RotarySpec spec = *gen::rotary_spec();
  RC_PRE(claims::equals_1d_on_diagonal(spec.allocation));
  check_diagonal_is_1d(spec);
}

TEST(Law11AxisSeparation, UnrotatedPairsOrHeadsHaveCounterexamples) {
  expect_counterexample("law 11 (diagonal = 1-D) under hope", [] {
    const RotarySpec spec = *gen::rotary_spec({"hope"});
    if (claims::equals_1d_on_diagonal(spec.allocation)) return;  // s_t = 0: every pair rotates
    check_diagonal_is_1d(spec);
  });
  expect_counterexample("law 11 (diagonal = 1-D) under multi-head with heads beyond the sections", [] {
    const int kv = *rc::gen::inRange(2, 5), pairs = *rc::gen::inRange(1, 9);
    RotarySpec spec;
    spec.rotary_dim = spec.head_dim = 2 * pairs;
    spec.allocation = make_allocation("multi-head", format_sections(*gen::sections(kv - 1)), pairs, HeadCounts{kv, kv});
    check_diagonal_is_1d(spec);
  });
}

}  // namespace
}  // namespace mmrope::laws

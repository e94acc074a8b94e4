// Law 13: any scaling with factor 1 is no scaling; YaRN over an interleaved allocation treats all axes alike.
// Source: transformers _compute_*_parameters (each reduces to the plain spectrum at factor 1) and 2510.23095
// App. D.3 (MRoPE-I suits spectrum rescaling because every axis has the full spectrum). Dynamic NTK does not
// claim the first half: its base grows with L / original_context - 0 even at factor 1 once L passes the context.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "counterexample.hpp"
#include "gen/spec_gen.hpp"
#include "reference/frequency/allocation_1d.hpp"
#include "rotation_support.hpp"

namespace mmrope::laws {
namespace {

// Every inverse frequency within 2^-325 relative (about 64 ulps of S's 332 bits): YaRN and llama3 at factor 1
// form theta (1 - r) + theta r / 1, three roundings of positive terms (< 2^-329 relative); linear divides by 1
// and ntk raises 1 to a power, both exact. The attention factor is exactly 1 (get_mscale(1) = 1).
void check_factor_one(ScalingKind kind) {
  RotarySpec spec;
  const int pairs = *rc::gen::inRange(2, 17);  // NTK's exponent d/(d-2) needs a rotary dim >= 4
  spec.base = *rc::gen::element<std::string>("10000", "1000000");
  spec.rotary_dim = spec.head_dim = 2 * pairs;
  spec.allocation = allocation_1d(pairs);
  spec.scaling = *gen::scaling();
  spec.scaling.kind = kind;
  spec.scaling.factor = 1;
  RC_LOG() << "spec: " << rc::toString(spec) << "\n";
  RotarySpec plain = spec;
  plain.scaling = RopeScaling{};
  const auto a = make_frequency_plan<S>(spec), b = make_frequency_plan<S>(plain);
  RC_ASSERT(a.attention_factor == b.attention_factor);
  for (std::size_t j = 0; j < a.inverse_frequencies.size(); ++j)
    RC_ASSERT(abs_s(S(a.inverse_frequencies[j] - b.inverse_frequencies[j])) <= ldexp(b.inverse_frequencies[j], -325));
}

RC_GTEST_PROP(Law13ScalingIdentity, FactorOneIsNoScaling, ()) {
  check_factor_one(*rc::gen::element(ScalingKind::linear, ScalingKind::ntk, ScalingKind::yarn, ScalingKind::llama3));
}

TEST(Law13ScalingIdentity, DynamicNtkAtFactorOneHasCounterexamples) {
  expect_counterexample("law 13 (factor 1) under dynamic NTK", [] { check_factor_one(ScalingKind::dynamic_ntk); });
}

// Under YaRN each pair is kept (ramp 0), interpolated (ramp 1) or blended; "alike" means every axis has pairs
// in both the kept and the interpolated regions whenever the spectrum has enough of each (here, over a balanced
// interleaved [P-2k, k, k] map with k = floor(P/3), at least 3 pairs in each region below pair 3k - 2).
std::optional<std::string> yarn_axes_unlike(const RotarySpec& spec) {
  const auto scaled = make_frequency_plan<S>(spec);
  RotarySpec plain = spec;
  plain.scaling = RopeScaling{};
  const auto base = make_frequency_plan<S>(plain);
  std::array<bool, 3> kept{}, interpolated{};
  for (int j = 0; j < spec.pairs(); ++j) {
    const auto axis = spec.allocation.key_axis(0, j);
    if (!axis) continue;
    const S ratio = scaled.inverse_frequencies[j] / base.inverse_frequencies[j];
    const S tiny = ldexp(S(1), -300);  // two roundings of the ratio
    if (abs_s(S(ratio - 1)) <= tiny) kept[static_cast<int>(*axis)] = true;
    if (abs_s(S(ratio * rational_to_scalar<S>(spec.scaling.factor) - 1)) <= tiny) interpolated[static_cast<int>(*axis)] = true;
  }
  for (int a = 0; a < 3; ++a)
    if (!kept[a] || !interpolated[a]) return std::string("axis ") + "thw"[a] + (kept[a] ? " has no interpolated pair" : " has no kept pair");
  return std::nullopt;
}

RotarySpec yarn_spec(const std::string& allocation) {
  const int pairs = *rc::gen::inRange(12, 65), k = pairs / 3;
  RotarySpec spec;
  spec.base = "10000";
  spec.rotary_dim = spec.head_dim = 2 * pairs;
  spec.allocation = make_allocation(allocation, format_sections({pairs - 2 * k, k, k}), pairs);
  spec.scaling.kind = ScalingKind::yarn;
  spec.scaling.factor = *rc::gen::element(2, 4, 8, 16);
  spec.scaling.original_context = *rc::gen::inRange<std::int64_t>(64, 1 << 16);
  return spec;
}

// The kept region ends at pair floor(low) and the interpolated one starts at ceil(high) (scaling_yarn.hpp);
// requiring >= 3 of each below pair 3k - 2 makes every interleaved axis reach into both.
bool yarn_regions_reach_every_axis(const RotarySpec& spec) {
  const auto scaled = make_frequency_plan<S>(spec);
  RotarySpec plain = spec;
  plain.scaling = RopeScaling{};
  const auto base = make_frequency_plan<S>(plain);
  const int k = spec.allocation.counts()[1];
  int kept = 0, interpolated = 0;
  for (int j = 0; j < 3 * k - 2 && j < spec.pairs(); ++j) {
    const S ratio = scaled.inverse_frequencies[j] / base.inverse_frequencies[j];
    if (abs_s(S(ratio - 1)) <= ldexp(S(1), -300)) ++kept;
    if (abs_s(S(ratio * rational_to_scalar<S>(spec.scaling.factor) - 1)) <= ldexp(S(1), -300)) ++interpolated;
  }
  return kept >= 3 && interpolated >= 3;
}

RC_GTEST_PROP(Law13ScalingIdentity, YarnOnInterleavedTreatsAxesAlike, ()) {
  const RotarySpec spec = yarn_spec("interleaved");
  RC_PRE(yarn_regions_reach_every_axis(spec));
  const auto v = yarn_axes_unlike(spec);
  if (v) RC_FAIL(*v);
}

TEST(Law13ScalingIdentity, YarnOnChunkedHasCounterexamples) {
  expect_counterexample("law 13 (YaRN alike) under chunked", [] {
    const RotarySpec spec = yarn_spec("chunked");
    const auto v = yarn_axes_unlike(spec);
    if (v) RC_FAIL(*v);
  });
}

}  // namespace
}  // namespace mmrope::laws

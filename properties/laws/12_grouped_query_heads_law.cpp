// Law 12: under MHRoPE with grouped-query attention, the query heads sharing a KV head rotate by that head's
// axis, and text rotates identically in every head. Source: 2510.23095 sec. 2.3.3 footnote ("for GQA, we
// partition on KV heads and repeat on corresponding query heads"); Multimodal-RoPEs freq_allocation/mhrope.py.
// The second half is claimed when the sections cover every KV head; a head left without an axis does not rotate.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "counterexample.hpp"
#include "gen/position_gen.hpp"
#include "gen/spec_gen.hpp"
#include "rotation_support.hpp"

namespace mmrope::laws {
namespace {

// covering: the sections name every KV head (else 0..kv heads of them).
RotarySpec multi_head_spec(bool covering = false) {
  const int kv = *rc::gen::inRange(1, 5), group = *rc::gen::inRange(1, 4), pairs = *rc::gen::inRange(1, 9);
  const Sections s = *gen::sections(covering ? kv : *rc::gen::inRange(0, kv + 1));
  RotarySpec spec;
  spec.rotary_dim = spec.head_dim = 2 * pairs;
  spec.allocation = make_allocation("multi-head", format_sections(s), pairs, HeadCounts{kv * group, kv});
  return spec;
}

RC_GTEST_PROP(Law12GroupedQueryHeads, QueryHeadsFollowTheirKvHead, ()) {
  const RotarySpec spec = multi_head_spec();
  const Allocation& a = spec.allocation;
  const Rotation<S> r = rotation_at(spec, *gen::positions(2));
  for (int t = 0; t < 2; ++t)
    for (int qh = 0; qh < a.heads().query; ++qh)
      for (int j = 0; j < spec.pairs(); ++j) {
        const int kvh = qh / a.heads().group();
        RC_ASSERT(a.query_axis(qh, j) == a.key_axis(kvh, j));
        const auto& x = r.cos_sin(t, TensorRole::query, qh, j);
        const auto& y = r.cos_sin(t, TensorRole::key, kvh, j);
        RC_ASSERT(x.cos == y.cos && x.sin == y.sin);
      }
}

void check_text_same_in_every_head(const RotarySpec& spec) {
  const Rotation<S> r = rotation_at(spec, {Position3::diagonal(*gen::coordinate())});
  for (int h = 0; h < spec.allocation.heads().query; ++h)
    for (int j = 0; j < spec.pairs(); ++j) {
      const auto& x = r.cos_sin(0, TensorRole::query, h, j);
      const auto& y = r.cos_sin(0, TensorRole::query, 0, j);
      RC_ASSERT(x.cos == y.cos && x.sin == y.sin);
    }
}

RC_GTEST_PROP(Law12GroupedQueryHeads, TextRotatesAlikeInEveryHead, ()) {
  const RotarySpec spec = multi_head_spec(true);
  RC_ASSERT(spec.allocation.counts()[3] == 0);  // every head has an axis
  check_text_same_in_every_head(spec);
}

TEST(Law12GroupedQueryHeads, HeadsWithoutAnAxisHaveCounterexamples) {
  expect_counterexample("law 12 (text alike) with heads beyond the sections", [] {
    const RotarySpec spec = multi_head_spec();
    if (spec.allocation.counts()[3] == 0) return;  // every head has an axis: claimed, so no witness here
    check_text_same_in_every_head(spec);
  });
}

}  // namespace
}  // namespace mmrope::laws

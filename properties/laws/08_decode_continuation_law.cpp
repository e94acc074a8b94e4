// Law 8: generated tokens placed from the rope delta sit where the whole sequence, with them as text, puts them.
// Source: transformers Qwen2VLModel.forward (decode step k at (cache length + k) + rope_deltas) and
// docs/layout-rules.md 1.3. Claimed by every preset but the transformers >= 5.3 rule, which continues from
// the block maximum + 1 while the recomputed prompt continues from S + max(H', W') (issue #45381).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "08_decode_continuation.hpp"
#include "claims.hpp"
#include "counterexample.hpp"
#include "gen/design_gen.hpp"

namespace mmrope::laws {
namespace {

void check_decode(const gen::DesignCase& c) {
  const std::int64_t n = *rc::gen::inRange<std::int64_t>(1, 5);
  if (const auto why = decode_violation(*c.design(), c.layout, n)) RC_FAIL(*why);
}

RC_GTEST_PROP(Law08DecodeContinuation, RopeDeltaContinuesTheSequence, ()) {
  check_decode(*gen::design_case(claims::presets_where(&claims::decode_continuation, true)));
}

TEST(Law08DecodeContinuation, NonClaimingPresetsHaveCounterexamples) {
  for (const auto& name : claims::presets_where(&claims::decode_continuation, false))
    expect_counterexample("law 8 under " + name, [name] { check_decode(*gen::design_case({name})); });
}

}  // namespace
}  // namespace mmrope::laws

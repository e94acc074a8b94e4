// Law 8: generated tokens placed from the rope delta sit where the whole sequence, with them as text, puts them.
// Source: transformers Qwen2VLModel.forward (decode step k at (cache length + k) + rope_deltas) and
// docs/layout-rules.md 1.3. Claimed by every preset but the transformers >= 5.3 rule, which continues from
// the block maximum + 1 while the recomputed prompt continues from S + max(H', W') (issue #45381).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "claims.hpp"
#include "counterexample.hpp"
#include "gen/design_gen.hpp"
#include "same_position.hpp"

namespace mmrope::laws {
namespace {

void check_decode(const gen::DesignCase& c) {
  const std::int64_t n = *rc::gen::inRange<std::int64_t>(1, 5);
  const auto design = c.design();
  const SequencePositions prompt = design->assign(c.layout);
  Sequence whole = c.layout;
  whole.segments.emplace_back(TextRun{n});
  const SequencePositions all = design->assign(whole);
  const auto length = static_cast<std::int64_t>(prompt.tokens.size());
  for (std::int64_t k = 0; k < n; ++k) {
    const Coordinate decoded = Coordinate(length + k) + prompt.rope_delta;  // what the decode step computes
    const Position3& want = all.tokens[static_cast<std::size_t>(length + k)].pos;
    RC_ASSERT(same_position(design->text_position(decoded), want));
  }
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

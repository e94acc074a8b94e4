// Law 9: prefilling a sequence in chunks, each continuing from the previous chunk's next position, gives the
// positions of the whole. Source: chunked prefill in serving engines (vLLM slices the prompt and carries the
// position offset); docs/layout-rules.md 1.3. A chunk that starts at offset o is placed as the design places it
// after o text positions; text-only chunks take text_position(o + k). Claimed by every preset but the
// transformers >= 5.3 rule, whose next_position (block max + 1) is not the cursor the whole sequence uses.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "09_chunked_prefill.hpp"
#include "claims.hpp"
#include "counterexample.hpp"
#include "gen/design_gen.hpp"

namespace mmrope::laws {
namespace {

void check_chunks(const gen::DesignCase& c) {
  // Cut text runs at a random point, then cut between pieces where a coin says so.
  std::vector<std::int64_t> text_cuts;
  for (const auto& s : c.layout.segments) {
    const auto* text = std::get_if<TextRun>(&s);
    text_cuts.push_back(text && text->length > 1 ? *rc::gen::inRange<std::int64_t>(0, text->length) : 0);
  }
  const auto starts = *rc::gen::container<std::vector<bool>>(2 * c.layout.segments.size(), rc::gen::arbitrary<bool>());
  if (const auto why = chunked_prefill_violation(*c.design(), cut_into_chunks(c.layout, text_cuts, starts))) RC_FAIL(*why);
}

RC_GTEST_PROP(Law09ChunkedPrefill, ChunksGiveThePositionsOfTheWhole, ()) {
  const auto c = *gen::design_case(claims::presets_where(&claims::chunked_prefill, true));
  RC_PRE(claims::chunked_prefill(c.preset, c.design()->params()));
  check_chunks(c);
}

TEST(Law09ChunkedPrefill, NonClaimingPresetsHaveCounterexamples) {
  for (const auto& name : claims::presets_where(&claims::chunked_prefill, false))
    expect_counterexample("law 9 under " + name, [name] { check_chunks(*gen::design_case({name})); });
}

}  // namespace
}  // namespace mmrope::laws

// Law 9: prefilling a sequence in chunks, each continuing from the previous chunk's next position, gives the
// positions of the whole. Source: chunked prefill in serving engines (vLLM slices the prompt and carries the
// position offset); docs/layout-rules.md 1.3. A chunk that starts at offset o is placed as the design places it
// after o text positions; text-only chunks take text_position(o + k). Claimed by every preset but the
// transformers >= 5.3 rule, whose next_position (block max + 1) is not the cursor the whole sequence uses.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "claims.hpp"
#include "counterexample.hpp"
#include "gen/design_gen.hpp"

namespace mmrope::laws {
namespace {

using Chunk = std::vector<Segment>;

// Positions of `chunk` when prefill reaches it at offset o, and the offset it hands on; nullopt when a visual
// chunk would start at a non-integer offset (a design walk starts from integer cursors only).
std::optional<std::pair<std::vector<Position3>, Coordinate>> place_chunk(const PositionDesign& d, const Chunk& chunk,
                                                                          const Coordinate& o) {
  std::vector<Position3> out;
  const bool text_only = std::all_of(chunk.begin(), chunk.end(), [](const Segment& s) { return !is_visual(s); });
  if (text_only) {
    Coordinate c = o;
    for (const auto& s : chunk)
      for (std::int64_t k = 0; k < std::get<TextRun>(s).length; ++k, c = c + Coordinate(1)) out.push_back(d.text_position(c));
    return std::pair{out, c};
  }
  if (!o.is_integer_value()) return std::nullopt;
  const std::int64_t prefix = o.to_int64();
  Sequence seq;
  if (prefix > 0) seq.segments.emplace_back(TextRun{prefix});
  seq.segments.insert(seq.segments.end(), chunk.begin(), chunk.end());
  const SequencePositions sp = d.assign(seq);
  for (std::size_t i = static_cast<std::size_t>(prefix); i < sp.tokens.size(); ++i) out.push_back(sp.tokens[i].pos);
  return std::pair{out, sp.next_position};
}

void check_chunks(const gen::DesignCase& c) {
  const auto design = c.design();
  // Cut text runs at a random point, then cut between pieces where a coin says so.
  std::vector<Segment> pieces;
  for (const auto& s : c.layout.segments) {
    const auto* text = std::get_if<TextRun>(&s);
    const std::int64_t cut = text && text->length > 1 ? *rc::gen::inRange<std::int64_t>(0, text->length) : 0;
    if (cut > 0) {
      pieces.emplace_back(TextRun{cut});
      pieces.emplace_back(TextRun{text->length - cut});
    } else {
      pieces.push_back(s);
    }
  }
  const auto cuts = *rc::gen::container<std::vector<bool>>(pieces.size(), rc::gen::arbitrary<bool>());
  std::vector<Chunk> chunks;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    if (chunks.empty() || cuts[i]) chunks.emplace_back();
    chunks.back().push_back(pieces[i]);
  }
  // Place chunk by chunk; a visual chunk at a non-integer offset (CircleRoPE) is merged into the one before.
  std::vector<std::pair<Coordinate, std::vector<Position3>>> placed;  // (offset, positions) per chunk
  Coordinate offset(0);
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    auto r = place_chunk(*design, chunks[i], offset);
    if (!r) {
      chunks[i - 1].insert(chunks[i - 1].end(), chunks[i].begin(), chunks[i].end());
      chunks.erase(chunks.begin() + static_cast<std::ptrdiff_t>(i));
      offset = placed.back().first;
      placed.pop_back();
      i -= 2;
      continue;
    }
    placed.emplace_back(offset, r->first);
    offset = r->second;
  }
  const SequencePositions whole = design->assign(c.layout);
  std::size_t k = 0;
  for (const auto& [o, positions] : placed)
    for (const auto& p : positions) RC_ASSERT(p == whole.tokens.at(k++).pos);
  RC_ASSERT(k == whole.tokens.size());
}

RC_GTEST_PROP(Law09ChunkedPrefill, ChunksGiveThePositionsOfTheWhole, ()) {
  check_chunks(*gen::design_case(claims::presets_where(&claims::chunked_prefill, true)));
}

TEST(Law09ChunkedPrefill, NonClaimingPresetsHaveCounterexamples) {
  for (const auto& name : claims::presets_where(&claims::chunked_prefill, false))
    expect_counterexample("law 9 under " + name, [name] { check_chunks(*gen::design_case({name})); });
}

}  // namespace
}  // namespace mmrope::laws
